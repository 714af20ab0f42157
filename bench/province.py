"""Province scale on PostgreSQL (issue 13 item 6): generate a province, then measure one county.

In a throwaway database (created, migrated, dropped at the end; `--db NAME --keep` keeps it and
a later run with the same `--db` skips the generation) the generator (bench/_province_gen.py)
writes, at `--scale 1.0`: 70 counties, 2,000 schools (types, towns, grades, classes; one safety
leader account each, one bureau account per county), 1.2 M students, 1 M cases over the last
12 months (states by age, results, behaviour types, report_required / first_reported_at /
report_due_at / report_late mixes, one victim each, a submitted 首报 for each reported case)
and 10 M audit events (a stream per school per day and per county per day over the last 12
months, each with its head). `--scale 0.01` multiplies every count. Then ANALYZE and, in-process
(Django test client, the settings bench/pages.py runs with), as bureau staff of the county
with the most cases: the county dashboard (dashboards:county), the case register's first page
(/cases/) and 工作台 (/home/); as the province's education department (the counties grouped
into cities of ten): the province overview over every county (dashboards:region); a full
rollup rebuild (before the
pages) and one case's change reflected (its save, then rollups.refresh of its bucket) after them. Prints:

    BENCH province_gen_<table>_rows / _s      per table (counties … audit_heads)
    BENCH province_gen_cases_per_s, province_gen_total_s, province_analyze_s, province_db_size_mb
    BENCH province_cpu_reference_ms            a fixed piece of pure Python (bench/_common.py): the
                                               machine's speed at the time of the run
    BENCH province_<page>_ms / _min_ms / _cold_ms / _queries / _calls   page: dashboard, register,
                                               home, overview; _calls: Python function calls in one
                                               request (the same on any machine)
    BENCH province_rollup_rebuild_s, province_rollup_refresh_ms
    BENCH province_total_s
    EXPLAIN …   the EXPLAIN (ANALYZE, BUFFERS) plan of each page's slowest query

Figures only, no assertions (GUIDE: benchmarks print, tests assert).

    .venv/bin/python bench/province.py [--scale 1.0] [--runs 5] [--db NAME --keep]

Environment: BENCH_PROVINCE_SCALE (default 1.0), BENCH_PG_URL (default
postgres://postgres@127.0.0.1:5432/postgres; a local server only), BENCH_REDIS_URL (default
redis://127.0.0.1:6379/13, emptied before and after; "" or no Redis running: the database cache).
Full scale takes about 9 GB of disk and a quarter of an hour on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

from _common import cpu_reference_ms, local_redis, pg_admin, python_calls

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
MARK_CODE = "990001"  # the first generated county: the province is there

# (name, url name or path, who): "bureau" = bureau staff of the largest county, "region" = the
# province's education department (its overview over every county)
PAGES = [
    ("dashboard", "dashboards:county", "bureau"),
    ("register", "/cases/", "bureau"),
    ("home", "/home/", "bureau"),
    ("overview", "dashboards:region", "region"),
]
COUNTIES_PER_CITY = 10


# --- in-process parts (children run with the bench database's environment) -----------------------
def _django():
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import warnings

    import django

    django.setup()
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: nothing collected
    # the pages link static files: plain names, no manifest (nothing collected into the repository)
    from django.conf import settings
    from django.test.utils import override_settings

    storages = {**settings.STORAGES}
    storages["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    override_settings(STORAGES=storages).enable()


def generate(scale: float) -> None:
    _django()
    import _province_gen

    _province_gen.generate(scale)


def _explain_slowest(name: str, queries: list[dict]) -> None:
    """Time each SELECT of the page with EXPLAIN ANALYZE; print the slowest one's plan."""
    from django.db import connection

    timed = []
    seen = set()
    raw = connection.connection
    for i, q in enumerate(queries):
        sql = q["sql"]
        head = sql.lstrip().upper()
        if not head.startswith(("SELECT", "WITH")) or " FOR UPDATE" in head or sql in seen:
            continue
        seen.add(sql)
        with raw.cursor() as cur:
            try:
                cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            except Exception as exc:  # noqa: BLE001 — a query that cannot be re-run alone
                print(f"# {name}: query {i + 1} not explained ({type(exc).__name__})", file=sys.stderr)
                raw.rollback()
                continue
            plan = cur.fetchone()[0][0]
        timed.append((plan["Planning Time"] + plan["Execution Time"], i, sql))
    if not timed:
        return
    ms, i, sql = max(timed)
    print(f"EXPLAIN -- province_{name}: slowest query, {i + 1} of {len(queries)}, {ms:.1f} ms")
    print("EXPLAIN -- " + " ".join(sql.split()))
    with raw.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        for (line,) in cur.fetchall():
            print("EXPLAIN " + line)


