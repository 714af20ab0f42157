"""Risk (R-SCR-4): the signals the engine reads, each student's current level and its history.
The rules table is ``anxin.screening.risk_rules``."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.models import CountySchoolModel, Scope
from anxin.screening import risk_rules


class Level(models.TextChoices):
    """Risk level, one colour scale everywhere (GUIDE: always with the word)."""

    RED = risk_rules.RED, _("红")
    ORANGE = risk_rules.ORANGE, _("橙")
    YELLOW = risk_rules.YELLOW, _("黄")
    GREEN = risk_rules.GREEN, _("绿")


# --- risk (R-SCR-4) --------------------------------------------------------------------------------


class RiskSignal(CountySchoolModel):
    """An input to the risk engine from another app: involvement in a case, being named in a
    report or concern, a 苗头 seen on monitoring, an anomaly found in care. One row per
    (student, kind, source object); ``place`` feeds the hotspot view. Machine-written."""

    class Kind(models.TextChoices):
        CASE_VICTIM = "case_victim", _("事件中受欺凌学生")
        CASE_BULLY = "case_bully", _("事件中涉嫌欺凌学生")
        CASE_PARTY = "case_party", _("事件中其他当事人")
        CONFIRMED_VICTIM = "confirmed_victim", _("认定遭受欺凌")
        CONFIRMED_BULLY = "confirmed_bully", _("认定实施欺凌")
        NAMED_REPORT = "named_report", _("举报中被提及")
        NAMED_CONCERN = "named_concern", _("关注线索中被提及")
        MONITORING_SIGN = "monitoring_sign", _("监控发现苗头")
        CARE_ANOMALY = "care_anomaly", _("关爱中发现异常")

    student = models.ForeignKey("roster.Student", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    source_type = models.CharField(max_length=40)
    source_id = models.CharField(max_length=40)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    place = models.CharField(_("地点"), max_length=100, blank=True)

    scope = Scope(klass="student__klass_id")
    policy_resource = "screening.riskstate"

    class Meta:
        verbose_name = _("风险信号")
        constraints = [
            models.UniqueConstraint(
                fields=["student", "kind", "source_type", "source_id"], name="risk_signal_once"
            )
        ]
        indexes = [
            models.Index(fields=["student", "at"], name="scr_signal_student_idx"),
            models.Index(fields=["school", "at"], name="scr_signal_school_idx"),
        ]


class RiskState(CountySchoolModel):
    """A student's current risk level with every reason (R-SCR-4). Derived data, rewritten
    by the engine only when it changes; the history is :class:`RiskAssessment`."""

    student = models.OneToOneField(
        "roster.Student", on_delete=models.CASCADE, related_name="risk_state", verbose_name=_("学生")
    )
    level = models.CharField(_("风险等级"), max_length=6, choices=Level.choices, default=Level.GREEN)
    points = models.PositiveSmallIntegerField(_("分值"), default=0)
    reasons = models.JSONField(_("原因"), default=list)
    changed_at = models.DateTimeField(_("变化时间"), default=timezone.now)

    scope = Scope(klass="student__klass_id")

    class Meta:
        verbose_name = _("风险等级")
        verbose_name_plural = _("风险等级")
        ordering = ["school", "student"]
        indexes = [
            # school lists by level; county counts by school and level
            models.Index(fields=["school", "level"], name="scr_risk_school_level_idx"),
        ]


class RiskAssessment(CountySchoolModel):
    """One change of a student's level or reasons (history; written only on change)."""

    student = models.ForeignKey(
        "roster.Student", on_delete=models.CASCADE, related_name="+", verbose_name=_("学生")
    )
    level = models.CharField(_("风险等级"), max_length=6, choices=Level.choices)
    previous_level = models.CharField(_("原等级"), max_length=6, choices=Level.choices, blank=True)
    points = models.PositiveSmallIntegerField(_("分值"), default=0)
    reasons = models.JSONField(_("原因"), default=list)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    scope = Scope(klass="student__klass_id")
    policy_resource = "screening.riskstate"

    class Meta:
        verbose_name = _("风险评估记录")
        verbose_name_plural = _("风险评估记录")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["student", "-at"], name="scr_assess_student_idx"),
            # "who changed level this week" per school
            models.Index(fields=["school", "-at"], name="scr_assess_school_idx"),
        ]
