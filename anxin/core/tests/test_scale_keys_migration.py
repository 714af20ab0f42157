"""The migrations that gave the last tables of school data their county and school keys
(screening 0003–0005, cases 0007–0009; ``test_scale_keys.py``) fill them on existing rows from
each row's parent, on SQLite and on PostgreSQL: rows made in two counties keep the right keys
after the migrations are reversed (the columns dropped) and applied again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from anxin.cases import scenarios
from anxin.cases.models import CaseCounter, CaseState, DeterminationBully, DeterminationMember
from anxin.core import clock
from anxin.core.testing import build_world
from anxin.screening import services as screening
from anxin.screening.models import CameraCover, SurveyToken
from anxin.screening.tests.helpers import fill_class

# the key migrations, in the order they apply
KEY_MIGRATIONS = [
    ("screening", "0003_scale_keys"),
    ("screening", "0004_scale_keys_backfill"),
    ("screening", "0005_scale_keys_required"),
    ("cases", "0007_scale_keys"),
    ("cases", "0008_scale_keys_backfill"),
    ("cases", "0009_scale_keys_required"),
]
TABLES = [SurveyToken, CameraCover, CaseCounter, DeterminationMember, DeterminationBully]


def _make_rows(w) -> None:
    closes_on = clock.today() + dt.timedelta(days=5)
    for klass, teacher in (
        (w.class_a1_1, w.user["class_teacher"]),
        (w.class_b1_1, w.user_b["class_teacher"]),
    ):
        fill_class(klass, 3, start=200 + klass.pk * 10)
        screening.create_survey(by=teacher, klass=klass, closes_on=closes_on)
    for school, leader in ((w.school_a1, w.user["safety_leader"]), (w.school_b1, w.user_b["safety_leader"])):
        point = screening.save_hazard(
            by=leader, school=school, data={"name": "东侧厕所", "kind": "toilet", "owner": leader}
        )
        screening.save_camera(by=leader, school=school, data={"name": "1号", "covers": [point]})
    mm = w.user["middle_manager"]
    scenarios.constitute(w.school_a1, w.user["principal"])
    case = scenarios.open_simple(w.school_a1, mm, victim=w.student_own, bully=w.student_other_class)
    scenarios.drive(case, mm, CaseState.HANDLING, leader=w.user["safety_leader"])
    CaseCounter.objects.create(county=w.county_b, school=w.school_b1, year=2020, last=3)


def _keys() -> dict[str, list[tuple]]:
    return {m._meta.label: sorted(m.objects.values_list("pk", "county_id", "school_id")) for m in TABLES}


def _columns(model) -> set[str]:
    with connection.cursor() as cur:
        return {c.name for c in connection.introspection.get_table_description(cur, model._meta.db_table)}


@pytest.mark.django_db(transaction=True)
def test_the_key_migrations_fill_the_keys_of_existing_rows():
    w = build_world()
    _make_rows(w)
    made = _keys()
    assert all(made.values()), made  # every table has rows
    assert {county for rows in made.values() for _pk, county, _school in rows} == {
        w.county_a.pk,
        w.county_b.pk,
    }

    # Each migration is applied and reversed on its own, in its own transaction as `migrate`
    # runs it, from the project state just before it (the executor would render the state of
    # every app around each step: the same operations, several times slower).
    loader = MigrationLoader(connection)

    def run(step: str, app: str, name: str) -> None:
        with connection.schema_editor() as editor:
            migration = loader.get_migration(app, name)
            getattr(migration, step)(loader.project_state((app, name), at_end=False), editor)

    undone = []
    try:
        for app, name in reversed(KEY_MIGRATIONS):
            run("unapply", app, name)
            undone.insert(0, (app, name))
        assert "county_id" not in _columns(SurveyToken) and "school_id" not in _columns(CameraCover)
        assert "county_id" not in _columns(CaseCounter) and "county_id" not in _columns(DeterminationBully)
    finally:  # whatever happened, leave the schema current for the tests that follow
        for app, name in undone:
            run("apply", app, name)

    assert _keys() == made
