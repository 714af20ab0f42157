"""The one clock (GUIDE principle 5): deadlines and days in Asia/Shanghai, always aware."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

UTC = UTC
SHANGHAI = ZoneInfo("Asia/Shanghai")


def now() -> datetime:
    return timezone.now()


def local_now() -> datetime:
    return timezone.now().astimezone(SHANGHAI)


def today() -> date:
    return local_now().date()


def local_date(moment: datetime) -> date:
    return moment.astimezone(SHANGHAI).date()


def days_from(moment: datetime, days: int) -> datetime:
    return moment + timedelta(days=days)


def age_on(birth: date, on: date | None = None) -> int:
    on = on or today()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
