"""Migration 0002 enforces one rollup row per bucket and attributes. A bucket that already holds
two rows for the same attributes (possible before it, when two recounts raced) must not stop the
migration nor be counted twice: it loses its rows and gets a mark, so readers count it live."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from anxin.dashboards.models import CaseCount, CaseTypeCount, RollupDirty

MIGRATION = ("dashboards", "0002_rollup_marks_and_one_row")
MONTH = dt.date(2026, 9, 1)


def _run(step: str) -> None:
    loader = MigrationLoader(connection)
    migration = loader.get_migration(*MIGRATION)
    with connection.schema_editor() as editor:
        getattr(migration, step)(loader.project_state(MIGRATION, at_end=False), editor)


def _row(school_id: int, n: int) -> CaseCount:
    attrs = {"result": "", "open": True, "sealed": False, "required": True, "reported": True, "late": False}
    return CaseCount(county_id=7, school_id=school_id, month=MONTH, n=n, **attrs)


@pytest.mark.django_db(transaction=True)
def test_a_doubled_bucket_becomes_a_mark_and_a_clean_one_stays():
    _run("unapply")
    try:
        CaseCount.objects.bulk_create([_row(1, 2), _row(1, 2), _row(2, 5)])
        CaseTypeCount.objects.create(
            county_id=7, school_id=1, month=MONTH, sealed=False, behaviour="verbal", n=2
        )
    finally:  # leave the schema current for the tests that follow
        _run("apply")

    assert list(CaseCount.objects.values_list("school_id", "n")) == [(2, 5)]
    assert not CaseTypeCount.objects.exists()  # the doubled bucket lost all its rows
    assert list(RollupDirty.objects.values_list("county_id", "school_id", "month")) == [(7, 1, MONTH)]
