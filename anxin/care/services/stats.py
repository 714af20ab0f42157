"""Counts for the bureau (de-identified)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from anxin.care.cadence import Level
from anxin.care.models import (
    CarePlan,
    ContactLog,
    InterventionTask,
)
from anxin.core import clock

from .mechanisms import term_start

# --- counts for the bureau (de-identified) -------------------------------------------------------


def stats_by_school(user, today: dt.date | None = None) -> list[dict]:
    """Counts per school for the roles that see care only as numbers (GROUP BY in the database)."""
    today = today or clock.today()
    active = Q(status=CarePlan.Status.ACTIVE)
    plans = (
        CarePlan.objects.restrict(user, "care.careplan.stats")
        .values("school_id", "school__name")
        .annotate(
            active=Count("pk", filter=active),
            watch=Count("pk", filter=active & Q(kind=CarePlan.Kind.WATCH)),
            red=Count("pk", filter=active & Q(level=Level.RED)),
            orange=Count("pk", filter=active & Q(level=Level.ORANGE)),
            yellow=Count("pk", filter=active & Q(level=Level.YELLOW)),
            overdue=Count("pk", filter=active & Q(next_due_on__lt=today)),
            closed=Count("pk", filter=Q(status=CarePlan.Status.CLOSED)),
        )
        .order_by("school__name")
    )
    tasks = dict(
        InterventionTask.objects.restrict(user, "care.careplan.stats")
        .exclude(status=InterventionTask.Status.DONE)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    since = dt.datetime.combine(term_start(today), dt.time.min, tzinfo=clock.SHANGHAI)
    contacts = dict(
        ContactLog.objects.restrict(user, "care.careplan.stats")
        .filter(occurred_at__gte=since)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for row in plans:
        row["open_tasks"] = tasks.get(row["school_id"], 0)
        row["term_contacts"] = contacts.get(row["school_id"], 0)
        rows.append(row)
    return rows
