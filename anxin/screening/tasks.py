"""Risk recomputation on the task queue (GUIDE principle 6; R-SCR-4 动态更新、实时分析)."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from anxin.core import clock

log = logging.getLogger(__name__)


@db_task()
def recompute_students_task(student_ids: list[int]) -> int:
    from anxin.screening import risk

    return risk.recompute(student_ids)


@db_task()
def recompute_county_task(county_id: int | None) -> int:
    from anxin.screening import risk

    total, changed = risk.recompute_county(county_id)
    log.info("risk recompute county=%s students=%s changed=%s", county_id, total, changed)
    return changed


def schedule_recompute(student_ids: Iterable[int]) -> None:
    """Recompute these students once the current transaction commits (a failed request
    recomputes nothing; the queue never reads uncommitted rows)."""
    ids = sorted({int(i) for i in student_ids if i})
    if ids:
        transaction.on_commit(lambda: recompute_students_task(ids))


@db_periodic_task(crontab(hour="3", minute="23"))
def nightly_risk_refresh() -> int:
    """Signals age out of their windows (近30天, 近90天 …) without any input changing: each night
    recompute the students with a signal inside the horizon. Roster imports written in bulk
    (no save signals) are caught up here too: the register follows the roster's flags.
    Idempotent: a second run changes nothing."""
    from anxin.screening import risk, risk_rules, services
    from anxin.screening.models import RiskSignal

    services.sync_roster_flags()

    since = clock.now() - timedelta(days=risk_rules.SIGNAL_HORIZON_DAYS + 2)
    ids = RiskSignal.objects.filter(at__gte=since).values_list("student_id", flat=True).distinct()
    return risk.recompute(list(ids))
