"""Terms and school years. The term boundaries are care's (``ANXIN_TERM_STARTS``, one rule for
the whole platform); the school year starts with the last term of the calendar year (autumn)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from anxin.care.services.mechanisms import term_start
from anxin.core import clock


def _starts() -> list[tuple[int, int]]:
    return sorted(getattr(settings, "ANXIN_TERM_STARTS", ((2, 1), (9, 1))))


def term_end(today: dt.date | None = None) -> dt.date:
    """The last day of the current term (the day before the next term starts)."""
    start = term_start(today or clock.today())
    following = [dt.date(start.year, m, d) for m, d in _starts()] + [dt.date(start.year + 1, *_starts()[0])]
    return min(c for c in following if c > start) - dt.timedelta(days=1)


def year_of(today: dt.date | None = None) -> int:
    """The school year holding ``today``, named by the calendar year it starts in."""
    today = today or clock.today()
    m, d = _starts()[-1]
    return today.year if today >= dt.date(today.year, m, d) else today.year - 1


def year_span(year: int) -> tuple[dt.date, dt.date]:
    """First and last day of school year ``year`` (2026: 2026-09-01 … 2027-08-31)."""
    m, d = _starts()[-1]
    return dt.date(year, m, d), dt.date(year + 1, m, d) - dt.timedelta(days=1)


def year_label(year: int) -> str:
    return f"{year}—{year + 1}学年"


__all__ = ["term_start", "term_end", "year_of", "year_span", "year_label"]
