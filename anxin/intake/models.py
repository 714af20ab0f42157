"""Reporting channels (SPEC §5, R-RPT-1…4; seed 二(四), 二(六)): anonymous two-way reports,
首问负责制 phone/e-mail/visit intake, staff concerns, triage, emergency help and the on-duty
roster.

One table holds every item that arrives for triage (``Report``), whatever its channel, so
nothing can sit in a side inbox (LAW 17); ``Concern`` is the same table seen through the staff
channels. A report's content is never edited, only annotated (``TriageEvent``); nothing is
deleted (LAW 8). Identities a reporter gives, the narrative and the messages are encrypted at
rest (LAW 20). No IP address, user agent or device id is stored with anything here.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.crypto import EncryptedTextField
from anxin.core.models import CountySchoolModel, ScopedManager, ScopedQuerySet
from anxin.intake.data import (
    BEHAVIOUR_SHORT,
    URGENCY_LEVEL_CLASS,
    Period,
    Place,
    Repeated,
    ReporterKind,
    Urgency,
)

# Content fields are logged as "changed" in the audit trail, never shown there.
CONTENT_FIELDS = ("text", "people", "contact", "place", "submission_key")
AUDIT_EXCLUDE = ("created_at", "updated_at", "creation_audited")


class Channel(models.TextChoices):
    """Where an item came from. The first two are anonymous reports with a follow-up code;
    phone, e-mail and visit are 首问负责制 intake recorded by the staff member who took it;
    the rest are staff concerns (R-RPT-3, interface ``raise_concern(source=…)``)."""

    FORM = "form", _("网页匿名举报")
    MINIAPP = "miniapp", _("小程序匿名举报")
    PHONE = "phone", _("电话反映（首问负责制）")
    EMAIL = "email", _("邮件反映（首问负责制）")
    VISIT = "visit", _("来访反映（首问负责制）")
    STAFF = "staff", _("教职工发现")
    MONITORING = "monitoring", _("视频监控值守发现苗头")
    PARENT_PHONE = "parent_phone", _("家长来电")
    PARENT_VISIT = "parent_visit", _("家长来访")
    POLICE = "police", _("公安机关通报")
    PUBLIC_OPINION = "public_opinion", _("舆情")


ANONYMOUS_CHANNELS = frozenset({Channel.FORM, Channel.MINIAPP})
INTAKE_CHANNELS = frozenset({Channel.PHONE, Channel.EMAIL, Channel.VISIT})
CONCERN_CHANNELS = frozenset(
    {
        Channel.STAFF,
        Channel.MONITORING,
        Channel.PARENT_PHONE,
        Channel.PARENT_VISIT,
        Channel.POLICE,
        Channel.PUBLIC_OPINION,
    }
)


class Status(models.TextChoices):
    NEW = "new", _("待受理")
    OPEN = "open", _("处理中")
    CASE = "case", _("已立案")
    MERGED = "merged", _("已合并")
    CLOSED = "closed", _("已办结")


# Statuses in which the item still waits for someone (the bureau's untriaged count uses NEW).
ACTIVE_STATUSES = (Status.NEW, Status.OPEN)


class CloseKind(models.TextChoices):
    """Why an item was closed without a case. Every kind needs a written reason (LAW 8)."""

    RESOLVED = "resolved", _("已妥善处理，无需立案")
    NOT_BULLYING = "not_bullying", _("经核实不属于欺凌（玩笑打闹或一般纠纷）")
    UNFOUNDED = "unfounded", _("查无实据")
    PRANK = "prank", _("恶作剧、虚假举报")
    OTHER = "other", _("其他")


UNFOUNDED_KINDS = frozenset({CloseKind.UNFOUNDED, CloseKind.PRANK})


COUNTY_INBOX_ACTION = "county_inbox"


class ReportQuerySet(ScopedQuerySet):
    def restrict(self, user, action: str = "view"):
        """A report handed up to the county (R-RPT-4) leaves every school's inbox and is read
        only through the county inbox right (``county_inbox``), by the bureau's safety staff."""
        if action in (COUNTY_INBOX_ACTION, f"intake.report.{COUNTY_INBOX_ACTION}"):
            return super().restrict(user, action).filter(at_county=True)
        return super().restrict(user, action).filter(at_county=False)

    def concerns(self):
        return self.filter(channel__in=CONCERN_CHANNELS)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)


class ReportManager(ScopedManager.from_queryset(ReportQuerySet)):
    pass


