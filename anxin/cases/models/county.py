"""County data the case rules read: the holiday calendar (LAW 14) and the legal parameters
in force (R-Q-7)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.models.case import USER
from anxin.core import clock
from anxin.core.audit import audited
from anxin.core.models import Scope, ScopedManager


@audited()
class Holiday(models.Model):
    """A day of the working-day calendar (LAW 14): a public holiday, or a 调休 weekend day
    that is a working day (``is_workday``). Kept per county by the bureau's administrator;
    ``settings.ANXIN_CASES["HOLIDAYS"]`` adds dates for every county."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    date = models.DateField(_("日期"))
    name = models.CharField(_("名称"), max_length=30)
    is_workday = models.BooleanField(_("调休上班"), default=False)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["county", "date"], name="holiday_county_date_unique")]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


@audited()
class LegalParameterVersion(models.Model):
    """A version of a county's legal parameters (SPEC R-Q-7; ``anxin.cases.law.parameters``):
    the full set of values from ``effective_from`` on. Never edited: a change is a new version;
    a case keeps the version in force when it was opened (``BullyingCase.legal_params``)."""

    county = models.ForeignKey(
        "org.County", on_delete=models.PROTECT, related_name="+", verbose_name=_("县区")
    )
    effective_from = models.DateField(_("生效日期"))
    values = models.JSONField(_("参数值"), default=dict)
    reason = models.CharField(_("调整说明"), max_length=300)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("设置人"))
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    objects = ScopedManager()
    scope = Scope(county="county_id", school=None)

    class Meta:
        verbose_name = _("法定参数版本")
        verbose_name_plural = _("法定参数版本")
        ordering = ["county_id", "-effective_from", "-id"]
        indexes = [models.Index(fields=["county", "effective_from"], name="case_legalparams_idx")]

    def __str__(self) -> str:
        return f"{self.county_id}@{self.effective_from}"

    def save(self, *args, **kwargs):
        if self.pk and not self._state.adding:
            raise ValidationError(_("已保存的法定参数版本不能修改；请设置新的版本。"))
        super().save(*args, **kwargs)

    @classmethod
    def in_force(cls, county_id: int, on=None):
        """The county's version in force on ``on`` (today by default), or None."""
        day = on or clock.today()
        return (
            cls.objects.filter(county_id=county_id, effective_from__lte=day)
            .order_by("-effective_from", "-id")
            .first()
        )