def province_officer():
    """The generated counties as one province of cities (COUNTIES_PER_CITY counties each, by
    code) and an account at its education department (made once; a later run reuses them)."""
    from anxin.accounts.models import RegionPost, User
    from anxin.core.testing import make_user
    from anxin.org.models import County, Region

    province, _new = Region.objects.get_or_create(
        code="990000", defaults={"name": "基准省", "level": "province", "department_name": "基准省教育厅"}
    )
    counties = list(County.objects.filter(region__isnull=True).order_by("code"))
    for i in range(0, len(counties), COUNTIES_PER_CITY):
        n = i // COUNTIES_PER_CITY + 1
        city, _new = Region.objects.get_or_create(
            code=f"99{n:02d}00",
            defaults={
                "name": f"基准市{n}",
                "level": "city",
                "department_name": f"基准市{n}教育局",
                "parent": province,
            },
        )
        County.objects.filter(pk__in=[c.pk for c in counties[i : i + COUNTIES_PER_CITY]]).update(region=city)
    user = User.objects.filter(username="province_officer").first()
    if user is None:
        user = make_user("province_officer", None, real_name="基准省教育厅")
        RegionPost.objects.create(user=user, region=province, title="基础教育处")
    n = County.objects.filter(region__parent=province).count()
    print(
        f"# province overview: {n} counties in {Region.objects.filter(parent=province).count()} cities",
        flush=True,
    )
    return user


def measure(runs: int) -> None:
    """The pages as bureau staff of the county with the most cases; the rollups when present."""
    _django()
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from anxin.accounts.models import User
    from anxin.cases.models import BullyingCase, CaseState
    from anxin.core.roles import Role
    from anxin.core.testing import login, make_user
    from anxin.dashboards import rollups
    from anxin.dashboards.models import RollupDirty
    from anxin.org.models import County, School
    from anxin.roster.models import Student

    with connection.cursor() as cur:
        cur.execute("SELECT county_id, count(*) FROM cases_bullyingcase GROUP BY 1 ORDER BY 2 DESC LIMIT 1")
        county_id, n_cases = cur.fetchone()
    county = County.objects.get(pk=county_id)
    print(
        f"# measured county {county.name} ({county.code}): {School.objects.filter(county=county).count()} "
        f"schools, {Student.objects.filter(county=county).count()} students, {n_cases} cases; province "
        f"{BullyingCase.objects.count()} cases",
        flush=True,
    )
    username = f"province_bureau_{county.code}"
    user = User.objects.filter(username=username).first() or make_user(
        username, county, Role.BUREAU_SAFETY, real_name="基准安全股"
    )

    t = time.perf_counter()
    rows = rollups.rebuild()
    print(f"# rollups rebuilt: {rows} rows", flush=True)
    print(f"BENCH province_rollup_rebuild_s {time.perf_counter() - t:.1f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")

    reference = cpu_reference_ms()
    print(f"BENCH province_cpu_reference_ms {reference:.1f} ms", flush=True)
    clients = {"bureau": Client(), "region": Client()}
    login(clients["bureau"], user)
    login(clients["region"], province_officer())
    for name, target, who in PAGES:
        client = clients[who]
        url = target if target.startswith("/") else reverse(target)
        t = time.perf_counter()
        resp = client.get(url)  # cold: the first request of this page (caches empty)
        cold = (time.perf_counter() - t) * 1000
        if resp.status_code != 200:
            print(
                f"# {name} {url}: HTTP {resp.status_code} {resp.get('Location', '')}: not measured",
                flush=True,
            )
            continue
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = list(ctx.captured_queries)  # copied now: the next request clears the log
        samples = []
        for _ in range(runs):
            t = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
        print(f"BENCH province_{name}_ms {statistics.median(samples):.1f} ms")
        print(f"BENCH province_{name}_min_ms {min(samples):.1f} ms")
        print(f"BENCH province_{name}_cold_ms {cold:.1f} ms")
        print(f"BENCH province_{name}_queries {len(queries)} queries", flush=True)
        print(
            f"BENCH province_{name}_calls {python_calls(lambda c=client, u=url: c.get(u))} calls", flush=True
        )
        _explain_slowest(name, queries)
        sys.stdout.flush()

    case = (
        BullyingCase.objects.filter(county=county)
        .exclude(state=CaseState.CLOSED)
        .order_by("-discovered_at", "-id")
        .first()
    )
    order = [s.value for s in CaseState]
    case.state = order[min(order.index(case.state) + 1, len(order) - 2)]
    t = time.perf_counter()
    with transaction.atomic():  # marks the case's bucket, as every save does
        case.save(update_fields=["state", "updated_at"])
    saved = (time.perf_counter() - t) * 1000
    month = rollups.month_of(case.discovered_at)
    t = time.perf_counter()
    rollups.refresh(case.school_id, month)  # what the task does once the save commits
    refresh = (time.perf_counter() - t) * 1000
    left = RollupDirty.objects.filter(school_id=case.school_id, month=month).count()
    print(
        f"# case {case.number} → {case.state}: saved in {saved:.1f} ms, bucket recounted, {left} marks left"
    )
    print(f"BENCH province_rollup_refresh_ms {saved + refresh:.1f} ms", flush=True)


