"""Reports to the county bureau (LAW 7; R-CASE-7): 首报, 续报, 终报, frozen once submitted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.models.case import USER, BullyingCase, CaseChild
from anxin.core.audit import audited
from anxin.core.crypto import EncryptedTextField


class ReportKind(models.TextChoices):
    FIRST = "first", _("首报")
    FOLLOW = "follow", _("续报")
    FINAL = "final", _("终报")


# The contents the seed requires (二(四)) and FORMATS.md adds, in document order.
REPORT_FIELDS: tuple[tuple[str, str], ...] = (
    ("occurred_text", "时间"),
    ("place", "地点"),
    ("cause", "起因"),
    ("process", "过程"),
    ("people", "涉及人员"),
    ("injuries", "伤情"),
    ("findings", "调查情况"),
    ("measures_taken", "已采取的措施"),
    ("next_steps", "下一步工作"),
    ("determination_text", "认定结果"),
    ("handling_text", "处理和惩戒情况"),
    ("aftercare_text", "心理辅导与回访"),
    ("rectification_text", "整改措施"),
    ("contact", "联系人及电话"),
)
ACK_FIELDS = frozenset({"acknowledged_at", "acknowledged_by", "ack_note", "updated_at"})


@audited(masked=("annex",))
class BureauReport(CaseChild):
    """A report to the county bureau (R-CASE-7; LAW 7): 首报, 续报 or 终报. Submitting freezes
    it; a change goes out as a 续报 whose ``diff`` shows what changed against the previous
    report. Names of students appear only in the annex (FORMATS.md)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="bureau_reports")
    kind = models.CharField(_("类别"), max_length=8, choices=ReportKind.choices)
    seq = models.PositiveSmallIntegerField(_("序号"), default=1)
    occurred_text = models.TextField(_("时间"), blank=True)
    place = models.CharField(_("地点"), max_length=200, blank=True)
    # the narrative is encrypted at rest like the case's (LAW 20); ``diff`` keeps sealed values
    cause = EncryptedTextField(_("起因"), blank=True)
    process = EncryptedTextField(_("过程"), blank=True)
    people = EncryptedTextField(
        _("涉及人员"), blank=True, help_text=_("按年级、班级、身份和人数写，不写姓名（姓名列入附件）")
    )
    injuries = EncryptedTextField(_("伤情"), blank=True)
    findings = EncryptedTextField(_("调查情况"), blank=True)
    measures_taken = EncryptedTextField(_("已采取的措施"), blank=True)
    next_steps = EncryptedTextField(_("下一步工作"), blank=True)
    determination_text = EncryptedTextField(_("认定结果"), blank=True)
    handling_text = EncryptedTextField(_("处理和惩戒情况"), blank=True)
    aftercare_text = EncryptedTextField(_("心理辅导与回访"), blank=True)
    rectification_text = EncryptedTextField(_("整改措施"), blank=True)
    contact = models.CharField(_("联系人及电话"), max_length=80, blank=True)
    # the typed 签发人 of reports drafted before sign-off in the system; read-only, shown for them
    signer = models.CharField(_("签发人（旧）"), max_length=30, blank=True, editable=False)
    # 签发: the principal, or the deputy the school designated (org.Duty.REPORT_SIGN), in the system
    signed_off_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("签发人")
    )
    signed_off_at = models.DateTimeField(_("签发时间"), null=True, blank=True)
    annex = models.JSONField(_("附件：涉及学生名单"), default=list, blank=True)
    previous = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    diff = models.JSONField(_("变化情况"), default=list, blank=True)
    drafted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("起草人"))
    submitted_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("报送人")
    )
    is_late = models.BooleanField(_("迟报"), default=False)
    acknowledged_at = models.DateTimeField(_("教体局签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("签收人")
    )
    ack_note = models.CharField(_("签收意见"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("向教体局报告")
        verbose_name_plural = _("向教体局报告")
        ordering = ["case_id", "id"]
        indexes = [
            # the bureau's inbox: submitted, not yet acknowledged
            models.Index(fields=["county", "acknowledged_at", "submitted_at"], name="case_report_inbox_idx"),
            # the bureau's scope (cases.permissions._reported_to_bureau): the county's cases with
            # a report sent, read from the index alone (not the 2,600 report rows of a county)
            models.Index(
                fields=["county", "case"],
                condition=models.Q(submitted_at__isnull=False),
                name="case_report_sent_idx",
            ),
        ]

    @property
    def diff_shown(self) -> list[dict]:
        """``diff`` with its sealed (encrypted) values opened, for the page, the API and the
        document."""
        from anxin.core.crypto import open_sealed

        return [
            {**d, "before": open_sealed(d.get("before")), "after": open_sealed(d.get("after"))}
            for d in self.diff or []
        ]

    @property
    def title_suffix(self) -> str:
        return report_title(self.kind, self.seq)

    @property
    def signer_name(self) -> str:
        """The 签发人 printed and shown: the person who signed off in the system; for reports
        sent before sign-off existed, the name typed then."""
        if self.signed_off_by_id:
            u = self.signed_off_by
            return u.real_name or u.username
        return self.signer if self.submitted_at else ""

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def save(self, *args, **kwargs):
        # Submitted reports are frozen (R-CASE-7): only the bureau's acknowledgement may follow.
        if self.pk and not self._state.adding:
            stored = (
                type(self)._base_manager.filter(pk=self.pk).values_list("submitted_at", flat=True).first()
            )
            fields = kwargs.get("update_fields")
            if stored is not None and (fields is None or not set(fields) <= ACK_FIELDS):
                raise ValidationError(_("已报送的报告不能修改；情况有变化请提交续报。"))
        super().save(*args, **kwargs)


def report_title(kind: str, seq: int) -> str:
    """首报 / 续报一 / 终报 (the label itself: get_kind_display() hashes every lazy choice label
    on each call)."""
    if kind == ReportKind.FOLLOW:
        return "续报" + _cn_number(seq)
    return str(ReportKind(kind).label)


def _cn_number(n: int) -> str:
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
