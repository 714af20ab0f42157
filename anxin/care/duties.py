"""Care's duties on 工作台 (anxin.core.duties).

- ``care.contact_due``: an active care plan's next contact (by its cadence) falls due within
  the week or is overdue — owed by the plan's owner; school leaders also see the overdue ones;
- ``care.task``: an open intervention task (干预任务), owed by its owner by its due date.

The risk → care plan proposals live in ``anxin/care/risk_duties.py`` (another module).
Each provider runs one query whatever the number of duties.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.care.models import CarePlan, InterventionTask
from anxin.core import clock, duties, policy, sqlcache

# what a duty row shows of its school, student and owner (``only()``: the rest is not loaded)
_PEOPLE = (
    "school_id",
    "owner_id",
    "student__id",
    "student__name",
    "owner__id",
    "owner__real_name",
    "owner__username",
)


def _mine_or_overdue(user, field: str, overdue_before: tuple) -> Q:
    """The user's own rows, and (``overdue_before``: today, for those who oversee) every one
    overdue in the user's scope."""
    q = Q(owner=user)
    if overdue_before:
        q |= Q(**{f"{field}__lt": overdue_before[0]})
    return q


def _overdue_before(user, today) -> tuple:
    return (today,) if duties.oversees(user) else ()


@duties.provider("care.contact_due")
def contacts_due(user, now):
    if not policy.can(user, "care.careplan.view"):
        return
    today = clock.local_date(now)
    horizon = today + dt.timedelta(days=duties.DUE_SOON_DAYS)

    def build(horizon, *overdue_before):
        return (
            CarePlan.objects.restrict(user, "view")
            .filter(status=CarePlan.Status.ACTIVE, next_due_on__isnull=False, next_due_on__lte=horizon)
            .filter(_mine_or_overdue(user, "next_due_on", overdue_before))
            .select_related("student", "owner")
            .only("id", "kind", "level", "next_due_on", *_PEOPLE)
            .order_by("next_due_on", "id")
        )

    key = ("care.contact_due", *sqlcache.reader_key(user))
    for p in sqlcache.rows(key, build, horizon, *_overdue_before(user, today)):
        yield duties.Duty(
            kind="care.contact_due",
            title=_("联系 %(name)s") % {"name": p.student.name},
            detail=_("%(kind)s · 按约定频次应联系") % {"kind": p.get_kind_display()},
            url=reverse("care:plan_log", args=[p.pk]),
            owner=str(p.owner),
            owner_ids=(p.owner_id,),
            due=p.next_due_on,
            ref=f"care.careplan:{p.pk}",
            school_id=p.school_id,
            action=_("记一次联系"),
        )


@duties.provider("care.task")
def tasks(user, now):
    if not policy.can(user, "care.interventiontask.view"):
        return

    def build(*overdue_before):
        return (
            InterventionTask.objects.restrict(user, "view")
            .exclude(status=InterventionTask.Status.DONE)
            .filter(_mine_or_overdue(user, "due_on", overdue_before))
            .select_related("student", "owner")
            .only("id", "title", "due_on", *_PEOPLE)
            .order_by("due_on", "id")
        )

    key = ("care.task", *sqlcache.reader_key(user))
    for t in sqlcache.rows(key, build, *_overdue_before(user, clock.local_date(now))):
        yield duties.Duty(
            kind="care.task",
            title=_("干预任务：%(title)s") % {"title": t.title},
            detail=t.student.name,
            url=reverse("care:task_detail", args=[t.pk]),
            owner=str(t.owner),
            owner_ids=(t.owner_id,),
            due=t.due_on,
            ref=f"care.interventiontask:{t.pk}",
            school_id=t.school_id,
            action=_("去处理"),
        )


# the risk → care plan proposals are kept in their own module; discovered with this one
from importlib import import_module  # noqa: E402

try:
    import_module("anxin.care.risk_duties")
except ModuleNotFoundError as exc:  # not there yet
    if exc.name != "anxin.care.risk_duties":
        raise
