"""Handling after a determination: measures (LAW 10–13, 15), applications to a special school
(LAW 16) and support actions (LAW 9)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.models.case import USER, BullyingCase, CaseChild, CaseParty
from anxin.core.audit import audited
from anxin.core.crypto import EncryptedTextField


class MeasureState(models.TextChoices):
    PROPOSED = "proposed", _("拟作出（待告知、陈述申辩）")
    EFFECTIVE = "effective", _("已生效")
    DONE = "done", _("已执行")
    REVOKED = "revoked", _("已撤销")


@audited()
class Measure(CaseChild):
    """A measure for one student, from the catalogue (R-CASE-5; LAW 10–13, 15). Art 10
    measures and sanctions stay 拟作出 until guardians were told in advance and the student's
    陈述申辩 (and a 听证 if requested) is recorded."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="measures")
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="measures", verbose_name=_("学生")
    )
    item_code = models.CharField(_("措施"), max_length=24)
    level = models.CharField(_("级别"), max_length=12)
    article = models.CharField(_("依据"), max_length=60)
    decider = models.CharField(_("决定主体"), max_length=10)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人"))
    decided_at = models.DateTimeField(_("决定时间"))
    description = models.CharField(_("具体内容"), max_length=300, blank=True)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("执行责任人")
    )
    owner_unit = models.CharField(_("执行单位"), max_length=80, blank=True)
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    suspension_days = models.PositiveSmallIntegerField(_("停课停学天数"), null=True, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=MeasureState.choices)
    defence_at = models.DateTimeField(_("陈述申辩时间"), null=True, blank=True)
    defence_record = models.TextField(_("陈述申辩记录"), blank=True)
    hearing_requested = models.BooleanField(_("申请听证"), default=False)
    hearing_at = models.DateTimeField(_("听证时间"), null=True, blank=True)
    hearing_record = models.TextField(_("听证记录"), blank=True)
    revoked_reason = models.TextField(_("撤销理由"), blank=True)

    class Meta:
        verbose_name = _("处置措施")
        verbose_name_plural = _("处置措施")
        ordering = ["case_id", "party_id", "id"]
        indexes = [models.Index(fields=["state", "due_on"], name="case_measure_due_idx")]

    @property
    def item(self):
        from anxin.cases.law.catalogue import item

        return item(self.item_code)

    @property
    def label(self) -> str:
        it = self.item
        return it.label if it else self.item_code


class ApplicationStatus(models.TextChoices):
    APPLIED = "applied", _("已申请，待教育行政部门决定")
    APPROVED = "approved", _("同意转入专门学校")
    REJECTED = "rejected", _("不同意")


@audited()
class SpecialSchoolApplication(CaseChild):
    """An application for 专门学校 (PJDL Arts 43–47; LAW 16): the school only applies; the
    bureau decides after the 专门教育指导委员会 assessment; the student's 学籍 stays."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="special_applications")
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="+", verbose_name=_("学生"))
    applied_at = models.DateTimeField(_("申请时间"))
    applied_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("申请人"))
    reasons = models.TextField(_("申请理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.APPLIED
    )
    assessment = models.TextField(_("专门教育指导委员会评估意见"), blank=True)
    assessed_on = models.DateField(_("评估日期"), null=True, blank=True)
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    decision_no = models.CharField(_("决定文号"), max_length=60, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )
    decision_note = models.TextField(_("决定说明"), blank=True)

    class Meta:
        verbose_name = _("专门学校申请")
        verbose_name_plural = _("专门学校申请")
        ordering = ["case_id", "id"]


class SupportKind(models.TextChoices):
    VICTIM_COUNSELLING = "victim_counselling", _("被欺凌学生心理辅导")
    BULLY_COUNSELLING = "bully_counselling", _("实施欺凌学生心理辅导")
    SUPERVISION_PLAN = "supervision_plan", _("实施欺凌学生加强管教（监督计划）")
    FAMILY_GUIDANCE = "family_guidance", _("家庭教育指导")


COUNSELLING_KINDS = (SupportKind.VICTIM_COUNSELLING, SupportKind.BULLY_COUNSELLING)


@audited(masked=("notes",))
class SupportAction(CaseChild):
    """A support obligation of any bullying (R-CASE-6; UPL 39; LAW 9), planned when bullying
    is found and done later. Counselling notes are encrypted (LAW 20) and shown only to the
    counsellor and the safety leader."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="support_actions")
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="support_actions", verbose_name=_("学生")
    )
    kind = models.CharField(_("事项"), max_length=20, choices=SupportKind.choices)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("负责人")
    )
    due_on = models.DateField(_("完成期限"), null=True, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    provider = models.CharField(_("实施人"), max_length=60, blank=True)
    summary = models.CharField(_("概况"), max_length=300, blank=True)
    notes = EncryptedTextField(_("辅导记录"), blank=True)
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("辅导与教育指导")
        verbose_name_plural = _("辅导与教育指导")
        ordering = ["case_id", "party_id", "kind", "id"]
