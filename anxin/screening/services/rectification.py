"""Problems and rectification (R-SCR-7)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core import clock
from anxin.screening.models import Rectification
from anxin.screening.services._common import _check_staff, _require

# --- problems and rectification (R-SCR-7) -------------------------------------------------------------

RECTIFICATION_FIELDS = (
    "found_on",
    "source",
    "problem",
    "measure",
    "owner",
    "due_date",
    "status",
    "evidence",
    "hazard",
)


@transaction.atomic
def save_rectification(
    *, by, school, data: Mapping[str, Any], item: Rectification | None = None
) -> Rectification:
    item = item or Rectification(county_id=school.county_id, school_id=school.pk)
    _require(by, item, "change")
    _check_staff(school.pk, data.get("owner"), "owner")
    hazard = data.get("hazard")
    if hazard is not None and hazard.school_id != school.pk:
        raise ValidationError({"hazard": _("隐患点不属于本校。")})
    for f in RECTIFICATION_FIELDS:
        if f in data:
            setattr(item, f, data[f])
    if item.status == Rectification.Status.DONE:
        if not (item.evidence or "").strip():
            raise ValidationError(
                {"evidence": _("标记完成须填写完成佐证（做了什么、效果如何、材料存放位置）。")}
            )
        item.done_on = item.done_on or clock.today()
    else:
        item.done_on = None
    item.full_clean(exclude=["county", "school"])
    item.save()
    return item
