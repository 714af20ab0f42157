"""The one clock (GUIDE principle 5): deadlines and days in Asia/Shanghai, always aware."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

UTC = UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")

_shift = timedelta(0)  # non-zero only inside as_of() (the demo loader)


def now() -> datetime:
    return timezone.now() + _shift


def local_now() -> datetime:
    return now().astimezone(SHANGHAI)


@contextmanager
def as_of(moment: datetime) -> Iterator[None]:
    """Business time as of ``moment``: what the services date with this clock (a case's
    discovery, its timeline, deadlines, reports, 回访) reads as that moment, ticking on from
    it; the audit trail keeps the real time of writing. For the demo loader, which enters a
    term's events each on its own day; one thread, never a request."""
    global _shift
    before = _shift
    _shift = moment - timezone.now()
    try:
        yield
    finally:
        _shift = before


def today() -> date:
    return local_now().date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def days_from(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)


def age_on(birth: date, on: date | None = None) -> int:
    on = on or today()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
