"""The overdue sweep (R-CARE-1): plans synced, overdue contacts flagged, owners and class teachers
told.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.care.models import (
    CarePlan,
    InterventionTask,
)
from anxin.core import clock
from anxin.core.notify import notify
from anxin.core.roles import Role

from .common import elevated, screening_levels
from .contacts import _task_url
from .plans import next_due

# --- the overdue sweep (R-CARE-1) ------------------------------------------------------------------


def sync_plans(batch: int = 2000) -> int:
    """Bring running plans up to date: the risk engine's current level when it is raised above
    绿 (an audited change; see :func:`elevated`) and the due date under the current cadence
    table (settings may have changed). Returns the plans changed."""
    changed = 0
    qs = CarePlan.objects.filter(status=CarePlan.Status.ACTIVE).order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return changed
        last = chunk[-1].pk
        levels = screening_levels(p.student_id for p in chunk)
        due_only = []
        for plan in chunk:
            level = elevated(levels.get(plan.student_id))
            if level and level != plan.level:
                with transaction.atomic():
                    plan.level = level
                    plan.next_due_on = next_due(plan)
                    plan.save(update_fields=["level", "next_due_on", "updated_at"])
                changed += 1
                continue
            due = next_due(plan)
            if due != plan.next_due_on:
                plan.next_due_on = due
                due_only.append(plan)
        if due_only:
            CarePlan.objects.bulk_update(due_only, ["next_due_on"])
            changed += len(due_only)


def flag_overdue(today: dt.date | None = None) -> int:
    """Tell the class teacher (and the plan's owner) and the safety leader about each plan whose
    contact is overdue, and each task past its deadline. One notice per plan per due date, per
    task per deadline: running the sweep twice sends nothing twice. Returns notices sent."""
    today = today or clock.today()
    sent = 0
    plans = list(
        CarePlan.objects.filter(status=CarePlan.Status.ACTIVE, next_due_on__lt=today)
        .select_related("student__klass__grade", "owner")
        .order_by("pk")
    )
    tasks = list(
        InterventionTask.objects.exclude(status=InterventionTask.Status.DONE)
        .filter(due_on__lt=today)
        .select_related("student__klass__grade", "owner")
        .order_by("pk")
    )
    leaders, teachers = _recipients_for(
        {p.school_id for p in plans} | {t.school_id for t in tasks}, {p.student.klass_id for p in plans}
    )
    for plan in plans:
        recipients = [plan.owner, *teachers.get(plan.student.klass_id, []), *leaders.get(plan.school_id, [])]
        sent += len(
            notify(
                recipients,
                kind="care_overdue",
                title=_("关爱对象联系已逾期"),
                body=_("%(klass)s有一名%(kind)s对象超过约定频次未联系（应于 %(due)s 前联系）。")
                % {
                    "klass": str(plan.student.klass),
                    "kind": plan.get_kind_display(),
                    "due": plan.next_due_on,
                },
                url=reverse("care:plan_detail", args=[plan.pk]),
                dedupe_key=f"care:overdue:{plan.pk}:{plan.next_due_on.isoformat()}",
                school=plan.school_id,
                county=plan.county_id,
            )
        )
    for task in tasks:
        sent += len(
            notify(
                [task.owner, *leaders.get(task.school_id, [])],
                kind="care_task_overdue",
                title=_("干预任务已超期"),
                body=_("%(klass)s的一项干预任务已超过期限（%(due)s）。")
                % {"klass": str(task.student.klass), "due": task.due_on},
                url=_task_url(task),
                dedupe_key=f"care:task-overdue:{task.pk}:{task.due_on.isoformat()}",
                school=task.school_id,
                county=task.county_id,
            )
        )
    return sent


def _recipients_for(school_ids: set[int], klass_ids: set[int]) -> tuple[dict, dict]:
    """Safety leaders by school and class teachers by class, two queries for the whole sweep."""
    from anxin.accounts.models import Membership

    leaders: dict[int, list] = defaultdict(list)
    teachers: dict[int, list] = defaultdict(list)
    if not school_ids:
        return leaders, teachers
    ms = (
        Membership.objects.active()
        .filter(
            Q(role=Role.SAFETY_LEADER, school_id__in=school_ids)
            | Q(role=Role.CLASS_TEACHER, klass_id__in=klass_ids)
        )
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for m in ms:
        if m.role == Role.SAFETY_LEADER:
            leaders[m.school_id].append(m.user)
        else:
            teachers[m.klass_id].append(m.user)
    return leaders, teachers


def sweep(today: dt.date | None = None) -> int:
    sync_plans()
    return flag_overdue(today)
