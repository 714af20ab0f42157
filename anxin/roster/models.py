"""Students, guardians and their placement history (R-ORG-6), and roster imports."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.crypto import EncryptedTextField, blind_index, blind_indexes, register_blind_index
from anxin.core.models import Scope, ScopedManager
from anxin.core.validators import mask_id

# Purpose string of the blind index of students' ID numbers (core.crypto.blind_index).
STUDENT_ID_PURPOSE = "student_id"
# Purpose string of the blind index of 全国学籍号 (it carries the ID number: encrypted at rest too).
STUDENT_NO_PURPOSE = "student_no"


class Sex(models.TextChoices):
    MALE = "1", _("男")
    FEMALE = "2", _("女")


class IdType(models.TextChoices):
    RESIDENT = "1", _("居民身份证")
    HK_MACAO = "2", _("港澳居民来往内地通行证")
    TAIWAN = "3", _("台湾居民来往大陆通行证")
    PASSPORT = "4", _("护照")
    HK_MACAO_RESIDENCE = "6", _("港澳台居民居住证")
    FOREIGN_PR = "7", _("外国人永久居留身份证")
    BIRTH_CERT = "8", _("出生证明")
    OTHER = "9", _("其他")
    NONE = "0", _("无")


class LeftBehind(models.TextChoices):
    NO = "0", _("非留守")
    SINGLE = "1", _("单亲留守")
    BOTH = "2", _("双亲留守")


class Attendance(models.TextChoices):
    DAY = "1", _("走读")
    BOARDING = "2", _("住校")


class StudentStatus(models.TextChoices):
    ENROLLED = "enrolled", _("在读")
    TRANSFERRED = "transferred", _("转出")
    GRADUATED = "graduated", _("毕业")


def _id_value(id_type: str, number: str) -> str | None:
    number = (number or "").strip().upper()
    if not number or id_type == IdType.NONE:
        return None
    return number if id_type == IdType.RESIDENT else f"{id_type}:{number}"


def id_index_for(id_type: str, number: str) -> str | None:
    """Blind index of (证件类型, 证件号): how a re-imported row is matched and how uniqueness in
    the county is enforced without decrypting (FORMATS.md). A 居民身份证 number is indexed by
    itself (upper-case X); other types carry the type, so equal numbers of different
    document types do not collide."""
    value = _id_value(id_type, number)
    return blind_index(value, STUDENT_ID_PURPOSE) if value else None


def id_indexes_for(id_type: str, number: str) -> list[str]:
    """:func:`id_index_for` under every configured field key (lookups during a key rotation)."""
    value = _id_value(id_type, number)
    return blind_indexes(value, STUDENT_ID_PURPOSE) if value else []


def normalize_student_no(value: str | None) -> str:
    """学籍号 as stored and indexed: no spaces, upper case."""
    return "".join((value or "").split()).upper()


def student_no_index_for(value: str | None) -> str | None:
    """Blind index of a 全国学籍号: how it is matched (re-import, 按学籍号查找) and kept unique
    in the county without decrypting."""
    value = normalize_student_no(value)
    return blind_index(value, STUDENT_NO_PURPOSE) if value else None


def student_no_indexes_for(value: str | None) -> list[str]:
    """:func:`student_no_index_for` under every configured field key (lookups during a key
    rotation find rows still indexed with the old key)."""
    value = normalize_student_no(value)
    return blind_indexes(value, STUDENT_NO_PURPOSE) if value else []


@audited(masked=("student_no", "student_no_index", "id_number", "health", "disability"))
class Student(models.Model):
    """A student. 学籍号 and 身份证件号 are unique within the county; the ID number and health
    data are encrypted at rest and reading them is audited (PIPL 28; LAW 20)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="students", verbose_name=_("学校")
    )
    klass = models.ForeignKey(
        "org.SchoolClass", on_delete=models.PROTECT, related_name="students", verbose_name=_("班级")
    )
    # G/J + the 18-digit ID number: encrypted like the ID number, matched by its blind index
    student_no = EncryptedTextField(_("全国学籍号"), null=True, blank=True)
    student_no_index = models.CharField(max_length=64, null=True, blank=True, editable=False)
    name = models.CharField(_("姓名"), max_length=50)
    sex = models.CharField(_("性别"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("出生日期"))
    ethnicity = models.CharField(_("民族"), max_length=2, blank=True, help_text=_("GB 3304 代码"))
    id_type = models.CharField(
        _("身份证件类型"), max_length=1, choices=IdType.choices, default=IdType.RESIDENT
    )
    id_number = EncryptedTextField(_("身份证件号"), blank=True)
    id_index = models.CharField(max_length=64, null=True, blank=True, editable=False)
    attendance = models.CharField(
        _("就读方式"), max_length=1, choices=Attendance.choices, default=Attendance.DAY
    )
    enrolled_month = models.CharField(_("入学年月"), max_length=6, blank=True)
    left_behind = models.CharField(
        _("留守儿童"), max_length=1, choices=LeftBehind.choices, default=LeftBehind.NO
    )
    migrant = models.BooleanField(_("进城务工人员随迁子女"), default=False)
    orphan = models.BooleanField(_("孤儿"), default=False)
    only_child = models.BooleanField(_("独生子女"), default=False)
    needs_aid = models.BooleanField(_("需要申请资助"), default=False)
    health = EncryptedTextField(_("健康状况"), blank=True)
    disability = EncryptedTextField(_("残疾人类型"), blank=True)
    address = models.CharField(_("现住址"), max_length=120, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    status = models.CharField(
        _("学籍状态"), max_length=12, choices=StudentStatus.choices, default=StudentStatus.ENROLLED
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id", klass="klass_id")

    class Meta:
        verbose_name = _("学生")
        verbose_name_plural = _("学生")
        ordering = ["klass_id", "name"]
        constraints = [
            # 学籍号 and ID numbers are unique in the county (FORMATS.md)
            models.UniqueConstraint(
                fields=["county", "student_no_index"], name="student_no_index_county_unique"
            ),
            models.UniqueConstraint(fields=["county", "id_index"], name="student_id_county_unique"),
        ]
        indexes = [
            # the class list and the class teacher's page
            models.Index(fields=["klass", "name"], name="student_class_name_idx"),
            # school lists filtered by status; re-import matching by (school, name, birth date)
            models.Index(fields=["school", "name", "birth_date"], name="student_school_name_idx"),
            # the enrolled per school and class (工作台's screening coverage; the county's in the
            # bureau's), read from the index alone, and joined to a round's records by id
            models.Index(
                fields=["school", "klass", "id"],
                condition=models.Q(status=StudentStatus.ENROLLED),
                name="student_enrolled_class_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # the blind indexes always follow the ID number and the 学籍号 (bulk writes in
        # roster.services and the demo loader set them too)
        self.id_index = id_index_for(self.id_type, self.id_number)
        self.student_no = normalize_student_no(self.student_no) or None
        self.student_no_index = student_no_index_for(self.student_no)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = set()
            if "id_number" in update_fields:
                extra.add("id_index")
            if "student_no" in update_fields:
                extra.add("student_no_index")
            if extra:
                kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)

    @property
    def id_masked(self) -> str:
        return mask_id(self.id_number)

    @property
    def student_no_masked(self) -> str:
        return mask_student_no(self.student_no)

    @property
    def is_boarding(self) -> bool:
        return self.attendance == Attendance.BOARDING


def mask_student_no(no: str | None) -> str:
    """学籍号 is the ID number behind a letter (G/J/L + 18 digits): lists show it masked."""
    no = no or ""
    return no[:1] + mask_id(no[1:]) if len(no) == 19 else mask_id(no)


# manage.py rotate_keys rebuilds these with the current key
register_blind_index("roster.student", "id_index", lambda s: id_index_for(s.id_type, s.id_number))
register_blind_index("roster.student", "student_no_index", lambda s: student_no_index_for(s.student_no))


@audited()
class Guardian(models.Model):
    """A guardian or family member of a student (成员1/成员2 of the national roster)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    student = models.ForeignKey(
        Student, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("学生")
    )
    name = models.CharField(_("姓名"), max_length=50)
    relation = models.CharField(_("关系"), max_length=20)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_guardian = models.BooleanField(_("是否监护人"), default=True)
    lives_with = models.BooleanField(_("与学生同住"), default=True)
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(_("序号"), default=1)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id", klass="student__klass_id")
    policy_resource = "roster.student"

    class Meta:
        verbose_name = _("监护人")
        verbose_name_plural = _("监护人")
        ordering = ["student", "position"]
        constraints = [
            models.UniqueConstraint(fields=["student", "position"], name="guardian_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.relation}）"


class Placement(models.Model):
    """Where a student was, and when: moving class or school closes one row and opens the
    next, so the history stays (R-ORG-6). Written only by roster.services."""

    county = models.ForeignKey("org.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    klass = models.ForeignKey(
        "org.SchoolClass", on_delete=models.PROTECT, related_name="+", verbose_name=_("班级")
    )
    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="placements")
    started_on = models.DateField(_("起"))
    ended_on = models.DateField(_("止"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=100, blank=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id", klass="klass_id")
    policy_resource = "roster.student"

    class Meta:
        verbose_name = _("就读经历")
        verbose_name_plural = _("就读经历")
        ordering = ["student", "started_on", "id"]


class RosterImport(models.Model):
    """One uploaded roster file: its validation report and what importing it did."""

    class Kind(models.TextChoices):
        STUDENTS = "students", _("学生及监护人")
        STAFF = "staff", _("教职工")

    class Status(models.TextChoices):
        VALIDATED = "validated", _("已校验")
        QUEUED = "queued", _("排队导入")
        DONE = "done", _("已导入")
        FAILED = "failed", _("导入失败")

    county = models.ForeignKey("org.County", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.STUDENTS)
    uploaded_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    filename = models.CharField(_("文件名"), max_length=200)
    sha256 = models.CharField(max_length=64)
    stored_path = models.CharField(max_length=300)
    create_classes = models.BooleanField(_("自动创建缺少的班级"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.VALIDATED)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    valid_rows = models.PositiveIntegerField(_("有效行数"), default=0)
    errors = models.JSONField(_("错误"), default=list)
    warnings = models.JSONField(_("提示"), default=list)
    only_valid = models.BooleanField(_("仅导入有效行"), default=False)
    result = models.JSONField(_("结果"), default=dict)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id")
    policy_resource = "roster.student"

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at"]


class StaffImport(RosterImport):
    """A staff list import (教职工) seen through its own permission, ``roster.staff.import``:
    the same rows as RosterImport with kind ``staff``."""

    policy_resource = "roster.staff"

    class Meta:
        proxy = True
        verbose_name = _("教职工导入")
        verbose_name_plural = _("教职工导入")
