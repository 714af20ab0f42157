"""Reminders and escalation on the task queue (GUIDE principle 6; LAW 6, 7; R-CASE-9).

A periodic sweep looks at every open duty with a deadline — investigations (LAW 6), the first
report to the bureau (LAW 7), measures, support duties, follow-ups, county reviews — and
tells, in turn:

1. the duty's owner, when it falls due within ``DUE_SOON_HOURS``;
2. the owner and the school's safety leader, once it is overdue;
3. the county bureau's safety staff, once it is ``ESCALATE_TO_BUREAU_AFTER_DAYS`` overdue —
   at once for an overdue investigation (LAW 6) and a missing required report (LAW 7 迟报).

Each notice has a dedupe key per duty and tier (``anxin.core.notify``), so running the sweep
twice sends nothing twice. Notices name the case number, never a student.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass

from django.urls import reverse
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from anxin.cases.law import settings as law_settings
from anxin.cases.models import (
    Appeal,
    AppealKind,
    BullyingCase,
    CaseState,
    FollowUp,
    Investigation,
    Measure,
    MeasureState,
    SupportAction,
)
from anxin.core import clock
from anxin.core.notify import notify

log = logging.getLogger(__name__)


@dataclass
class Duty:
    key: str
    label: str
    case_id: int
    number: str
    county_id: int
    school_id: int
    due_at: dt.datetime
    owner_id: int | None
    bureau_at_once: bool = False  # LAW 6, 7: the bureau hears of it as soon as it is overdue
    bureau_owns: bool = False  # the bureau's own duty (a county 复查)


def _end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59), tzinfo=clock.SHANGHAI)


def duties(now: dt.datetime) -> Iterator[Duty]:
    """Every open duty that falls due within the "due soon" window or is overdue."""
    horizon = now + dt.timedelta(hours=law_settings.get("DUE_SOON_HOURS"))
    open_states = [s for s in CaseState.values if s != CaseState.CLOSED]
    for inv in Investigation.objects.filter(
        finished_at__isnull=True, due_at__lte=horizon, case__state=CaseState.INVESTIGATING
    ).select_related("case"):
        c = inv.case
        yield Duty(
            f"investigation:{inv.pk}",
            "调查",
            c.pk,
            c.number,
            c.county_id,
            c.school_id,
            inv.due_at,
            inv.investigator_id,
            bureau_at_once=True,
        )
    for c in BullyingCase.objects.filter(
        report_required=True,
        first_reported_at__isnull=True,
        report_due_at__lte=horizon,
        state__in=open_states,
    ):
        yield Duty(
            f"report:{c.pk}",
            "向县教体局首报",
            c.pk,
            c.number,
            c.county_id,
            c.school_id,
            c.report_due_at,
            c.owner_id,
            bureau_at_once=True,
        )
    day = clock.local_date(horizon)
    for m in Measure.objects.filter(
        state=MeasureState.EFFECTIVE, due_on__isnull=False, due_on__lte=day, case__state__in=open_states
    ).select_related("case"):
        yield Duty(
            f"measure:{m.pk}",
            f"处置措施「{m.label}」",
            m.case_id,
            m.case.number,
            m.county_id,
            m.school_id,
            _end_of(m.due_on),
            m.owner_id,
        )
    for a in SupportAction.objects.filter(
        done_at__isnull=True, due_on__isnull=False, due_on__lte=day, case__state__in=open_states
    ).select_related("case"):
        yield Duty(
            f"support:{a.pk}",
            a.get_kind_display(),
            a.case_id,
            a.case.number,
            a.county_id,
            a.school_id,
            _end_of(a.due_on),
            a.owner_id,
        )
    for f in FollowUp.objects.filter(
        done_at__isnull=True, due_on__lte=day, case__state__in=open_states
    ).select_related("case"):
        yield Duty(
            f"followup:{f.pk}",
            f"第{f.week}周回访",
            f.case_id,
            f.case.number,
            f.county_id,
            f.school_id,
            _end_of(f.due_on),
            f.owner_id,
        )
    for a in Appeal.objects.filter(
        outcome="",
        due_on__isnull=False,
        due_on__lte=day,
        kind__in=[AppealKind.COUNTY_REVIEW, AppealKind.CITY_REVIEW],
    ).select_related("case"):
        yield Duty(
            f"appeal:{a.pk}",
            a.get_kind_display(),
            a.case_id,
            a.case.number,
            a.county_id,
            a.school_id,
            _end_of(a.due_on),
            None,
            bureau_at_once=True,
            bureau_owns=True,
        )


def sweep(now: dt.datetime | None = None) -> int:
    """Send what is due; returns the number of notices created now (0 on a second run)."""
    from anxin.accounts.models import User
    from anxin.cases.services import bureau_staff, school_leaders

    now = now or clock.now()
    escalate_after = dt.timedelta(days=law_settings.get("ESCALATE_TO_BUREAU_AFTER_DAYS"))
    leaders_cache: dict[int, list] = {}
    bureau_cache: dict[int, list] = {}
    users: dict[int, object] = {}
    sent = 0
    for d in duties(now):
        url = reverse("cases:case_detail", args=[d.case_id])
        owner = None
        if d.owner_id:
            owner = users.get(d.owner_id) or User.objects.filter(pk=d.owner_id).first()
            users[d.owner_id] = owner
        due_text = d.due_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
        if d.due_at > now:
            recipients = [owner] if owner else []
            if d.bureau_owns:
                recipients = bureau_cache.setdefault(d.county_id, bureau_staff(d.county_id))
            sent += len(
                notify(
                    recipients,
                    kind="duty_due",
                    title=f"{d.number}：{d.label}即将到期",
                    body=f"期限：{due_text}",
                    url=url,
                    dedupe_key=f"duty:{d.key}:soon",
                    school=d.school_id,
                    county=d.county_id,
                )
            )
            continue
        leaders = leaders_cache.setdefault(d.school_id, school_leaders(d.school_id))
        recipients = ([owner] if owner else []) + leaders
        if d.bureau_owns:
            recipients = bureau_cache.setdefault(d.county_id, bureau_staff(d.county_id))
        sent += len(
            notify(
                recipients,
                kind="duty_overdue",
                title=f"{d.number}：{d.label}已逾期",
                body=f"期限：{due_text}。请尽快办理。",
                url=url,
                dedupe_key=f"duty:{d.key}:overdue",
                school=d.school_id,
                county=d.county_id,
            )
        )
        if d.bureau_at_once or now - d.due_at >= escalate_after:
            bureau = bureau_cache.setdefault(d.county_id, bureau_staff(d.county_id))
            sent += len(
                notify(
                    bureau,
                    kind="duty_escalated",
                    title=f"{d.number}：{d.label}逾期未办（学校上报提醒）",
                    body=f"期限：{due_text}。",
                    url=url,
                    dedupe_key=f"duty:{d.key}:bureau",
                    school=d.school_id,
                    county=d.county_id,
                )
            )
    return sent


@db_periodic_task(crontab(minute="*/15"))
def sweep_case_duties() -> int:
    """Every 15 minutes: reminders and escalations for case duties (idempotent)."""
    return sweep()


@db_periodic_task(crontab(hour="2", minute="37"))
def nightly_verify_case_timelines() -> int:
    """Walk every case timeline at night (R-CASE-10); a broken chain is recorded in the audit
    trail for the auditor (and logged by case id only)."""
    from anxin.cases.verify import verify_cases
    from anxin.core import audit

    broken = 0
    for stream, problem in verify_cases():
        if problem is not None:
            broken += 1
            log.error("case timeline broken in %s at #%s", stream, problem.seq)
            audit.append(
                "audit.verify",
                result="failed",
                data={"stream": stream, "seq": problem.seq, "problem": problem.what},
            )
    return broken
