"""Periodic care work on the task queue (GUIDE principle 6)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from anxin.care import services


@db_periodic_task(crontab(hour="7", minute="10"))
def care_overdue_sweep() -> int:
    """Every morning: refresh plans' levels and due dates, then flag overdue contacts and tasks
    to the class teacher and the safety leader. Idempotent through notification dedupe keys."""
    return services.sweep()
