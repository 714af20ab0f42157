"""Periodic integrity work on the task queue (GUIDE principle 6)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from anxin.core import audit
from anxin.core.verify import verify_all

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="2", minute="17"))
def nightly_verify_audit() -> int:
    """Walk every audit stream at night; a broken link is itself recorded (and logged by id
    only) so the auditor sees it on the audit page. Idempotent: it only reads and appends."""
    broken = 0
    for stream, problem in verify_all():
        if problem is not None:
            broken += 1
            log.error("audit chain broken in %s at #%s", stream, problem.seq)
            audit.append("audit.verify", result="failed", data={"stream": stream, "seq": problem.seq,
                                                                 "problem": problem.what})
    return broken
