"""Queued work of the reporting channels (GUIDE principle 6): alerts after commit and the
emergency escalation sweep. Every task is idempotent (dedupe keys, level checks)."""

from __future__ import annotations

from django.core.cache import cache
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from anxin.intake import services


@db_task()
def alert_new_item(report_id: int) -> None:
    """Tell the school's triagers that a new report or concern waits."""
    services.alert_new_item_now(report_id)


@db_task()
def alert_reporter_message(report_id: int, message_id: int) -> None:
    """Tell whoever handles a report that its reporter added information."""
    services.alert_reporter_message_now(report_id, message_id)


@db_task()
def audit_new_reports(school_id: int | None = None) -> int:
    """Put fresh anonymous submissions into the audit chain, in a batch."""
    if school_id is not None:
        cache.delete(services.audit_queued_key(school_id))
    return services.audit_new_reports(school_id)


@db_periodic_task(crontab(minute="*"))
def audit_sweep() -> int:
    """Every minute: any submission whose audit entry is still missing (e.g. after a crash)."""
    return services.audit_new_reports()


@db_periodic_task(crontab(minute="*"))
def new_items_digest() -> int:
    """Every minute: tell triagers how many items wait (idempotent, keyed on the newest)."""
    return services.new_items_digest()


@db_periodic_task(crontab(minute="*"))
def escalate_emergencies() -> int:
    """Every minute: escalate unacknowledged emergency requests (R-RPT-2)."""
    return services.escalate_emergencies()