@audited(exclude=AUDIT_EXCLUDE, masked=CONTENT_FIELDS)
class Report(CountySchoolModel):
    """One item for triage: an anonymous report, a 首问负责制 intake or a staff concern.

    The reporter's content (``text``, ``people``, ``contact``, ``place``…) is written once at
    submission and never changed; triage state lives in its own fields and every triage act
    appends a ``TriageEvent``. ``created_at`` is when it was received."""

    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices)
    reporter_kind = models.CharField(_("反映人"), max_length=10, choices=ReporterKind.choices, blank=True)
    behaviours = models.JSONField(_("行为类型"), default=list, blank=True)
    text = EncryptedTextField(_("发生了什么"))
    place_kind = models.CharField(_("地点类别"), max_length=16, choices=Place.choices, blank=True)
    place = EncryptedTextField(_("地点"), blank=True)
    # one of the school's own places (its hazard-point list, R-SCR-5) when the reporter chose one
    spot = models.ForeignKey(
        "screening.HazardPoint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("学校地点"),
    )
    occurred_on = models.DateField(_("发生日期"), null=True, blank=True)
    occurred_period = models.CharField(_("发生时段"), max_length=10, choices=Period.choices, blank=True)
    repeated = models.CharField(_("是否反复发生"), max_length=10, choices=Repeated.choices, blank=True)
    # identities a reporter chooses to give: encrypted at rest (LAW 20)
    people = EncryptedTextField(_("涉及的人"), blank=True)
    contact = EncryptedTextField(_("反映人联系方式"), blank=True)
    # staff channels: the student concerned, who recorded it and who owns it (首问负责制)
    student = models.ForeignKey(
        "roster.Student",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关注的学生"),
    )
    raised_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    owner = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("负责人"),
    )
    flagged_from_type = models.CharField(_("来自记录类型"), max_length=64, blank=True)
    flagged_from_id = models.CharField(_("来自记录"), max_length=64, blank=True)
    # computed once from the text at submission: suggestions for triage, never a decision
    hint_words = models.JSONField(_("紧急提示词"), default=list, blank=True)
    # hash of the form's one-time token: a double submit stores one report, not two
    submission_key = models.CharField(max_length=64, null=True, blank=True, editable=False)

    # --- triage (annotations; the content above is never edited) --------------------------
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.NEW)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, blank=True)
    acknowledged_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("受理人"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="duplicates",
        verbose_name=_("合并到"),
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办结人"),
    )
    close_kind = models.CharField(_("办结类型"), max_length=16, choices=CloseKind.choices, blank=True)
    close_reason = models.TextField(_("办结理由"), blank=True)
    # the case opened from this item (cases.BullyingCase; a plain id keeps the apps decoupled)
    case_id = models.BigIntegerField(_("事件编号"), null=True, blank=True)
    awaiting_reply = models.BooleanField(_("举报人有新补充"), default=False)
    # handed up to the county (R-RPT-4): the reporter named no school of ours or the wrong one;
    # the bureau's safety staff hand it on to the right school from the county inbox
    at_county = models.BooleanField(_("在县级收件箱"), default=False)
    # False until the creation is in the audit chain: anonymous submissions are appended in
    # batches just after their commit (services.audit_new_reports), so a flood of reports to
    # one school does not queue every submission on that school's audit-stream lock
    creation_audited = models.BooleanField(default=True, editable=False)

    objects = ReportManager()

    class Meta:
        verbose_name = _("举报与关注")
        verbose_name_plural = _("举报与关注")
        ordering = ["-created_at", "-id"]
        constraints = [
            # one report per submitted form, even if the browser sends it twice
            models.UniqueConstraint(fields=["submission_key"], name="intake_report_submission_unique"),
        ]
        indexes = [
            # the triage inbox: a school's items by status, newest first
            models.Index(fields=["school", "status", "-created_at"], name="intake_report_inbox_idx"),
            # the bureau's page: untriaged items per school of a county, with their age
            models.Index(fields=["county", "status", "school"], name="intake_report_county_idx"),
            # the county inbox: the few items handed up to the county, newest first
            models.Index(
                fields=["county", "-created_at"],
                condition=models.Q(at_county=True),
                name="intake_report_county_inbox_idx",
            ),
            # the audit batch: submissions whose creation is not yet in the audit chain
            models.Index(
                fields=["school", "id"],
                condition=models.Q(creation_audited=False),
                name="intake_report_unaudited_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    @property
    def is_anonymous(self) -> bool:
        return self.channel in ANONYMOUS_CHANNELS

    @property
    def is_concern(self) -> bool:
        return self.channel in CONCERN_CHANNELS

    @property
    def behaviour_labels(self) -> list[str]:
        return [str(BEHAVIOUR_SHORT.get(b, b)) for b in self.behaviours or []]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def urgency_class(self) -> str:
        """CSS level class for the urgency badge (always shown with its word)."""
        return URGENCY_LEVEL_CLASS.get(self.urgency, "")


class ConcernManager(ReportManager):
    def get_queryset(self):
        return super().get_queryset().filter(channel__in=CONCERN_CHANNELS)


@audited(exclude=AUDIT_EXCLUDE, masked=CONTENT_FIELDS)
class Concern(Report):
    """A staff concern (R-RPT-3): the same row as a report, raised by a staff member from a
    student's page, from a monitoring duty log flagged 苗头, or on behalf of parents, the police
    or public opinion. ``text``, ``source`` and ``student`` read as the interface names them."""

    objects = ConcernManager()
    policy_resource = "intake.report"

    class Meta:
        proxy = True
        verbose_name = _("关注")
        verbose_name_plural = _("关注")

    @property
    def source(self) -> str:
        return self.channel


class FollowUpCode(CountySchoolModel):
    """The reporter's private follow-up code. Only a keyed hash is kept (HMAC-SHA256 with a
    server pepper): the code is shown once and cannot be recovered from the database.

    Not separately audited: it is written once, in the same transaction as its report, whose
    own audit entry records the submission; the hash would be the only payload."""

    report = models.OneToOneField(Report, on_delete=models.PROTECT, related_name="followup")
    code_hash = models.CharField(max_length=64, unique=True, editable=False)

    policy_resource = "intake.report"

    class Meta:
        verbose_name = _("跟进码")
        verbose_name_plural = _("跟进码")

    def __str__(self) -> str:
        return f"跟进码 #{self.pk}"


class Sender(models.TextChoices):
    REPORTER = "reporter", _("举报人")
    SCHOOL = "school", _("学校")


@audited(masked=("body",))
class ReportMessage(CountySchoolModel):
    """A message of the two-way thread: the school replies, the reporter adds information,
    both anonymously to each other (the reporter sees "学校", never a staff name)."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="messages")
    sender = models.CharField(_("发送方"), max_length=10, choices=Sender.choices)
    body = EncryptedTextField(_("内容"), blank=True)
    author = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回复人"),
    )

    policy_resource = "intake.report"

    class Meta:
        verbose_name = _("举报留言")
        verbose_name_plural = _("举报留言")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["report", "created_at"], name="intake_message_thread_idx")]

    def __str__(self) -> str:
        return f"{self.get_sender_display()} #{self.pk}"


def attachment_path(instance: ReportAttachment, filename: str) -> str:
    """A random name under the school's folder; the uploaded name is never kept (it may
    name the child)."""
    ext = filename.rsplit(".", 1)[-1] if "." in filename else "bin"
    return f"intake/{instance.school_id}/{uuid.uuid4().hex}.{ext}"


@audited()
class ReportAttachment(CountySchoolModel):
    """Evidence: an image (re-encoded without metadata) or a short video, type checked by
    its content. Served only through an access-checked, audited view."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("图片")
        VIDEO = "video", _("视频")

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="attachments")
    message = models.ForeignKey(
        ReportMessage, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(_("文件"), upload_to=attachment_path, max_length=200)
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    mime = models.CharField(_("格式"), max_length=40)
    size = models.PositiveIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)

    policy_resource = "intake.report"

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class EventKind(models.TextChoices):
    ACKNOWLEDGED = "acknowledged", _("受理")
    URGENCY = "urgency", _("设定紧急程度")
    LINKED = "linked", _("关联学生")
    MERGED = "merged", _("合并重复")
    MERGED_IN = "merged_in", _("并入重复举报")
    CLOSED = "closed", _("办结")
    REOPENED = "reopened", _("重新打开")
    REPLIED = "replied", _("回复举报人")
    REPORTER_MESSAGE = "reporter_message", _("举报人补充")
    CASE_OPENED = "case_opened", _("转为欺凌事件")
    HANDED_OVER = "handed_over", _("移交")
    NOTE = "note", _("备注")


