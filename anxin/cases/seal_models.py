"""The seal of a case's record (LAW 24; PJDL Art 59 未成年人犯罪记录封存). Kept apart from
``models.py`` (imported there) so the sealing stays in :mod:`anxin.cases.sealing`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.core.audit import audited
from anxin.core.models import CountySchoolModel

USER = settings.AUTH_USER_MODEL


@audited(masked=("reason", "unseal_reason"))
class CaseSeal(CountySchoolModel):
    """One period during which a case is sealed: who sealed it, when and why, and — once it is
    lifted — who unsealed it, when and why. A case is sealed while a row without
    ``unsealed_at`` exists (one at a time); rows are never deleted."""

    policy_resource = "cases.bullyingcase"

    case = models.ForeignKey("cases.BullyingCase", on_delete=models.PROTECT, related_name="seals")
    sealed_at = models.DateTimeField(_("封存时间"))
    sealed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("封存人"))
    reason = models.TextField(_("封存理由"))
    unsealed_at = models.DateTimeField(_("解除封存时间"), null=True, blank=True)
    unsealed_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("解除封存人")
    )
    unseal_reason = models.TextField(_("解除封存理由"), blank=True)

    class Meta:
        verbose_name = _("案件封存")
        verbose_name_plural = _("案件封存")
        ordering = ["case_id", "-sealed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case"], condition=models.Q(unsealed_at__isnull=True), name="case_seal_one_active"
            ),
        ]
