"""Organisation (R-ORG-1…5): county bureau and offices, schools, grades, classes, the
responsibility matrix (明确到人、到岗), class safety officers (学生安全员) and public contacts."""

from __future__ import annotations

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import Scope, ScopedManager
from anxin.core.validators import validate_phone


@audited()
class Region(models.Model):
    """A city (市/州) or province (省/自治区) above the counties, as its education department sees
    them: counts only, from the rollups (dashboards.region). A city's parent is its province; a
    county directly under a province (省直管县) names the province."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("省（自治区、直辖市）")
        CITY = "city", _("市（州、盟）")

    name = models.CharField(_("地区"), max_length=50)
    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    department_name = models.CharField(_("教育行政部门"), max_length=80)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("上级地区"),
    )

    class Meta:
        verbose_name = _("地区（市、省）")
        verbose_name_plural = _("地区（市、省）")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.parent_id and (self.level != self.Level.CITY or self.parent.level != self.Level.PROVINCE):
            raise ValidationError(_("只有市（州）可以有上级地区，且上级须为省。"))


@audited()
class County(models.Model):
    """A county and its education bureau (县教体局)."""

    name = models.CharField(_("县区"), max_length=50)
    code = models.CharField(_("行政区划代码"), max_length=6, unique=True)
    bureau_name = models.CharField(_("教育行政部门"), max_length=80)
    bureau_phone = models.CharField(_("教体局电话"), max_length=20, blank=True, validators=[validate_phone])
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counties",
        verbose_name=_("所属市（省）"),
    )

    objects = ScopedManager()
    scope = Scope(county="id", school=None)

    class Meta:
        verbose_name = _("县区")
        verbose_name_plural = _("县区")

    def __str__(self) -> str:
        return self.name


@audited()
class Office(models.Model):
    """An office of the bureau (综合办, 安全股, 教育督导室)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("综合办")
        SAFETY = "safety", _("安全股")
        SUPERVISION = "supervision", _("教育督导室")
        OTHER = "other", _("其他")

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="offices", verbose_name=_("县区")
    )
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=40)
    phone = models.CharField(_("电话"), max_length=20, blank=True, validators=[validate_phone])

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("局内科室")
        verbose_name_plural = _("局内科室")
        constraints = [models.UniqueConstraint(fields=["county", "kind", "name"], name="office_unique")]

    def __str__(self) -> str:
        return self.name


class SchoolType(models.TextChoices):
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    NINE_YEAR = "nine_year", _("九年一贯制")
    SENIOR = "senior", _("高中")
    COMPLETE = "complete", _("完全中学")
    VOCATIONAL = "vocational", _("中职")
    TECHNICAL = "technical", _("技工学校")


# 义务教育法 27: no expulsion in compulsory education; these types are compulsory only.
COMPULSORY_TYPES = {SchoolType.PRIMARY, SchoolType.JUNIOR, SchoolType.NINE_YEAR}


class Stage(models.TextChoices):
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中职/技工")


def _public_code() -> str:
    return secrets.token_urlsafe(6)


