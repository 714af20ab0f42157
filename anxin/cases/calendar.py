"""Working days (LAW 14: appeal windows in working days, with a holiday calendar).

A day is a working day when it is Monday–Friday and not a holiday, or when it is a 调休
weekend day marked as a working day. Holidays come from the county's :class:`Holiday` rows
and from ``ANXIN_CASES["HOLIDAYS"]`` / ``["EXTRA_WORKDAYS"]`` (ISO dates)."""

from __future__ import annotations

from datetime import date, timedelta

from anxin.cases.law import settings as law_settings


def _calendar(county_id: int | None, start: date, end: date) -> tuple[set[date], set[date]]:
    from anxin.cases.models import Holiday

    holidays = {date.fromisoformat(str(d)) for d in law_settings.get("HOLIDAYS")}
    workdays = {date.fromisoformat(str(d)) for d in law_settings.get("EXTRA_WORKDAYS")}
    if county_id is not None:
        for d, is_workday in Holiday.objects.filter(
            county_id=county_id, date__range=(start, end)
        ).values_list("date", "is_workday"):
            (workdays if is_workday else holidays).add(d)
    return holidays, workdays


def is_working_day(day: date, holidays: set[date], workdays: set[date]) -> bool:
    if day in workdays:
        return True
    if day in holidays:
        return False
    return day.weekday() < 5


def add_working_days(start: date, n: int, county_id: int | None = None) -> date:
    """The date ``n`` working days after ``start`` (``start`` itself not counted)."""
    horizon = start + timedelta(days=n * 3 + 30)
    holidays, workdays = _calendar(county_id, start, horizon)
    day, left = start, n
    while left > 0:
        day += timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            left -= 1
    return day


def add_days(start: date, n: int, kind: str = "calendar", county_id: int | None = None) -> date:
    """``n`` calendar days, or working days when ``kind`` is ``"working"`` (LAW 6 setting)."""
    if kind == "working":
        return add_working_days(start, n, county_id)
    return start + timedelta(days=n)
