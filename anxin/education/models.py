"""Education, training and the staff evaluation (SPEC R-EDU-1, R-EDU-2, R-CMP-3; seed 二(五),
二(六)).

- an *activity*: 法治教育, 道德教育, 心理健康教育, 主题班会, 教职工专题培训, 法治副校长进校,
  家庭教育, 网络素养 — its audience (classes, staff, parents), date, presenter, materials and
  attendance (staff from the school's posts or by a check-in QR code; classes by class;
  parents by count);
- the county's settings: how many 主题班会 each class needs per term, and how many days a duty
  may run overdue before it bars 评优评先;
- a principal's override of the 评优评先 gate for one person and year, with the reason.

State changes only through ``anxin.education.services``.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope, ScopedManager, StoredFile

USER = "accounts.User"


class Kind(models.TextChoices):
    LAW = "law", _("法治教育")
    MORAL = "moral", _("道德教育")
    MENTAL = "mental", _("心理健康教育")
    CLASS_MEETING = "class_meeting", _("主题班会")
    STAFF_TRAINING = "staff_training", _("教职工专题培训")
    LEGAL_VISIT = "legal_visit", _("法治副校长或公检法司进校")
    FAMILY = "family", _("家庭教育")
    ONLINE = "online", _("网络素养教育")


# kinds that count as law education (the campaign's "法治教育/法治副校长进校")
LAW_KINDS = (Kind.LAW, Kind.LEGAL_VISIT)
# what a 法治副校长 may record: their own visits and law lessons
LEGAL_VP_KINDS = (Kind.LEGAL_VISIT, Kind.LAW)


class Law(models.TextChoices):
    MINORS = "minors", _("未成年人保护法")
    DELINQUENCY = "delinquency", _("预防未成年人犯罪法")
    OTHER = "other", _("其他法律法规")


class StaffLevel(models.TextChoices):
    LEADERS = "leaders", _("班子成员")
    MIDDLE = "middle", _("中层干部")
    ALL = "all", _("全体教职工")


@audited()
class EducationSetting(models.Model):
    """A county's settings for education and the evaluation."""

    county = models.OneToOneField(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    class_meetings_per_term = models.PositiveSmallIntegerField(
        _("每学期主题班会次数"), default=2, help_text=_("每个班每学期至少召开的防欺凌主题班会次数")
    )
    overdue_days = models.PositiveSmallIntegerField(
        _("逾期天数（评优评先）"),
        default=7,
        help_text=_("本人承办的事项逾期超过这一天数，当年评优评先显示为“暂不具备资格”"),
    )

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None, county_wide=True)

    class Meta:
        verbose_name = _("教育培训设置")
        verbose_name_plural = _("教育培训设置")

    def __str__(self) -> str:
        return str(self.county)


@audited(exclude=("created_at", "updated_at"))
class Activity(CountySchoolModel):
    """One education or training activity of a school."""

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        CLOSED = "closed", _("已结束")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("主题"), max_length=120)
    held_on = models.DateField(_("日期"))
    laws = models.JSONField(_("所学法律"), default=list, blank=True)
    staff_level = models.CharField(_("培训对象"), max_length=8, choices=StaffLevel.choices, blank=True)
    presenter = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("主讲人")
    )
    presenter_name = models.CharField(
        _("主讲人（校外）"), max_length=60, blank=True, help_text=_("公检法司等校外人员的姓名")
    )
    presenter_unit = models.CharField(_("主讲人单位"), max_length=80, blank=True)
    summary = models.TextField(_("内容摘要"), max_length=2000, blank=True)
    parents_count = models.PositiveIntegerField(_("参加家长人数"), default=0)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人"))

    # teachers (class-level posts) see their school's activities and check in to them
    scope = Scope(class_sees_school=True)

    class Meta:
        verbose_name = _("教育培训活动")
        verbose_name_plural = _("教育培训活动")
        ordering = ["school", "-held_on", "-id"]
        indexes = [
            models.Index(fields=["school", "kind", "held_on"], name="edu_activity_school_kind_idx"),
            models.Index(fields=["county", "-held_on"], name="edu_activity_county_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def presenter_label(self) -> str:
        if self.presenter_id:
            p = self.presenter
            name = p.real_name or p.username
            return f"{name}（{self.presenter_unit}）" if self.presenter_unit else name
        if self.presenter_name:
            return (
                f"{self.presenter_name}（{self.presenter_unit}）"
                if self.presenter_unit
                else self.presenter_name
            )
        return ""

    def get_laws_display(self) -> str:
        labels = dict(Law.choices)
        return "、".join(str(labels.get(c, c)) for c in self.laws or [])


@audited()
class ClassAttendance(CountySchoolModel):
    """A class that took part in an activity (classes attend by class)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="classes")
    klass = models.ForeignKey(
        "org.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("班级")
    )
    students = models.PositiveIntegerField(_("参加学生人数"), null=True, blank=True)

    policy_resource = "education.activity"
    scope = Scope(class_sees_school=True)

    class Meta:
        verbose_name = _("参加班级")
        verbose_name_plural = _("参加班级")
        ordering = ["activity", "klass__grade__year", "klass__name"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "klass"], name="edu_class_attendance_unique")
        ]
        indexes = [models.Index(fields=["klass", "activity"], name="edu_class_att_klass_idx")]


class CheckIn(models.TextChoices):
    ROSTER = "roster", _("按名单登记")
    QR = "qr", _("扫码签到")


@audited()
class StaffAttendance(CountySchoolModel):
    """A member of staff who attended (from the school's posts, or by scanning the QR code)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("教职工"))
    via = models.CharField(_("方式"), max_length=8, choices=CheckIn.choices, default=CheckIn.ROSTER)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("登记人")
    )

    policy_resource = "education.activity"
    scope = Scope(class_sees_school=True)

    class Meta:
        verbose_name = _("参加教职工")
        verbose_name_plural = _("参加教职工")
        ordering = ["activity", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "user"], name="edu_staff_attendance_unique")
        ]
        indexes = [models.Index(fields=["user", "activity"], name="edu_staff_att_user_idx")]


@audited(exclude=("created_at", "updated_at", "file"))
class Material(CountySchoolModel, StoredFile):
    """A file of an activity (课件, 签到表, 照片 …), kept encrypted like governance's files."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="materials")
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    policy_resource = "education.activity"
    scope = Scope(class_sees_school=True)

    class Meta:
        verbose_name = _("活动材料")
        verbose_name_plural = _("活动材料")
        ordering = ["activity", "id"]


@audited()
class EligibilityOverride(CountySchoolModel):
    """The principal's decision that a person is eligible for 评优评先 in a school year despite
    the lapses the platform found, with the reason (audited)."""

    staff = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("教职工"))
    year = models.PositiveSmallIntegerField(
        _("学年"), help_text=_("学年开始的年份，如 2026 即 2026—2027 学年")
    )
    reason = models.TextField(_("理由"), max_length=1000)
    lapses = models.JSONField(_("当时的问题"), default=list, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人"))

    class Meta:
        verbose_name = _("评优评先资格认定")
        verbose_name_plural = _("评优评先资格认定")
        ordering = ["school", "-year", "staff_id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "staff", "year"], name="edu_override_unique")
        ]