@audited()
class School(models.Model):
    """A school of the county. ``public_code`` names it in public URLs (the report form and
    contacts page) without exposing database ids."""

    county = models.ForeignKey(
        County, on_delete=models.PROTECT, related_name="schools", verbose_name=_("县区")
    )
    name = models.CharField(_("学校名称"), max_length=80)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    code = models.CharField(
        _("学校标识码"), max_length=10, unique=True, help_text=_("10位数字，与全国学籍系统一致")
    )
    type = models.CharField(_("学校类型"), max_length=16, choices=SchoolType.choices)
    boarding = models.BooleanField(_("寄宿制"), default=False)
    town = models.CharField(_("乡镇"), max_length=30)
    address = models.CharField(_("地址"), max_length=120, blank=True)
    # 畅通学生诉求通道 (二(六)): published on the public page and the poster
    antibullying_phone = models.CharField(
        _("欺凌防治电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    antibullying_email = models.EmailField(_("欺凌防治邮箱"), blank=True)
    safety_leader_phone = models.CharField(
        _("分管安全校领导电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    legal_vp_phone = models.CharField(
        _("法治副校长电话"), max_length=20, blank=True, validators=[validate_phone]
    )
    public_code = models.CharField(
        _("公开编号"), max_length=16, unique=True, default=_public_code, editable=False
    )
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="id", class_sees_school=True)

    class Meta:
        verbose_name = _("学校")
        verbose_name_plural = _("学校")
        ordering = ["town", "name"]
        indexes = [models.Index(fields=["county", "town"], name="school_county_town_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_compulsory_only(self) -> bool:
        return self.type in COMPULSORY_TYPES


@audited()
class Grade(models.Model):
    """A grade (年级) of a school. ``year`` is 1–12 across stages (初一 = 7) so stage limits of
    the discipline rules (e.g. from grade 4) can be checked by number."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="grades", verbose_name=_("学校")
    )
    name = models.CharField(_("年级"), max_length=20)
    stage = models.CharField(_("学段"), max_length=16, choices=Stage.choices)
    year = models.PositiveSmallIntegerField(_("年级序号"), help_text=_("1–12：一年级为1，初一为7，高一为10"))

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id", class_sees_school=True)

    class Meta:
        verbose_name = _("年级")
        verbose_name_plural = _("年级")
        ordering = ["school", "year"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="grade_school_name_unique")]

    def __str__(self) -> str:
        return self.name


@audited()
class SchoolClass(models.Model):
    """A class (班级)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="classes", verbose_name=_("学校")
    )
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="classes", verbose_name=_("年级"))
    name = models.CharField(_("班级"), max_length=20, help_text=_("如：3班"))
    active = models.BooleanField(_("在用"), default=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id", klass="id")

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["grade__year", "name"]
        constraints = [models.UniqueConstraint(fields=["grade", "name"], name="class_grade_name_unique")]
        indexes = [models.Index(fields=["school", "grade"], name="class_school_grade_idx")]

    def __str__(self) -> str:
        return f"{self.grade.name}{self.name}"


class Duty(models.TextChoices):
    """The duties the seed asks to make accountable 到人、到岗 (二(六), 四(一))."""

    OVERALL = "overall", _("学校欺凌防治第一责任人")
    SAFETY = "safety", _("分管安全工作，牵头欺凌防治")
    COMMITTEE = "committee", _("学生欺凌治理委员会日常工作")
    SCREENING = "screening", _("组织全面排查摸底")
    INVESTIGATION = "investigation", _("欺凌事件调查处置")
    PSYCH = "psych", _("心理健康教育与心理辅导")
    LEGAL_EDU = "legal_edu", _("法治教育")
    FAMILY = "family", _("家校沟通与家庭教育指导")
    MONITORING = "monitoring", _("视频监控值守")
    DORM = "dorm", _("宿舍管理与巡查")
    CAMPUS = "campus", _("校园安保与巡逻")
    CLASS = "class", _("本班学生欺凌防治")
    SUBJECT = "subject", _("课堂及课间管理")
    REPORTING = "reporting", _("信息报送（首报、续报）")
    # optional: the deputy the principal designates to sign off reports to the bureau when the
    # principal cannot (cases.bullyingcase.report_sign); only the principal sets it
    REPORT_SIGN = "report_sign", _("受校长委托签发向教体局的报告")
    OTHER = "other", _("其他")


@audited()
class Responsibility(models.Model):
    """One line of the school's responsibility matrix: a duty and the person accountable."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("学校")
    )
    duty = models.CharField(_("职责"), max_length=20, choices=Duty.choices)
    detail = models.CharField(_("具体内容"), max_length=200, blank=True)
    person = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("责任人")
    )
    post = models.CharField(_("岗位"), max_length=60, blank=True)
    klass = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("班级")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id", class_sees_school=True)

    class Meta:
        verbose_name = _("岗位责任")
        verbose_name_plural = _("岗位责任清单")
        ordering = ["school", "duty", "id"]
        indexes = [models.Index(fields=["school", "duty"], name="responsibility_school_idx")]

    def __str__(self) -> str:
        return f"{self.get_duty_display()} — {self.person}"


@audited()
class SafetyOfficer(models.Model):
    """A class's student safety officer (学生安全员, R-ORG-4)."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+", verbose_name=_("县区"))
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    klass = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="safety_officers", verbose_name=_("班级")
    )
    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    appointed_on = models.DateField(_("任命日期"))
    ended_on = models.DateField(_("卸任日期"), null=True, blank=True)
    duties = models.CharField(_("职责说明"), max_length=200, blank=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id", klass="klass_id")

    class Meta:
        verbose_name = _("学生安全员")
        verbose_name_plural = _("学生安全员")
        ordering = ["klass", "appointed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["klass", "student"],
                condition=models.Q(ended_on__isnull=True),
                name="safety_officer_active_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.klass} {self.student}"
