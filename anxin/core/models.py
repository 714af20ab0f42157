"""What every app shares: scoped base models and the append-only, hash-chained audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scope:
    """Where a model keeps its county, school and class keys (ORM paths).

    ``class_sees_school``: members scoped to a class may see the model's school-level rows
    (e.g. their school's own record); off by default so class scope never widens silently.

    ``county_wide``: county reference data without a school (e.g. the 弱势学生 categories): a
    member of the county at any level who holds the permission reads the county's rows.
    """

    county: str = "county_id"
    school: str | None = "school_id"
    klass: str | None = None
    class_sees_school: bool = False
    county_wide: bool = False


class ScopedQuerySet(models.QuerySet):
    """NetBox's RestrictedQuerySet: the one way to read school data."""

    def restrict(self, user, action: str = "view"):
        from anxin.core import policy

        q = policy.scope_q(user, self.model, action)
        if q is None:
            return self.none()
        qs = self.filter(q)
        if getattr(self.model, "scope", Scope()).school and "__" in (self.model.scope.school or ""):
            qs = qs.distinct()
        return qs


class ScopedManager(models.Manager.from_queryset(ScopedQuerySet)):
    pass


class CountySchoolModel(models.Model):
    """Base for every table with school data: it carries its county and school keys, so a
    province can shard by region (R-Q-2) and the policy can filter without joins."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    school = models.ForeignKey(
        "org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedManager()
    scope = Scope()

    class Meta:
        abstract = True


def keys_of(record) -> dict[str, int]:
    """A record's county and school keys, for the rows that go with it: an explicit join table's
    rows (``det.bullies.set(parties, through_defaults=keys_of(det))``) or its child rows."""
    return {"county_id": record.county_id, "school_id": record.school_id}


def stored_file_path(instance, filename: str) -> str:
    """Where a StoredFile lands: under its app and the month (``governance/2026/11/…``)."""
    from django.utils import timezone

    return f"{instance._meta.app_label}/{timezone.now():%Y/%m}/{filename}"


class StoredFile(models.Model):
    """A file kept encrypted (core.filecrypt), with the facts a download needs. Abstract: an app's
    model that holds a file inherits it (governance's evidence and documents, supervision's
    evidence, education's materials); storing and serving go through ``governance.files``."""

    file = models.FileField(_("文件"), upload_to=stored_file_path, max_length=200, blank=True)
    original_name = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("类型"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("大小"), default=0)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        abstract = True


class AuditStreamHead(models.Model):
    """The last link of one audit stream. Holding the head separately makes truncation and
    a forged last row detectable, and lets appends lock one small row per stream."""

    stream = models.CharField(max_length=80, primary_key=True)
    county_id = models.BigIntegerField(null=True)
    school_id = models.BigIntegerField(null=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="")
    # HMAC of (stream, seq, hash) with ANXIN_AUDIT_KEY, which the database never sees: a
    # database owner can rewrite rows and recompute hashes, but cannot sign the new head.
    mac = models.CharField(max_length=64, default="")

    class Meta:
        verbose_name = _("审计流")


class AuditCheckpoint(models.Model):
    """The database's copy of each signed checkpoint written outside it (``core.checkpoint``):
    a checkpoint recorded here but missing from the checkpoint files means their tail was cut."""

    n = models.PositiveBigIntegerField(primary_key=True)
    at = models.DateTimeField()
    mac = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计校验点")


class AuditEvent(models.Model):
    """One append-only entry of the audit trail (LAW 22). Each row holds the hash of the
    previous row of its own stream: one stream per school per day, one per county per day,
    so writes in different schools never wait on one global lock. A PostgreSQL trigger
    refuses UPDATE and DELETE (migration 0002); ``manage.py verify_audit`` checks the chain."""

    class Result(models.TextChoices):
        OK = "ok", _("成功")
        DENIED = "denied", _("拒绝")
        FAILED = "failed", _("失败")

    stream = models.CharField(max_length=80)
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField(_("时间"))
    county_id = models.BigIntegerField(null=True)
    school_id = models.BigIntegerField(null=True)
    actor_id = models.BigIntegerField(null=True)
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    role = models.CharField(_("角色"), max_length=200, blank=True)
    actor_scope = models.CharField(_("范围"), max_length=200, blank=True)
    action = models.CharField(_("动作"), max_length=64)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象"), max_length=64, blank=True)
    result = models.CharField(_("结果"), max_length=8, choices=Result.choices, default=Result.OK)
    request_id = models.CharField(_("请求编号"), max_length=36, blank=True)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id")

    class Meta:
        verbose_name = _("审计事件")
        verbose_name_plural = _("审计日志")
        constraints = [
            # One link per position in a stream; verify_audit walks streams by seq.
            models.UniqueConstraint(fields=["stream", "seq"], name="audit_stream_seq_unique"),
        ]
        indexes = [
            # The audit browser filters a county or a school by time, newest first.
            models.Index(fields=["county_id", "-at"], name="audit_county_at_idx"),
            models.Index(fields=["school_id", "-at"], name="audit_school_at_idx"),
            models.Index(fields=["actor_id", "-at"], name="audit_actor_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.stream}#{self.seq} {self.action}"


class Notification(models.Model):
    """An in-app notice to one user (reminders, escalations, alerts). ``dedupe_key`` makes
    sending idempotent: one notice per recipient per key."""

    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notifications")
    county_id = models.BigIntegerField(null=True)
    school_id = models.BigIntegerField(null=True)
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    dedupe_key = models.CharField(max_length=160, null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        constraints = [
            # idempotent sweeps: one notice per recipient per key
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="notification_dedupe_unique"),
        ]
        indexes = [
            models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One attempt-tracked send of a notice outside the platform (e-mail, SMS, a group robot):
    the delivery log. Sent by the task queue, retried with back-off, held back in quiet hours
    unless urgent. ``target`` is masked (138****0000, a robot's name): no personal data here."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")
        WECOM = "wecom", _("企业微信群机器人")
        DINGTALK = "dingtalk", _("钉钉群机器人")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    county_id = models.BigIntegerField(null=True)
    school_id = models.BigIntegerField(null=True)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    target = models.CharField(_("发送对象"), max_length=60)
    address = models.CharField(max_length=200, blank=True)  # the phone or e-mail itself; never shown
    title = models.CharField(_("标题"), max_length=120)
    urgent = models.BooleanField(_("紧急"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_try = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=200, blank=True)
    dedupe_key = models.CharField(max_length=180, null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id")

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["channel", "dedupe_key"], name="delivery_dedupe_unique"),
        ]
        indexes = [models.Index(fields=["status", "next_try"], name="delivery_due_idx")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.target}"


class RetentionMark(models.Model):
    """A record anonymised at the end of its retention period (LAW 24; ``core.retention``):
    the nightly run skips it next time. Purged rows and redacted audit entries need no mark."""

    record_class = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    county_id = models.BigIntegerField(null=True)
    done_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("保存期限处理记录")
        constraints = [
            models.UniqueConstraint(fields=["record_class", "object_id"], name="retention_mark_unique"),
        ]


class HomeVisit(models.Model):
    """When a user last looked at 工作台: what arrived after it is shown as new (新消息)."""

    user = models.OneToOneField("accounts.User", on_delete=models.CASCADE, primary_key=True, related_name="+")
    seen_at = models.DateTimeField(_("上次查看工作台"))

    class Meta:
        verbose_name = _("工作台查看时间")


class Chase(models.Model):
    """催办: a principal or the bureau pressed 催办 on an overdue duty of someone else. One
    chase per duty per day (``day`` in Asia/Shanghai); the owners are notified."""

    ref = models.CharField(_("事项"), max_length=120)
    kind = models.CharField(_("类别"), max_length=60)
    title = models.CharField(_("标题"), max_length=200)
    day = models.DateField(_("日期"))
    at = models.DateTimeField(_("催办时间"))
    by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("催办人")
    )
    county_id = models.BigIntegerField(null=True)
    school_id = models.BigIntegerField(null=True)
    recipients = models.JSONField(_("通知对象"), default=list)

    objects = ScopedManager()
    scope = Scope(county="county_id", school="school_id")

    class Meta:
        verbose_name = _("催办")
        verbose_name_plural = _("催办记录")
        ordering = ["-at", "-id"]
        constraints = [models.UniqueConstraint(fields=["ref", "day"], name="chase_once_a_day")]
        indexes = [models.Index(fields=["ref", "-at"], name="chase_ref_idx")]

    def __str__(self) -> str:
        return self.title
