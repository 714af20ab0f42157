"""Care plans (R-CARE-1): created from a risk level with default measures, edited, closed; the next
contact due follows the plan's cadence.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.care.cadence import Level, plan_cadence
from anxin.care.models import (
    CarePlan,
    ContactKind,
    Measure,
)
from anxin.core import clock

from .common import _require, default_owner, elevated, screening_level, staff_choices

# --- plans -------------------------------------------------------------------------------------


def next_due(plan: CarePlan) -> dt.date | None:
    """The last day the next contact is due: the last contact (or the start) plus the cadence."""
    days = plan_cadence(plan.level, plan.kind, plan.cadence_days)
    if not days or plan.status != CarePlan.Status.ACTIVE:
        return None
    base = clock.local_date(plan.last_contact_at) if plan.last_contact_at else plan.starts_on
    return base + dt.timedelta(days=days)


def _check_owner(owner, school_id: int, field: str = "owner") -> None:
    if not staff_choices(school_id).filter(pk=owner.pk).exists():
        raise ValidationError({field: _("责任人须是本校在岗的班主任、心理教师或学校领导。")})


DEFAULT_MEASURES = {
    CarePlan.Kind.CARE: [Measure.TALK, Measure.HOME_VISIT],
    CarePlan.Kind.WATCH: [Measure.WATCH, Measure.TALK],
}


@transaction.atomic
def create_plan(
    by,
    student,
    *,
    kind: str = CarePlan.Kind.CARE,
    level: str | None = None,
    measures: Iterable[str] | None = None,
    owner=None,
    reason: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    cadence_days: int | None = None,
) -> CarePlan:
    """Open a care plan (关爱帮扶) or a watch plan (重点盯防) for a student. The level defaults to
    the risk engine's; the owner to the student's class teacher."""
    plan = CarePlan(county_id=student.county_id, school_id=student.school_id, student=student, kind=kind)
    _require(by, plan, "change")
    if student.status != "enrolled":
        raise ValidationError({"student": _("该学生已不在读，不能建立关爱计划。")})
    if CarePlan.objects.filter(student=student, kind=kind, status=CarePlan.Status.ACTIVE).exists():
        raise ValidationError(
            {"student": _("该学生已有进行中的%(kind)s计划。") % {"kind": CarePlan.Kind(kind).label}}
        )
    plan.level = (
        level
        or elevated(screening_level(student))
        or (Level.ORANGE if kind == CarePlan.Kind.WATCH else Level.YELLOW)
    )
    plan.measures = [m for m in (measures if measures is not None else DEFAULT_MEASURES[kind])]
    bad = [m for m in plan.measures if m not in Measure.values]
    if bad or not plan.measures:
        raise ValidationError({"measures": _("请至少选择一项帮扶措施。")})
    plan.owner = owner or default_owner(student) or by
    _check_owner(plan.owner, student.school_id)
    plan.reason = (reason or "").strip()
    plan.starts_on = starts_on or clock.today()
    plan.ends_on = ends_on
    if ends_on and ends_on < plan.starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    plan.cadence_days = cadence_days or None
    plan.created_by = by
    plan.next_due_on = next_due(plan)
    plan.full_clean(validate_constraints=False)
    plan.save()
    return plan


PLAN_EDITABLE = ("level", "measures", "owner", "reason", "ends_on", "cadence_days")


@transaction.atomic
def update_plan(by, plan: CarePlan, **changes) -> CarePlan:
    """Adjust a running plan (level, measures, owner, end date, own cadence)."""
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    _require(by, plan, "change")
    if not plan.is_active:
        raise ValidationError(_("计划已结束，不能修改。"))
    refused = [k for k in changes if k not in PLAN_EDITABLE]
    if refused:
        raise PermissionDenied(_("不能修改：%(f)s") % {"f": "、".join(refused)})
    if "measures" in changes:
        measures = list(changes["measures"] or [])
        if not measures or any(m not in Measure.values for m in measures):
            raise ValidationError({"measures": _("请至少选择一项帮扶措施。")})
    new_owner = None
    if changes.get("owner") is not None:
        _check_owner(changes["owner"], plan.school_id)
        if changes["owner"].pk != plan.owner_id:
            new_owner = changes["owner"]
    elif "owner" in changes:
        changes.pop("owner")
    for key, value in changes.items():
        setattr(plan, key, value.strip() if isinstance(value, str) else value)
    plan.cadence_days = plan.cadence_days or None
    if plan.ends_on and plan.ends_on < plan.starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    plan.next_due_on = next_due(plan)
    plan.full_clean(validate_constraints=False)
    plan.save()
    if new_owner is not None:
        _tell_new_owner(plan, new_owner)
    return plan


def _tell_new_owner(plan: CarePlan, owner) -> None:
    """A plan handed to someone else: they are told at once (its contacts are now their duties)."""
    from django.urls import reverse

    from anxin.core.notify import notify

    due = plan.next_due_on.isoformat() if plan.next_due_on else ""
    notify(
        [owner],
        kind="care_plan_owner",
        title=_("一项关爱帮扶计划改由你负责"),
        body=_("下次联系请于 %(due)s 前完成。") % {"due": due} if due else "",
        url=reverse("care:plan_detail", args=[plan.pk]),
        dedupe_key=f"care:plan-owner:{plan.pk}:{owner.pk}:{clock.now().timestamp():.0f}",
        school=plan.school_id,
        county=plan.county_id,
    )


@transaction.atomic
def close_plan(by, plan: CarePlan, note: str) -> CarePlan:
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    _require(by, plan, "change")
    if not plan.is_active:
        raise ValidationError(_("计划已结束。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"close_note": _("请写明结束原因（如：情况好转、已毕业转学）。")})
    plan.status = CarePlan.Status.CLOSED
    plan.closed_on = clock.today()
    plan.close_note = note[:300]
    plan.next_due_on = None
    plan.save()
    return plan


def _refresh_plans(student_id: int, occurred_at) -> None:
    """A contact counts for every running plan of the student: move their last contact and
    due date on (a contact entered after the fact never moves them back)."""
    for plan in CarePlan.objects.select_for_update().filter(
        student_id=student_id, status=CarePlan.Status.ACTIVE
    ):
        if plan.last_contact_at and plan.last_contact_at >= occurred_at:
            continue
        plan.last_contact_at = occurred_at
        plan.next_due_on = next_due(plan)
        plan.save(update_fields=["last_contact_at", "next_due_on", "updated_at"])


def _plan_for(student, kind: str) -> CarePlan | None:
    plans = {p.kind: p for p in CarePlan.objects.filter(student=student, status=CarePlan.Status.ACTIVE)}
    preferred = CarePlan.Kind.WATCH if kind == ContactKind.CHECKIN else CarePlan.Kind.CARE
    return plans.get(preferred) or next(iter(plans.values()), None)
