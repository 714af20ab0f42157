"""Appeals and reviews (LAW 14), follow-ups (R-CASE-9) and human notes on a case."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.models.case import USER, BullyingCase, CaseChild, CaseParty
from anxin.cases.models.determination import Determination
from anxin.cases.models.handling import Measure
from anxin.core.audit import audited


class AppealKind(models.TextChoices):
    SCHOOL_APPEAL = "school_appeal", _("申诉（学校学生申诉委员会）")
    AUTHORITY_REVIEW = "authority_review", _("复核（教育行政部门，惩戒规则第十八条）")
    COUNTY_REVIEW = "county_review", _("复查（县防治学生欺凌工作部门）")
    CITY_REVIEW = "city_review", _("复核（市级）")


class AppealOutcome(models.TextChoices):
    UPHELD = "upheld", _("维持")
    CHANGED = "changed", _("变更")
    REVOKED = "revoked", _("撤销")


@audited()
class Appeal(CaseChild):
    """An appeal or review (R-CASE-8; LAW 14). An outcome that changes the determination is
    a new :class:`Determination`, never an edit."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField(_("类别"), max_length=16, choices=AppealKind.choices)
    party = models.ForeignKey(CaseParty, on_delete=models.PROTECT, related_name="+", verbose_name=_("学生"))
    appellant = models.CharField(_("申请人"), max_length=60, help_text=_("学生本人或其监护人"))
    filed_on = models.DateField(_("申请日期"))
    notified_on = models.DateField(_("决定告知日期"))
    window_ends = models.DateField(_("申请期限"))
    due_on = models.DateField(_("决定期限"), null=True, blank=True)
    measure = models.ForeignKey(
        Measure,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申诉的措施"),
    )
    determination = models.ForeignKey(
        Determination,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申请复查的认定"),
    )
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    grounds = models.TextField(_("理由"))
    recorded_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人")
    )
    decided_on = models.DateField(_("决定日期"), null=True, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=AppealOutcome.choices, blank=True)
    outcome_text = models.TextField(_("决定内容"), blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("记录人")
    )

    class Meta:
        verbose_name = _("申诉与复查")
        verbose_name_plural = _("申诉与复查")
        ordering = ["case_id", "filed_on", "id"]

    @property
    def is_pending(self) -> bool:
        return not self.outcome


class FollowUpOutcome(models.TextChoices):
    STABLE = "stable", _("情况稳定")
    WATCH = "watch", _("仍需关注")
    REPEAT = "repeat", _("发现再次欺凌")


@audited()
class FollowUp(CaseChild):
    """A scheduled check-in (回访, R-CASE-9) with the bullied student or the bully."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="follow_ups")
    party = models.ForeignKey(
        CaseParty, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("学生")
    )
    week = models.PositiveSmallIntegerField(_("第几周"))
    due_on = models.DateField(_("回访日期"))
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("负责人")
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("回访人")
    )
    outcome = models.CharField(_("情况"), max_length=8, choices=FollowUpOutcome.choices, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["case_id", "due_on", "party_id", "id"]
        indexes = [models.Index(fields=["done_at", "due_on"], name="case_followup_due_idx")]


@audited(masked=("text",))
class CaseNote(CaseChild):
    """A human note on a case, kept apart from the machine timeline (GUIDE conventions)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("记录人"))
    text = models.TextField(_("备注"))

    class Meta:
        verbose_name = _("备注")
        verbose_name_plural = _("备注")
        ordering = ["case_id", "id"]
