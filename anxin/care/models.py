"""Care and intervention (R-CARE-1…5; seed 三 第二阶段, 二(六)): care plans for at-risk students,
the contacts made with them (谈心谈话, 家访, 心理辅导, 同学互助), intervention tasks when a contact
finds something wrong, confidential counselling sessions, and the class mechanisms of 二(六)
(师生联系, 同学互助, 家校互通). State changes only through ``anxin.care.services``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.care.cadence import Level
from anxin.core.audit import audited
from anxin.core.crypto import EncryptedTextField
from anxin.core.models import CountySchoolModel, Scope, ScopedManager

# Care data follows the student: a class teacher sees the records of the students now in
# their class, and a student who moves class takes their plan to the new class teacher.
STUDENT_SCOPE = Scope(county="county_id", school="school_id", klass="student__klass_id")


class Measure(models.TextChoices):
    TALK = "talk", _("谈心谈话")
    HOME_VISIT = "home_visit", _("家访")
    COUNSELLING = "counselling", _("心理辅导")
    PEER_HELP = "peer_help", _("同学互助")
    WATCH = "watch", _("重点盯防")


class ContactKind(models.TextChoices):
    TALK = "talk", _("谈心谈话")
    HOME_VISIT = "home_visit", _("家访")
    PHONE_VISIT = "phone_visit", _("电话家访")
    PARENT_MEETING = "parent_meeting", _("家长来校沟通")
    COUNSELLING = "counselling", _("心理辅导")
    PEER_HELP = "peer_help", _("同学互助")
    CHECKIN = "checkin", _("盯防回访")


# 家校互通: the kinds that count as a home-school contact for the per-class gaps.
HOME_KINDS = (ContactKind.HOME_VISIT, ContactKind.PHONE_VISIT, ContactKind.PARENT_MEETING)


@audited(exclude=("created_at", "updated_at", "last_contact_at", "next_due_on"))
class CarePlan(CountySchoolModel):
    """A care plan for one at-risk student (关爱帮扶), or a watch plan (重点盯防) for a student with
    a bullying tendency. ``last_contact_at`` and ``next_due_on`` are kept by the services so the
    overdue sweep and the lists are one indexed query."""

    class Kind(models.TextChoices):
        CARE = "care", _("关爱帮扶")
        WATCH = "watch", _("重点盯防")

    class Status(models.TextChoices):
        ACTIVE = "active", _("进行中")
        CLOSED = "closed", _("已结束")

    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="care_plans", verbose_name=_("学生")
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices, default=Kind.CARE)
    level = models.CharField(_("风险等级"), max_length=8, choices=Level.choices, default=Level.YELLOW)
    measures = models.JSONField(_("帮扶措施"), default=list, blank=True)
    reason = models.CharField(_("关爱原因"), max_length=200, blank=True)
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    cadence_days = models.PositiveSmallIntegerField(
        _("约定联系间隔（天）"), null=True, blank=True, help_text=_("留空则按风险等级的默认频次")
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("计划结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    close_note = models.CharField(_("结束说明"), max_length=300, blank=True)
    last_contact_at = models.DateTimeField(_("最近联系"), null=True, blank=True)
    next_due_on = models.DateField(_("下次应联系"), null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("建立人")
    )

    objects = ScopedManager()
    scope = STUDENT_SCOPE

    class Meta:
        verbose_name = _("关爱计划")
        verbose_name_plural = _("关爱计划")
        ordering = ["next_due_on", "id"]
        constraints = [
            # one running plan of each kind per student (a care plan and a watch plan may coexist)
            models.UniqueConstraint(
                fields=["student", "kind"],
                condition=models.Q(status="active"),
                name="careplan_one_active_per_kind",
            )
        ]
        indexes = [
            # the overdue sweep and the school list: active plans by due date
            models.Index(fields=["school", "status", "next_due_on"], name="careplan_school_due_idx"),
            models.Index(fields=["status", "next_due_on"], name="careplan_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}#{self.pk}"

    @property
    def measure_labels(self) -> list[str]:
        return [str(Measure(m).label) for m in self.measures if m in Measure.values]

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def overdue_days(self, today=None) -> int:
        """Days past the due date (0 when not overdue). Due on the day itself is not overdue."""
        from anxin.core import clock

        if not self.is_active or self.next_due_on is None:
            return 0
        today = today or clock.today()
        return max(0, (today - self.next_due_on).days)

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days() > 0

    @property
    def cadence(self) -> int | None:
        from anxin.care.cadence import plan_cadence

        return plan_cadence(self.level, self.kind, self.cadence_days)


@audited()
class ContactLog(CountySchoolModel):
    """One contact with a student or their family: who, when, how, summary, next step, and
    whether something wrong was found (R-CARE-2). Entries are not edited; a correction is a new
    entry. A counselling contact carries no content: its notes stay in the session."""

    plan = models.ForeignKey(
        CarePlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contacts",
        verbose_name=_("关爱计划"),
    )
    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="care_contacts", verbose_name=_("学生")
    )
    kind = models.CharField(_("方式"), max_length=16, choices=ContactKind.choices, default=ContactKind.TALK)
    staff = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("联系人")
    )
    occurred_at = models.DateTimeField(_("时间"))
    participants = models.CharField(_("对象"), max_length=100, blank=True, help_text=_("如：学生本人、母亲"))
    summary = models.TextField(_("情况摘要"), max_length=2000)
    next_step = models.CharField(_("下一步"), max_length=300, blank=True)
    anomaly = models.BooleanField(_("发现异常"), default=False)
    anomaly_note = models.TextField(_("异常情况"), max_length=1000, blank=True)
    session = models.OneToOneField(
        "care.CounsellingSession",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contact",
        verbose_name=_("心理辅导记录"),
    )

    objects = ScopedManager()
    scope = STUDENT_SCOPE

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # the plan timeline
            models.Index(fields=["plan", "-occurred_at"], name="contact_plan_time_idx"),
            # 家校互通 gaps: a student's home contacts since the start of term
            models.Index(fields=["student", "kind", "occurred_at"], name="contact_student_kind_idx"),
            models.Index(fields=["school", "-occurred_at"], name="contact_school_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}#{self.pk}"


@audited()
class InterventionTask(CountySchoolModel):
    """What must be done after a contact found something wrong (发现异常及时干预, R-CARE-2)."""

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        DOING = "doing", _("处理中")
        DONE = "done", _("已完成")

    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    plan = models.ForeignKey(
        CarePlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("关爱计划"),
    )
    source = models.ForeignKey(
        ContactLog,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("来源记录"),
    )
    title = models.CharField(_("任务"), max_length=120)
    detail = models.TextField(_("异常情况"), max_length=1000, blank=True)
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    due_on = models.DateField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    outcome = models.TextField(_("处理结果"), max_length=2000, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("完成人"),
    )

    objects = ScopedManager()
    scope = STUDENT_SCOPE

    class Meta:
        verbose_name = _("干预任务")
        verbose_name_plural = _("干预任务")
        ordering = ["status", "due_on", "id"]
        indexes = [
            # the school's open tasks by due date; the overdue sweep
            models.Index(fields=["school", "status", "due_on"], name="task_school_due_idx"),
            models.Index(fields=["owner", "status"], name="task_owner_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title}#{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status != self.Status.DONE

    @property
    def is_overdue(self) -> bool:
        from anxin.core import clock

        return self.is_open and self.due_on < clock.today()


@audited(masked=("notes",))
class CounsellingSession(CountySchoolModel):
    """A counselling session (心理辅导). The notes are encrypted at rest and read only by the
    school's counsellors and safety leader, each read audited (R-CARE-4; LAW 20); everyone
    else who may see the student's care sees that counselling happened, when and by whom."""

    class Form(models.TextChoices):
        INDIVIDUAL = "individual", _("个体辅导")
        GROUP = "group", _("团体辅导")
        CRISIS = "crisis", _("危机干预")
        FAMILY = "family", _("家庭辅导")

    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    plan = models.ForeignKey(
        CarePlan,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("关爱计划"),
    )
    counsellor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("心理教师")
    )
    held_at = models.DateTimeField(_("辅导时间"))
    form = models.CharField(_("形式"), max_length=12, choices=Form.choices, default=Form.INDIVIDUAL)
    duration_minutes = models.PositiveSmallIntegerField(_("时长（分钟）"), null=True, blank=True)
    notes = EncryptedTextField(_("辅导记录"), blank=True)
    next_on = models.DateField(_("下次辅导"), null=True, blank=True)

    objects = ScopedManager()
    scope = STUDENT_SCOPE

    class Meta:
        verbose_name = _("心理辅导")
        verbose_name_plural = _("心理辅导")
        ordering = ["-held_at", "-id"]
        indexes = [models.Index(fields=["school", "-held_at"], name="session_school_time_idx")]

    def __str__(self) -> str:
        return f"{self.get_form_display()}#{self.pk}"


