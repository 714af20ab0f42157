"""The case's hash-chained timeline (R-CASE-10; LAW 8): append-only events."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from anxin.cases.models.case import BullyingCase
from anxin.core.models import Scope, ScopedManager


class CaseEvent(models.Model):
    """One link of a case's timeline (R-CASE-10; LAW 8; GUIDE principle 3): append-only,
    each row holding the hash of the previous row of the same case. Corrections point at
    what they correct. On PostgreSQL a trigger refuses UPDATE and DELETE (migration 0002);
    ``manage.py verify_audit`` walks every case's chain (``anxin.cases.verify``)."""

    case = models.ForeignKey(BullyingCase, on_delete=models.PROTECT, related_name="events")
    county_id = models.BigIntegerField()
    school_id = models.BigIntegerField()
    seq = models.PositiveIntegerField()
    at = models.DateTimeField(_("时间"))
    actor_id = models.BigIntegerField(null=True)
    actor = models.CharField(_("操作人"), max_length=150, blank=True)
    kind = models.CharField(_("事项"), max_length=40)
    summary = models.CharField(_("内容"), max_length=300)
    data = models.JSONField(default=dict, blank=True)
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = ScopedManager()
    scope = Scope()
    policy_resource = "cases.bullyingcase"

    class Meta:
        verbose_name = _("案件时间线")
        verbose_name_plural = _("案件时间线")
        ordering = ["case_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_event_seq_unique")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.kind}"
