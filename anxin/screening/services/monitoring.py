"""Monitoring on duty (R-SCR-6): the key-period duty roster and the duty logs; a log flagged as
a 苗头 becomes a concern for triage."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.screening.models import DutyLog, DutyShift
from anxin.screening.services._common import _check_staff, _require
from anxin.screening.services.risk_signals import safety_leaders

log = logging.getLogger("anxin.screening.services")


@transaction.atomic
def save_shift(*, by, school, data: Mapping[str, Any], shift: DutyShift | None = None) -> DutyShift:
    shift = shift or DutyShift(county_id=school.county_id, school_id=school.pk)
    _require(by, shift, "change")
    _check_staff(school.pk, data.get("person"), "person")
    days = "".join(sorted({d for d in str(data.get("weekdays", shift.weekdays) or "") if d in "1234567"}))
    if not days:
        raise ValidationError({"weekdays": _("请填写值守的星期（1–7）。")})
    for f in ("period", "start_time", "end_time", "zone", "person", "note", "active"):
        if f in data:
            setattr(shift, f, data[f])
    shift.weekdays = days
    if shift.start_time == shift.end_time:
        raise ValidationError({"end_time": _("结束时间不能与开始时间相同。")})
    if shift.zone_id and shift.zone.school_id != school.pk:
        raise ValidationError({"zone": _("区域不属于本校。")})
    shift.save()
    return shift


def _raise_concern(*, by, school, text: str, place: str, log_entry: DutyLog):
    """Hand a 苗头 to intake's triage inbox (``screening.hooks``); without intake, tell the
    safety leader directly."""
    from anxin.screening import hooks

    raise_concern = hooks.concern_sink()
    if raise_concern is not None:
        try:
            with transaction.atomic():
                return raise_concern(
                    by=by, school=school, text=text, source="monitoring", place=place, flagged_from=log_entry
                )
        except (ValidationError, PermissionDenied, TypeError) as exc:
            log.warning("raise_concern refused duty log %s: %s", log_entry.pk, type(exc).__name__)
    from anxin.core.notify import notify

    notify(
        safety_leaders(school.pk),
        kind="monitoring_sign",
        title=_("监控值守发现苗头，请及时处置"),
        body=_("值守记录第 %(id)s 号标记为苗头：%(text)s") % {"id": log_entry.pk, "text": text[:200]},
        url=reverse("screening:dutylog_list"),
        dedupe_key=f"monitoring_sign:{log_entry.pk}",
        school=school,
    )
    return None


@transaction.atomic
def log_duty(
    *,
    by,
    school,
    summary: str,
    is_sign: bool = False,
    place: str = "",
    zone=None,
    shift=None,
    at=None,
    checked: bool = False,
) -> DutyLog:
    """A duty log entry; one flagged 苗头 becomes a concern for triage (及时报告，及早处置).
    ``checked``: the caller has checked its own right (oversight's 监督岗, where a teacher on
    shift records through ``oversight.observation.change``)."""
    entry = DutyLog(county_id=school.county_id, school_id=school.pk)
    if not checked:
        _require(by, entry, "change")
    if not summary.strip():
        raise ValidationError({"summary": _("请填写值守情况。")})
    for obj, field in ((zone, "zone"), (shift, "shift")):
        if obj is not None and obj.school_id != school.pk:
            raise ValidationError({field: _("不属于本校。")})
    entry.summary, entry.is_sign, entry.place = summary.strip(), is_sign, place.strip()
    entry.zone, entry.shift, entry.logged_by = zone, shift, by
    entry.at = at or clock.now()
    entry.save()
    if is_sign:
        where = entry.place or (zone.name if zone else "")
        concern = _raise_concern(
            by=by,
            school=school,
            text=_("【监控值守发现苗头】%(s)s") % {"s": entry.summary},
            place=where,
            log_entry=entry,
        )
        if concern is not None and getattr(concern, "pk", None):
            entry.concern_id = concern.pk
            entry.save(update_fields=["concern_id", "updated_at"])
    return entry
