"""The report to the police (LAW 7) and referrals to the legal vice-principal or a partner
liaison."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.models.case import USER, BullyingCase, CaseChild
from anxin.cases.models.handling import Measure
from anxin.core.audit import audited


@audited()
class PoliceReport(CaseChild):
    """The report to the police (LAW 7): receiving unit, time, outcome."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="police_reports")
    unit = models.CharField(_("接报单位"), max_length=80)
    reported_at = models.DateTimeField(_("报告时间"))
    method = models.CharField(_("报告方式"), max_length=40, blank=True)
    receipt_no = models.CharField(_("接报回执号"), max_length=60, blank=True)
    reported_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("报告人")
    )
    outcome = models.TextField(_("处理结果"), blank=True)
    outcome_at = models.DateTimeField(_("结果时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("向公安机关报告")
        verbose_name_plural = _("向公安机关报告")
        ordering = ["case_id", "reported_at"]


@audited()
class CaseReferral(CaseChild):
    """A case referred to a legal vice-principal or a police/procuratorate/court liaison
    (ROLES.md: they read only what is referred to them)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="referrals")
    to_user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("移交给"))
    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    purpose = models.CharField(_("移交事项"), max_length=200)
    referred_at = models.DateTimeField(_("移交时间"))
    referred_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("移交人")
    )
    received_at = models.DateTimeField(_("接收时间"), null=True, blank=True)
    outcome = models.TextField(_("处理结果"), blank=True)
    outcome_at = models.DateTimeField(_("结果时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("移交")
        verbose_name_plural = _("移交")
        ordering = ["case_id", "referred_at"]
        indexes = [models.Index(fields=["to_user", "case"], name="case_referral_user_idx")]
