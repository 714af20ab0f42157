"""The bureau's view of the reporting channels: counts and ages, never contents (R-RPT-4; LAW 19)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q

from anxin.core import clock
from anxin.intake.models import (
    EmergencyRequest,
    EmergencyStatus,
    Report,
    Status,
)


# --- the bureau's view: counts and ages, never contents (R-RPT-4; LAW 19) -------------------
@dataclass
class SchoolBacklog:
    school_id: int
    school_name: str
    new: int
    open: int
    oldest_new_at: datetime | None
    emergencies_open: int

    @property
    def oldest_age_hours(self) -> float | None:
        if self.oldest_new_at is None:
            return None
        return round((clock.now() - self.oldest_new_at).total_seconds() / 3600, 1)


def county_backlog(schools) -> list[SchoolBacklog]:
    """Per school: untriaged count and the age of the oldest, items in progress and open
    emergencies — three grouped queries, whatever the number of schools."""
    school_rows = list(schools.values("id", "name").order_by("town", "name"))
    ids = [s["id"] for s in school_rows]
    reports = {
        r["school_id"]: r
        for r in Report.objects.filter(school_id__in=ids, status__in=(Status.NEW, Status.OPEN))
        .values("school_id")
        .annotate(
            new=Count("id", filter=Q(status=Status.NEW)),
            open=Count("id", filter=Q(status=Status.OPEN)),
            oldest=Min("created_at", filter=Q(status=Status.NEW)),
        )
        .order_by()
    }
    emergencies = dict(
        EmergencyRequest.objects.filter(school_id__in=ids, status=EmergencyStatus.OPEN)
        .values("school_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("school_id", "n")
    )
    out = []
    for s in school_rows:
        r = reports.get(s["id"], {})
        out.append(
            SchoolBacklog(
                s["id"],
                s["name"],
                r.get("new", 0),
                r.get("open", 0),
                r.get("oldest"),
                emergencies.get(s["id"], 0),
            )
        )
    return out