@audited()
class PeerPair(CountySchoolModel):
    """同学互助: a classmate who looks out for a student (二(六) 同学互助)."""

    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("受助学生")
    )
    helper = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("互助同学")
    )
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("解除日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedManager()
    scope = STUDENT_SCOPE

    class Meta:
        verbose_name = _("同学互助结对")
        verbose_name_plural = _("同学互助结对")
        ordering = ["student", "started_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "helper"],
                condition=models.Q(ended_on__isnull=True),
                name="peerpair_active_unique",
            )
        ]

    def __str__(self) -> str:
        return f"PeerPair#{self.pk}"


@audited()
class ContactTeacher(CountySchoolModel):
    """师生联系: the teacher each student can turn to (二(六) 建立师生联系机制)."""

    student = models.ForeignKey(
        "roster.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("学生")
    )
    teacher = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("联系教师")
    )
    started_on = models.DateField(_("起"))
    ended_on = models.DateField(_("止"), null=True, blank=True)

    objects = ScopedManager()
    scope = STUDENT_SCOPE

    class Meta:
        verbose_name = _("师生联系")
        verbose_name_plural = _("师生联系")
        ordering = ["student", "-started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["student"],
                condition=models.Q(ended_on__isnull=True),
                name="contactteacher_one_active",
            )
        ]
        indexes = [models.Index(fields=["teacher", "ended_on"], name="contactteacher_teacher_idx")]

    def __str__(self) -> str:
        return f"ContactTeacher#{self.pk}"
