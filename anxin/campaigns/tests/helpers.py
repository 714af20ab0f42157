"""Shared helpers for the campaign tests."""

from __future__ import annotations

import datetime as dt

from anxin.core import clock
from anxin.core.testing import make_school, make_student


def window(days_back: int = 10, days_ahead: int = 20):
    from anxin.core import evaluators

    today = clock.today()
    return evaluators.Window(today - dt.timedelta(days=days_back), today + dt.timedelta(days=days_ahead))


def more_schools(world, n: int, type_="junior"):
    out = []
    for i in range(n):
        school, c1, _c2 = make_school(world.county_a, f"测试学校{i}", f"21640129{i:02d}", type_=type_)
        make_student(c1, f"学生甲{i}", 500 + i)
        out.append(school)
    return out


def campaign(world, start=None):
    from anxin.campaigns import services

    return services.create_from_template(
        by=world.user["bureau_safety"],
        county=world.county_a,
        template_key="seed2024",
        start=start or clock.today() - dt.timedelta(days=5),
    )
