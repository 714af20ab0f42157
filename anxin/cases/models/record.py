"""The record gathered before a determination: guardians told (家校互通), 制止与初步处置, the
investigation with its statements and evidence files (R-CASE-2, R-CASE-3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.models.case import USER, BullyingCase, CaseChild, CaseParty
from anxin.core.audit import audited


class NoticeMethod(models.TextChoices):
    PHONE = "phone", _("电话")
    FACE = "face", _("当面")
    VISIT = "visit", _("家访")
    SMS = "sms", _("短信")
    WECHAT = "wechat", _("微信")
    LETTER = "letter", _("书面通知")


class NoticePurpose(models.TextChoices):
    INITIAL = "initial", _("家校互通（事发通知）")
    DETERMINATION = "determination", _("认定结果告知")
    PRIOR = "prior", _("严重教育惩戒事先告知")
    OUTCOME = "outcome", _("处理决定告知")


@audited(masked=("guardian_name",))
class GuardianNotice(CaseChild):
    """A guardian told (R-CASE-2, LAW 5, 10, 11): who told them, how, when, and whether they
    took part."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="notices")
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="notices", verbose_name=_("当事学生")
    )
    purpose = models.CharField(_("事项"), max_length=16, choices=NoticePurpose.choices)
    guardian = models.ForeignKey(
        "roster.Guardian",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("监护人"),
    )
    guardian_name = models.CharField(_("监护人（名册外）"), max_length=50, blank=True)
    notified_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("通知人")
    )
    method = models.CharField(_("方式"), max_length=10, choices=NoticeMethod.choices)
    notified_at = models.DateTimeField(_("通知时间"))
    participated = models.BooleanField(_("已参与处理"), default=False)
    participation = models.CharField(_("参与情况"), max_length=200, blank=True)
    measure = models.ForeignKey(
        "Measure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
        verbose_name=_("惩戒措施"),
    )

    class Meta:
        verbose_name = _("家长通知")
        verbose_name_plural = _("家长通知")
        ordering = ["case_id", "notified_at", "id"]


class ImmediateKind(models.TextChoices):
    STOP = "stop", _("当场制止")
    SEPARATE = "separate", _("隔离双方")
    MEDICAL = "medical", _("救治、送医")
    POLICE = "police", _("报警")
    EVIDENCE = "evidence", _("证据保全")
    COMFORT = "comfort", _("心理疏导、安抚")
    OTHER = "other", _("其他")


@audited()
class ImmediateMeasure(CaseChild):
    """What was done at once (R-CASE-2: 主动予以制止，并采取相应处置措施)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="immediate_measures")
    kind = models.CharField(_("措施"), max_length=10, choices=ImmediateKind.choices)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    taken_at = models.DateTimeField(_("时间"))
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("采取人"))

    class Meta:
        verbose_name = _("制止与初步处置")
        verbose_name_plural = _("制止与初步处置")
        ordering = ["case_id", "taken_at", "id"]


@audited()
class Investigation(CaseChild):
    """The investigation (R-CASE-3; LAW 6): the five facts the seed requires, due
    ``INVESTIGATION_DAYS`` after it starts."""

    case = models.OneToOneField(BullyingCase, on_delete=models.PROTECT, related_name="investigation")
    investigator = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("调查负责人")
    )
    started_at = models.DateTimeField(_("开始时间"))
    due_at = models.DateTimeField(_("调查时限"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    fact_time = models.TextField(_("时间"), blank=True)
    fact_place = models.TextField(_("地点"), blank=True)
    fact_cause = models.TextField(_("起因"), blank=True)
    fact_process = models.TextField(_("过程"), blank=True)
    fact_people = models.TextField(_("涉及人员"), blank=True)
    findings = models.TextField(_("调查结论"), blank=True)

    FACTS = ("fact_time", "fact_place", "fact_cause", "fact_process", "fact_people")

    class Meta:
        verbose_name = _("调查")
        verbose_name_plural = _("调查")
        indexes = [models.Index(fields=["finished_at", "due_at"], name="case_investigation_due_idx")]

    @property
    def missing_facts(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.FACTS if not getattr(self, f).strip()]


class SpeakerKind(models.TextChoices):
    PARTY = "party", _("当事学生")
    WITNESS = "witness", _("目击学生")
    STAFF = "staff", _("教职工")
    GUARDIAN = "guardian", _("家长")
    OTHER = "other", _("其他")


@audited(masked=("content",))
class Statement(CaseChild):
    """A statement taken in the investigation (R-CASE-3)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="statements")
    party = models.ForeignKey(
        CaseParty,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="statements",
        verbose_name=_("当事人"),
    )
    speaker_kind = models.CharField(_("陈述人类别"), max_length=10, choices=SpeakerKind.choices)
    speaker = models.CharField(_("陈述人说明"), max_length=60, blank=True)
    content = models.TextField(_("陈述内容"))
    taken_at = models.DateTimeField(_("询问时间"))
    taken_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))

    class Meta:
        verbose_name = _("询问笔录")
        verbose_name_plural = _("询问笔录")
        ordering = ["case_id", "taken_at", "id"]


def evidence_path(instance, filename: str) -> str:
    # No personal data in paths: the case id and a content hash only.
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"cases/{instance.case_id}/{instance.sha256[:32]}.{ext}"


@audited(exclude=("created_at", "updated_at", "file"))
class Evidence(CaseChild):
    """An evidence file, its type checked by content (R-Q-4)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("类型"), max_length=60)
    size = models.PositiveBigIntegerField(_("大小"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")
        ordering = ["case_id", "id"]
