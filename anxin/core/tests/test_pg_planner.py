"""The PostgreSQL planner's settings and the index behind 工作台's screening coverage (issue 15)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from anxin.screening.duties import enrolled_counts, screened_counts

ROOT = Path(__file__).resolve().parents[3]


def _pg_options(**env) -> str:
    """The connection options config.settings gives a PostgreSQL DATABASE_URL under ``env``
    (a value of None: the variable unset)."""
    code = (
        "import json; from config import settings; "
        "print(json.dumps(settings.DATABASES['default'].get('OPTIONS', {}).get('options', '')))"
    )
    full = {**os.environ, "DATABASE_URL": "postgres://anxin@127.0.0.1:5432/anxin"}
    for k, v in env.items():
        if v is None:
            full.pop(k, None)
        else:
            full[k] = v
    out = subprocess.run(
        [sys.executable, "-c", code], env=full, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_postgresql_plans_for_data_in_memory_unless_told_otherwise():
    assert _pg_options(ANXIN_PG_RANDOM_PAGE_COST=None) == "-c jit=off -c random_page_cost=1.1"
    assert _pg_options(ANXIN_PG_RANDOM_PAGE_COST="2") == "-c jit=off -c random_page_cost=2.0"
    # "" keeps the server's own setting
    assert _pg_options(ANXIN_PG_RANDOM_PAGE_COST="") == "-c jit=off"


@pytest.mark.django_db
def test_the_connection_runs_with_those_settings():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's planner settings")
    wanted = os.environ.get("ANXIN_PG_RANDOM_PAGE_COST", "1.1")  # (a machine may set its own)
    with connection.cursor() as cur:
        cur.execute("SHOW random_page_cost")
        got = cur.fetchone()[0]
        assert float(got) == float(wanted) if wanted else got
        cur.execute("SHOW jit")
        assert cur.fetchone()[0] == "off"


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL enable_seqscan = off")  # a test's few rows would be scanned anyway
            cur.execute("EXPLAIN " + sql, params)
        else:
            cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(r) for r in cur.fetchall())


def test_enrolled_students_are_counted_from_the_index_alone(world):
    # the count 工作台 runs for a school's open round: the partial index's condition matches
    # the query's (an index the query cannot use would not be named)
    plan = _plan(enrolled_counts((world.school_a1.pk,)))
    assert "student_enrolled_class_idx" in plan
    if connection.vendor == "postgresql":
        assert "Index Only Scan" in plan
    # and the screened count reaches the students through an index, not a scan of them all
    plan = _plan(screened_counts((1, 2)))
    assert "Seq Scan on roster_student" not in plan and "SCAN roster_student" not in plan


def test_the_counts_are_right(world):
    from anxin.roster.models import StudentStatus

    world.student_other_class.status = StudentStatus.GRADUATED
    world.student_other_class.save()
    got = {(r["school_id"], r["klass_id"]): r["n"] for r in enrolled_counts((world.school_a1.pk,))}
    assert got == {(world.school_a1.pk, world.class_a1_1.pk): 1}
