"""Shared helpers for the screening tests (personas come from anxin.core.testing.World)."""

from __future__ import annotations

import datetime as dt

from anxin.core import clock
from anxin.core.testing import make_student


def open_round(world, by=None, days: int = 7):
    from anxin.screening import services

    return services.open_round(
        by=by or world.user["safety_leader"],
        school=world.school_a1,
        title="春季排查",
        deadline=clock.today() + dt.timedelta(days=days),
    )


def fill_class(klass, n: int, start: int = 100, **extra) -> list:
    return [make_student(klass, f"学生{start + i:03d}", start + i, **extra) for i in range(n)]


def record(world, rnd, student, by=None, **data):
    from anxin.screening import services

    values = {"psych": "good", "mood": "stable", "peers": "harmonious", **data}
    return services.save_record(by=by or world.user["class_teacher"], round=rnd, student=student, data=values)