@audited()
class TriageEvent(CountySchoolModel):
    """One annotation of a report, appended, never changed: who did what, when and why.
    History keeps both the closing and any reopening with their reasons (LAW 8)."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(_("动作"), max_length=20, choices=EventKind.choices)
    by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    text = models.TextField(_("说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    policy_resource = "intake.report"

    class Meta:
        verbose_name = _("受理记录")
        verbose_name_plural = _("受理记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.report_id}"


class StudentRole(models.TextChoices):
    """The roles cases use for parties (interface of open_case)."""

    VICTIM = "victim", _("疑似被欺凌学生")
    ALLEGED_BULLY = "alleged_bully", _("疑似欺凌学生")
    WITNESS = "witness", _("目击学生")
    BYSTANDER = "bystander", _("旁观学生")


@audited()
class ReportStudent(CountySchoolModel):
    """A student linked to a report at triage (the report's own text is not touched)."""

    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="linked_students")
    student = models.ForeignKey("roster.Student", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("身份"), max_length=16, choices=StudentRole.choices)
    linked_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    policy_resource = "intake.report"

    class Meta:
        verbose_name = _("关联学生")
        verbose_name_plural = _("关联学生")
        constraints = [
            models.UniqueConstraint(fields=["report", "student"], name="intake_report_student_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.report_id} {self.get_role_display()}"


@audited()
class DutyLeader(CountySchoolModel):
    """Who is the on-duty leader (值班领导) when: emergency help alerts them first. An entry
    without a weekday holds every day; a time span past midnight runs overnight."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("值班人员")
    )
    weekday = models.PositiveSmallIntegerField(
        _("星期"),
        null=True,
        blank=True,
        choices=[
            (i, n)
            for i, n in enumerate(
                [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")]
            )
        ],
        help_text=_("不选表示每天"),
    )
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    note = models.CharField(_("备注"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["school", "weekday", "starts_at"]
        indexes = [models.Index(fields=["school", "weekday"], name="intake_duty_school_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_weekday_display() or _('每天')} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"

    def covers(self, local: datetime) -> bool:
        """Is this entry on duty at the local (Asia/Shanghai) moment ``local``?"""
        t = local.time()
        if self.starts_at <= self.ends_at:
            return (
                self.weekday is None or self.weekday == local.weekday()
            ) and self.starts_at <= t <= self.ends_at
        # overnight: the evening part belongs to the weekday, the morning part to the next day
        if t >= self.starts_at:
            return self.weekday is None or self.weekday == local.weekday()
        if t <= self.ends_at:
            return self.weekday is None or self.weekday == (local.weekday() - 1) % 7
        return False


class EmergencyStatus(models.TextChoices):
    OPEN = "open", _("待响应")
    ACKNOWLEDGED = "acknowledged", _("已响应")


@audited()
class EmergencyRequest(CountySchoolModel):
    """紧急求救 (R-RPT-2; seed 二(六) 紧急求救机制): one tap, an optional place. The on-duty
    leaders are alerted at once; unacknowledged after the set minutes it escalates to the
    principal (level 1), then to the bureau's safety staff (level 2)."""

    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices, default=Channel.FORM)
    place = models.CharField(_("地点"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"), max_length=14, choices=EmergencyStatus.choices, default=EmergencyStatus.OPEN
    )
    level = models.PositiveSmallIntegerField(_("升级级别"), default=0)
    escalated_principal_at = models.DateTimeField(_("升级至校长时间"), null=True, blank=True)
    escalated_bureau_at = models.DateTimeField(_("升级至教体局时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("响应时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("响应人"),
    )
    ack_note = models.CharField(_("处置情况"), max_length=300, blank=True)
    # sent while its device (or the school's new devices) was over the emergency limit: still
    # stored and shown to the duty leader at once, but paged by SMS in a batch (issue 9)
    suspect = models.BooleanField(_("疑似恶意刷屏"), default=False)
    # hash of the status link's token: the person who asked can see that help is coming
    token_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        verbose_name = _("紧急求救")
        verbose_name_plural = _("紧急求救")
        ordering = ["-created_at", "-id"]
        indexes = [
            # the escalation sweep: open requests by age
            models.Index(fields=["status", "created_at"], name="intake_emergency_open_idx"),
            models.Index(fields=["school", "-created_at"], name="intake_emergency_school_idx"),
        ]

    def __str__(self) -> str:
        return f"紧急求救 #{self.pk}"
