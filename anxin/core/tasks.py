"""Periodic integrity work on the task queue (GUIDE principle 6)."""

from __future__ import annotations

import logging
from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from anxin.core import audit, checkpoint
from anxin.core.verify import verify_all

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="2", minute="17"))
def nightly_verify_audit() -> int:
    """Walk every audit stream at night; a broken link is itself recorded (and logged by id
    only) so the auditor sees it on the audit page. Idempotent: it only reads and appends."""
    broken = 0
    for stream, problem in verify_all():  # read in one snapshot before anything is appended
        if problem is not None:
            broken += 1
            log.error("audit chain broken in %s at #%s", stream, problem.seq)
            audit.append(
                "audit.verify",
                result="failed",
                data={"stream": stream, "seq": problem.seq, "problem": problem.what},
            )
    return broken


@db_periodic_task(crontab(hour="0", minute="7"))
def nightly_seal_audit(day=None) -> int:
    """Seal yesterday's closed streams: record each one's final length and hash in its
    county's stream, so a later truncation with a rewound head is detected. Idempotent: a
    day already sealed for a county is not sealed again."""
    from collections import defaultdict

    from anxin.core import clock
    from anxin.core.models import AuditEvent, AuditStreamHead

    day = day or (clock.today() - timedelta(days=1))
    suffix = f":{day.isoformat()}"
    by_county: dict = defaultdict(dict)
    for head in AuditStreamHead.objects.filter(stream__endswith=suffix):
        by_county[head.county_id][head.stream] = [head.seq, head.hash]
    sealed = 0
    for county_id, streams in by_county.items():
        done = AuditEvent.objects.filter(action="audit.seal", county_id=county_id, data__day=day.isoformat())
        if done.exists():
            continue
        audit.append(
            "audit.seal",
            county_id=county_id,
            county_stream=True,
            data={
                "day": day.isoformat(),
                "streams": streams,
                "mac": audit.seal_mac(county_id, day.isoformat(), streams),
            },
        )
        sealed += 1
    checkpoint.write()  # the closed day's final state, outside the database too
    return sealed


@db_periodic_task(crontab(minute="*/5"))
def audit_checkpoint() -> int:
    """Every five minutes, append a signed checkpoint of the streams that changed to the
    checkpoint files outside the database (``ANXIN_AUDIT_CHECKPOINT_DIR``). Idempotent: with
    nothing changed it writes nothing. Returns the number of streams checkpointed."""
    line = checkpoint.write()
    return len(line["streams"]) if line else 0


@db_task()
def send_delivery(pk: int) -> bool:
    """Send one e-mail, SMS or robot message now (queued by ``notify`` after its commit)."""
    from anxin.core import delivery
    from anxin.core.models import Delivery

    d = Delivery.objects.select_related("notification").filter(pk=pk).first()
    return bool(d and delivery.attempt(d))


@db_periodic_task(crontab(minute="*"))
def send_due_deliveries() -> int:
    """Every minute: retries after a failure, and messages held back by the quiet hours."""
    from anxin.core import delivery

    return delivery.send_due()


@db_periodic_task(crontab(hour="3", minute="11"))
def nightly_retention() -> int:
    """Anonymise, purge or redact what has passed its retention period, county by county (LAW
    22, 24; ``core.retention``). Idempotent: what was done is not found again. Each county's run
    is audited with its counts. Returns the number of records handled."""
    from anxin.core import retention

    return sum(sum(r.counts.values()) for r in retention.run())


@db_task()
def send_chase(chase_id: int) -> int:
    """催办: notify the owners of a chased duty (queued after the chase is committed)."""
    from anxin.core.home import send_chase_notices

    return send_chase_notices(chase_id)
