"""The rollups' tasks: recount marked buckets after a change commits; rebuild every night."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

log = logging.getLogger(__name__)


@db_task()
def refresh_task(buckets: list[tuple[int, str]]) -> None:
    from anxin.dashboards import rollups

    for school_id, month in buckets:
        rollups.refresh(int(school_id), dt.date.fromisoformat(month))


@db_periodic_task(crontab(hour="1", minute="41"))
def nightly_rollup_rebuild() -> int:
    """Recount every bucket: what a bulk write that bypassed the models (or a lost task) left
    stale is right again by morning."""
    from anxin.dashboards import rollups

    rows = rollups.rebuild()
    log.info("rollups rebuilt rows=%s", rows)
    return rows
