"""Hazard points and their measures (R-SCR-5); monitoring zones and cameras."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.core.models import keys_of
from anxin.screening.models import Camera, HazardMeasure, HazardPoint, MonitoringZone
from anxin.screening.services._common import _check_staff, _require

# --- hazard points, cameras, duty (R-SCR-5, R-SCR-6) -------------------------------------------------

HAZARD_FIELDS = (
    "name",
    "location",
    "kind",
    "time_windows",
    "risk",
    "description",
    "found_on",
    "owner",
    "due_date",
    "status",
    "listed_for_reporters",
)


@transaction.atomic
def save_hazard(*, by, school, data: Mapping[str, Any], hazard: HazardPoint | None = None) -> HazardPoint:
    hazard = hazard or HazardPoint(county_id=school.county_id, school_id=school.pk)
    _require(by, hazard, "change")
    _check_staff(school.pk, data.get("owner"), "owner")
    for f in HAZARD_FIELDS:
        if f in data:
            setattr(hazard, f, data[f])
    if hazard.status != HazardPoint.Status.ELIMINATED and hazard.owner_id is None:
        raise ValidationError({"owner": _("每个隐患点须明确责任人。")})
    hazard.full_clean(exclude=["county", "school"])
    hazard.save()
    return hazard


@transaction.atomic
def add_measure(
    *,
    by,
    hazard: HazardPoint,
    type: str,
    description: str,
    owner=None,  # noqa: A002
    due_date: dt.date | None = None,
) -> HazardMeasure:
    probe = HazardMeasure(county_id=hazard.county_id, school_id=hazard.school_id, hazard=hazard)
    _require(by, probe, "change")
    _check_staff(hazard.school_id, owner, "owner")
    if not description.strip():
        raise ValidationError({"description": _("请填写措施内容。")})
    m = HazardMeasure(
        county_id=hazard.county_id,
        school_id=hazard.school_id,
        hazard=hazard,
        type=type,
        description=description.strip(),
        owner=owner,
        due_date=due_date,
    )
    m.full_clean(exclude=["county", "school", "hazard"])
    m.save()
    return m


@transaction.atomic
def complete_measure(*, by, measure: HazardMeasure, done_on: dt.date | None = None) -> HazardMeasure:
    _require(by, measure, "change")
    measure.done_on = done_on or clock.today()
    measure.save(update_fields=["done_on", "updated_at"])
    return measure


@transaction.atomic
def add_zone(*, by, school, name: str, description: str = "") -> MonitoringZone:
    probe = MonitoringZone(county_id=school.county_id, school_id=school.pk)
    _require(by, probe, "change")
    if not name.strip():
        raise ValidationError({"name": _("请填写区域名称。")})
    if MonitoringZone.objects.filter(school=school, name=name.strip()).exists():
        raise ValidationError({"name": _("区域名称已存在。")})
    return MonitoringZone.objects.create(
        county_id=school.county_id, school=school, name=name.strip(), description=description.strip()
    )


@transaction.atomic
def save_camera(*, by, school, data: Mapping[str, Any], camera: Camera | None = None) -> Camera:
    camera = camera or Camera(county_id=school.county_id, school_id=school.pk)
    _require(by, camera, "change")
    zone = data.get("zone")
    if zone is not None and zone.school_id != school.pk:
        raise ValidationError({"zone": _("区域不属于本校。")})
    covers = list(data.get("covers") or [])
    if any(h.school_id != school.pk for h in covers):
        raise ValidationError({"covers": _("隐患点不属于本校。")})
    for f in ("name", "zone", "location", "working"):
        if f in data:
            setattr(camera, f, data[f])
    if not (camera.name or "").strip():
        raise ValidationError({"name": _("请填写摄像头名称或编号。")})
    camera.save()
    if "covers" in data:
        camera.covers.set(covers, through_defaults=keys_of(camera))
    return camera
