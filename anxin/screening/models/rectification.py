"""Problems and rectification (R-SCR-7)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel, Scope
from anxin.screening.models.hazards import HazardPoint

# --- problems and rectification (R-SCR-7) -----------------------------------------------------------


@audited()
class Rectification(CountySchoolModel):
    """A problem found in the school's anti-bullying work and its rectification
    (查找问题、明确整改措施, seed 三 第一阶段), tracked to done with evidence."""

    class Source(models.TextChoices):
        SCREENING = "screening", _("排查摸底")
        SELF = "self", _("学校自查")
        INSPECTION = "inspection", _("督导检查")
        REPORT = "report", _("举报、家长反映")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        IN_PROGRESS = "in_progress", _("整改中")
        DONE = "done", _("已完成")

    found_on = models.DateField(_("发现日期"), default=timezone.localdate)
    source = models.CharField(_("来源"), max_length=12, choices=Source.choices, default=Source.SELF)
    problem = models.TextField(_("存在问题"), max_length=1000)
    measure = models.TextField(_("整改措施"), max_length=1000)
    owner = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("责任人")
    )
    due_date = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    evidence = models.TextField(_("完成佐证"), max_length=2000, blank=True)
    hazard = models.ForeignKey(
        HazardPoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("相关隐患点"),
    )

    scope = Scope()

    class Meta:
        verbose_name = _("问题整改")
        verbose_name_plural = _("问题整改台账")
        ordering = ["school", "status", "due_date", "id"]
        indexes = [models.Index(fields=["school", "status", "due_date"], name="scr_rectify_school_idx")]

    def __str__(self) -> str:
        return self.problem[:30]

    @property
    def overdue(self) -> bool:
        from anxin.core import clock

        return self.status != self.Status.DONE and self.due_date < clock.today()