# --- the run ------------------------------------------------------------------------------------


def bench_redis():
    """The bench's own Redis database (bench/_common.py), or None: the database cache."""
    global REDIS_URL
    client = local_redis(REDIS_URL)
    if client is None:
        REDIS_URL = ""
    return client


def bench_env(db_url: str, var_dir: str) -> dict:
    """The environment bench/pages.py runs the app with, on this bench's database."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        ANXIN_VAR_DIR=var_dir,
        ANXIN_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        ANXIN_LOG_LEVEL="ERROR",
        ANXIN_DEMO="true",
        ANXIN_TASKS_IMMEDIATE="false",
        ANXIN_REDIS_URL=REDIS_URL,
        PYTHONUNBUFFERED="1",
    )
    env.pop("ANXIN_TESTING", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def _terminate(signum, frame):
    raise SystemExit(128 + signum)  # unwinds through `finally`: children stopped, database dropped


def run(args) -> int:
    started = time.perf_counter()
    admin_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    u = urlparse(admin_url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        print("BENCH_PG_URL must point at a local server", file=sys.stderr)
        return 2
    dbname = args.db or f"anxin_bench_province_{os.getpid()}_{secrets.token_hex(3)}"
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,62}", dbname):
        print("--db: lower-case letters, digits and _ only", file=sys.stderr)
        return 2
    db_url = f"{u.scheme}://{u.netloc}/{dbname}"
    # the keys (encrypted fields, sessions) live with the database they were made for
    var_dir = str(Path(tempfile.gettempdir()) / f"anxin-bench-{dbname}")
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    redis_client = bench_redis()
    env = bench_env(db_url, var_dir)
    created = False
    try:
        os.makedirs(var_dir, exist_ok=True)
        if not pg_admin(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'"):
            pg_admin(admin_url, f'CREATE DATABASE "{dbname}"')
            created = True
        if redis_client is not None:
            redis_client.flushdb()
        t = time.perf_counter()
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "createcachetable", "-v0"], cwd=ROOT, env=env, check=True)
        print(f"# database {dbname}: migrated in {time.perf_counter() - t:.0f} s", flush=True)
        have = pg_admin(db_url, f"SELECT count(*) FROM org_county WHERE code = '{MARK_CODE}'")[0][0]
        if have and not created:
            print(f"# {dbname} already holds a generated province: not generated again", flush=True)
        else:
            subprocess.run(
                [PY, __file__, "--generate", "--scale", str(args.scale)], cwd=ROOT, env=env, check=True
            )
        subprocess.run([PY, __file__, "--measure", "--runs", str(args.runs)], cwd=ROOT, env=env, check=True)
        print(f"BENCH province_total_s {time.perf_counter() - started:.0f} s")
    finally:
        # subprocess.run has already killed a child that was running when we were interrupted
        if redis_client is not None:
            redis_client.flushdb()
        if not args.keep:
            pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            shutil.rmtree(var_dir, ignore_errors=True)
        else:
            print(f"# kept: --db {dbname} (keys in {var_dir})", file=sys.stderr)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scale", type=float, default=float(os.environ.get("BENCH_PROVINCE_SCALE", 1.0)), help="1.0: full"
    )
    parser.add_argument("--runs", type=int, default=5, help="in-process GETs per page (median)")
    parser.add_argument("--db", default="", help="use (or make) this database instead of a throwaway one")
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    parser.add_argument("--generate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(args.scale)
        return 0
    if args.measure:
        measure(args.runs)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
