"""Staff pages under load (issue 15): the registers, lists, the case page and 工作台.

PostgreSQL, the demo county plus N generated cases (spread over its 29 schools, one victim
each), gunicorn started as `manage.py serve` starts it (2 workers x 4 threads; no access log),
and beside it a bare reference server (bench/_pages_bare.py: Django's default middleware, one
ORM view listing the 20 newest rows of one school from a 1M-row table as JSON), same flags. For each
page the load generator (Debian's `wrk` when installed, else a Python one) hits the bare view,
then the page, for the same number of seconds and connections, so a page's share of the bare
view's throughput is measured under the same machine load. Then, in-process (Django test
client), each page's median time and query count. Prints:

    BENCH page_bare_rps                  the reference (mean over the runs)
    BENCH page_<name>_rps / _p95_ms / _share_pct
    BENCH page_<name>_of_shell_pct       its share against the lightest staff page's (修改密码)
    BENCH page_<name>_inproc_ms / _inproc_min_ms / _queries / _calls (Python function calls)
    BENCH page_cpu_reference_ms          the machine's speed in the run (bench/_common.py)

Figures only, no assertions (GUIDE: benchmarks print, tests assert).

    .venv/bin/python bench/pages.py [--cases 200000] [--seconds 4] [--connections 16] [--only case,home]
                                    [--db NAME --keep]   # reuse a prepared database between runs

Environment: BENCH_PAGES_CASES (default 200000), BENCH_PAGES_SECONDS (default 4),
BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/postgres; a local server only),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/14, emptied before and after; "" or no Redis
running: the database cache). Debian's load generator: `apt-get install wrk`.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

from _common import cpu_reference_ms, local_redis, pg_admin, python_calls

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
MARK = "BENCH-"  # the generated cases' numbers
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")

# (name, who, path): who is "leader" (贺兰县第一中学's safety leader) or "bureau" (county staff)
PAGES = [
    ("school_register", "leader", "/cases/"),
    ("county_register", "bureau", "/cases/"),
    ("students", "leader", "/roster/students/"),
    ("case", "leader", "/cases/{case}/"),
    ("inbox", "leader", "/intake/"),
    ("care", "leader", "/care/"),
    ("home", "leader", "/home/"),
    ("api_cases", "leader", "/api/v1/cases/"),
    # the lightest staff page: the shell (session, user, posts, menu) and a three-field form; no
    # list can do better, so its share is the ceiling the pages above are read against
    ("shell", "leader", "/accounts/password/"),
]

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"p99_us": %d, "errors": %d, "bad_status": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


# --- in-process parts (run in a child with the bench database's environment) --------------------
def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(n_cases: int) -> None:
    """Demo county, N generated cases, the bare table, sessions; print what the load needs."""
    _django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from anxin.accounts.models import User
    from anxin.cases.models import BullyingCase
    from anxin.core.testing import login
    from anxin.demo import loader
    from anxin.org.models import School

    t = time.perf_counter()
    if not loader.county_exists():
        call_command("load_demo", verbosity=0)
        print(f"# demo county loaded in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    have = BullyingCase.objects.filter(number__startswith=MARK).count()
    if have < n_cases:
        t = time.perf_counter()
        _seed_cases(have, n_cases)
        print(f"# generated {n_cases - have} cases in {time.perf_counter() - t:.1f} s", file=sys.stderr)
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass('bench_bare_row')")
        if cur.fetchone()[0] is None:
            t = time.perf_counter()
            cur.execute(
                "CREATE TABLE bench_bare_row (id bigserial PRIMARY KEY, school_id integer NOT NULL,"
                " at timestamptz NOT NULL, title varchar(60) NOT NULL, state varchar(20) NOT NULL)"
            )
            cur.execute(
                "INSERT INTO bench_bare_row (school_id, at, title, state) SELECT g % 50, "
                "now() - (g || ' seconds')::interval, 'row ' || g, 'open' FROM generate_series(1, 1000000) g"
            )
            cur.execute("CREATE INDEX bench_bare_school_at ON bench_bare_row (school_id, at DESC, id DESC)")
            print(f"# bare table (1M rows) in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        cur.execute("ANALYZE")
    school = School.objects.get(name="贺兰县第一中学")
    leader = User.objects.get(username="hl1z_safety")
    bureau = (
        User.objects.filter(memberships__role="bureau_safety", memberships__county=school.county)
        .order_by("id")
        .first()
    )
    case = (
        BullyingCase.objects.filter(school=school)
        .exclude(number__startswith=MARK)
        .order_by("-timeline_seq", "id")
        .first()
    )
    sessions = {}
    for who, user in (("leader", leader), ("bureau", bureau)):
        client = Client()
        login(client, user)
        sessions[who] = client.cookies["sessionid"].value
    print(
        json.dumps(
            {
                "sessions": sessions,
                "case": case.pk,
                "school": school.pk,
                "cases": BullyingCase.objects.count(),
                "school_cases": BullyingCase.objects.filter(school=school).count(),
            }
        )
    )


def _seed_cases(start: int, n_cases: int) -> None:
    """Bulk rows in the demo county's schools (no audit signals: seeding only), one victim
    each from the school's students; dates over two years, every state, some reported late."""
    import random
    from datetime import timedelta

    from django.db import transaction

    from anxin.accounts.models import User
    from anxin.cases.models import BullyingCase, CaseParty, CaseState
    from anxin.core import clock
    from anxin.demo import data
    from anxin.org.models import County, School
    from anxin.roster.models import Student

    rng = random.Random(2026 + start)
    county = County.objects.get(code=data.COUNTY_CODE)
    schools = list(School.objects.filter(county=county).order_by("id"))
    by_school = {
        s.pk: list(Student.objects.filter(school=s).values_list("pk", flat=True)[:400]) for s in schools
    }
    opener = User.objects.get(username="hl1z_safety")
    now = clock.now()
    states = [s for s, _ in CaseState.choices]
    behaviours = ["physical", "verbal", "relational", "cyber", "property"]
    batch = 5000
    for lo in range(start, n_cases, batch):
        with transaction.atomic():
            rows = []
            for i in range(lo, min(n_cases, lo + batch)):
                school = schools[i % len(schools)]
                discovered = now - timedelta(minutes=rng.randrange(60 * 24 * 700))
                required = rng.random() < 0.08
                reported = (
                    discovered + timedelta(hours=rng.choice([1, 1, 1, 3]))
                    if required and rng.random() < 0.9
                    else None
                )
                state = rng.choice(states)
                rows.append(
                    BullyingCase(
                        county=county,
                        school=school,
                        number=f"{MARK}{i:07d}",
                        source=rng.choice(["staff", "parent", "anonymous_report", "hotline", "monitoring"]),
                        opened_by=opener,
                        discovered_at=discovered,
                        occurred_at=discovered - timedelta(hours=2),
                        place="走廊",
                        behaviour_types=[rng.choice(behaviours)],
                        summary="基准数据",
                        state=state,
                        report_required=required,
                        report_due_at=discovered + timedelta(hours=2) if required else None,
                        first_reported_at=reported,
                        report_late=bool(reported and reported > discovered + timedelta(hours=2)),
                        closed_at=discovered + timedelta(days=20) if state == "closed" else None,
                    )
                )
            made = BullyingCase.objects.bulk_create(rows, batch_size=batch)
            parties = []
            for c in made:
                pool = by_school.get(c.school_id)
                if pool:
                    parties.append(
                        CaseParty(
                            county=county,
                            school_id=c.school_id,
                            case=c,
                            role="victim",
                            student_id=rng.choice(pool),
                            added_by=opener,
                        )
                    )
            CaseParty.objects.bulk_create(parties, batch_size=batch)


def inprocess(info_path: str, runs: int, only: set[str]) -> None:
    """Each page through Django's test client: median ms and the number of queries."""
    _django()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    info = json.loads(Path(info_path).read_text())
    # the machine's speed at this run: the in-process times can be read against it (the shared
    # 2-core machines vary by half from one hour to the next); the calls do not depend on it
    print(f"BENCH page_cpu_reference_ms {cpu_reference_ms():.1f} ms")
    clients = {}
    for who, key in info["sessions"].items():
        clients[who] = Client()
        clients[who].cookies["sessionid"] = key
    for name, who, path in PAGES:
        if only and name not in only:
            continue
        url = path.format(case=info["case"])
        client = clients[who]
        client.get(url)  # warm
        samples = []
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        queries = len(ctx.captured_queries)  # read now: the next request clears the log
        assert resp.status_code == 200, (url, resp.status_code)
        for _ in range(runs):
            t = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - t) * 1000)
        print(f"BENCH page_{name}_inproc_ms {statistics.median(samples):.1f} ms")
        # the fastest run: the cost with the least interference from other work on the machine
        print(f"BENCH page_{name}_inproc_min_ms {min(samples):.1f} ms")
        print(f"BENCH page_{name}_queries {queries} queries")
        print(f"BENCH page_{name}_calls {python_calls(functools.partial(client.get, url))} calls")


# --- the load ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(db_url: str, var_dir: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        ANXIN_VAR_DIR=var_dir,
        ANXIN_ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        ANXIN_LOG_LEVEL="ERROR",
        ANXIN_DEMO="true",
        ANXIN_TASKS_IMMEDIATE="false",
        # production shape: Redis for the cache (and the task queue; no worker runs here), in a
        # database of the bench's own; BENCH_REDIS_URL="" runs with the database cache instead
        ANXIN_REDIS_URL=REDIS_URL,
    )
    env.pop("ANXIN_TESTING", None)
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


def start_gunicorn(env: dict, port: int, bare: bool) -> subprocess.Popen:
    env = dict(env)
    args = [GUNICORN, "config.wsgi:application"]
    if bare:
        env["DJANGO_SETTINGS_MODULE"] = "_pages_bare"
        args += ["--pythonpath", str(ROOT / "bench")]
    # the flags of `manage.py serve` (anxin/core/management/commands/serve.py), no access log
    args += ["--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "4", "--timeout", "120"]
    args += ["--log-level", "error"]
    return subprocess.Popen(args, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


def wait_ready(port: int, path: str, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"gunicorn on {port} did not answer {path}")


def check_page(port: int, path: str, cookie: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
    resp = conn.getresponse()
    resp.read()
    if resp.status != 200:
        raise RuntimeError(f"{path}: HTTP {resp.status} {resp.getheader('Location') or ''}")


def load(port: int, path: str, cookie: str, seconds: float, connections: int, script: str | None) -> dict:
    if script:
        cmd = [
            "wrk",
            f"-t{min(2, connections)}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--timeout",
            "10s",
        ]
        cmd += ["-s", script]
        if cookie:
            cmd += ["-H", f"Cookie: {cookie}"]
        out = subprocess.run(  # noqa: S603
            [*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
        ).stdout
        line = next(x for x in out.splitlines() if x.startswith("WRKJSON "))
        r = json.loads(line[len("WRKJSON ") :])
        return {
            "rps": r["requests"] / (r["duration_us"] / 1e6),
            "p50": r["p50_us"] / 1000,
            "p95": r["p95_us"] / 1000,
            "p99": r["p99_us"] / 1000,
            "errors": r["errors"] + r["bad_status"],
        }
    return _py_load(port, path, cookie, seconds, connections)


def _py_load(port: int, path: str, cookie: str, seconds: float, connections: int) -> dict:
    """The fallback load generator: one thread per connection, keep-alive, closed loop."""
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()
    end = time.monotonic() + seconds
    headers = {"Cookie": cookie} if cookie else {}

    def run():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        while time.monotonic() < end:
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                ok = False
            mine.append((time.perf_counter() - t) * 1000)
            if not ok:
                with lock:
                    errors[0] += 1
        with lock:
            lat.extend(mine)

    started = time.monotonic()
    threads = [threading.Thread(target=run, daemon=True) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    lat.sort()
    lat = lat or [0.0]

    def pct(p):
        return lat[min(len(lat) - 1, int(round(p / 100 * len(lat))) - 1)]

    return {"rps": len(lat) / elapsed, "p50": pct(50), "p95": pct(95), "p99": pct(99), "errors": errors[0]}


def _bench_redis():
    """The bench's own Redis database (bench/_common.py), or None: the database cache."""
    global REDIS_URL
    client = local_redis(REDIS_URL)
    if client is None:
        REDIS_URL = ""
    return client


def stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        except ProcessLookupError:
            pass


def run(args) -> int:
    admin_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    u = urlparse(admin_url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        print("BENCH_PG_URL must point at a local server", file=sys.stderr)
        return 2
    dbname = args.db or f"anxin_bench_pages_{os.getpid()}_{secrets.token_hex(3)}"
    db_url = f"{u.scheme}://{u.netloc}/{dbname}"
    # the keys (sessions, encrypted fields) live with the database they were made for
    var_dir = str(Path(tempfile.gettempdir()) / f"anxin-bench-{dbname}")
    os.makedirs(var_dir, exist_ok=True)
    bench_redis = _bench_redis()
    env = server_env(db_url, var_dir)
    exists = pg_admin(admin_url, f"SELECT 1 FROM pg_database WHERE datname = '{dbname}'")
    if not exists:
        pg_admin(admin_url, f'CREATE DATABASE "{dbname}"')
    servers: list[subprocess.Popen] = []
    if bench_redis is not None:
        bench_redis.flushdb()
    wrk = shutil.which("wrk")
    script = None
    try:
        t = time.perf_counter()
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([PY, "manage.py", "createcachetable", "-v0"], cwd=ROOT, env=env, check=True)
        # the staff pages link the collected static files (manifest storage, as in production)
        subprocess.run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run(
            [PY, __file__, "--prepare", "--cases", str(args.cases)],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
        info = json.loads(out.strip().splitlines()[-1])
        print(
            f"# database {dbname}: {info['cases']} cases ({info['school_cases']} in 贺兰县第一中学), "
            f"ready in {time.perf_counter() - t:.0f} s"
        )
        info_path = Path(var_dir) / "pages.json"
        info_path.write_text(json.dumps(info))
        only = set(filter(None, args.only.split(",")))
        # in-process first, on an idle machine
        subprocess.run(
            [PY, __file__, "--inprocess", str(info_path), "--runs", str(args.runs), "--only", args.only],
            cwd=ROOT,
            env=env,
            check=True,
        )
        app_port, bare_port = free_port(), free_port()
        servers.append(start_gunicorn(env, app_port, bare=False))
        servers.append(start_gunicorn(env, bare_port, bare=True))
        bare_path = f"/bare/{info['school'] % 50}/"
        wait_ready(app_port, "/healthz")
        wait_ready(bare_port, bare_path)
        if wrk:
            fd, script = tempfile.mkstemp(suffix=".lua", dir=var_dir)
            with os.fdopen(fd, "w") as fh:
                fh.write(WRK_SCRIPT)
        print(
            f"# load: {'wrk' if wrk else 'Python load generator (no wrk)'}, {args.connections} connections, "
            f"{args.seconds} s per run; gunicorn 2 workers x 4 threads for each server; "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start"
        )
        bare_runs, shares = [], {}
        for name, who, path in PAGES:
            if only and name not in only:
                continue
            url = path.format(case=info["case"])
            cookie = f"sessionid={info['sessions'][who]}"
            check_page(app_port, url, cookie)
            # warm both servers' workers, then the bare view and the page back to back
            load(bare_port, bare_path, "", 1, args.connections, script)
            load(app_port, url, cookie, 1, args.connections, script)
            bare = load(bare_port, bare_path, "", args.seconds, args.connections, script)
            page = load(app_port, url, cookie, args.seconds, args.connections, script)
            bare_runs.append(bare["rps"])
            share = 100 * page["rps"] / bare["rps"] if bare["rps"] else 0
            print(
                f"# {name:16s} {url:22s} {page['rps']:7.1f} req/s  p50 {page['p50']:6.0f} ms  "
                f"p95 {page['p95']:6.0f} ms  p99 {page['p99']:6.0f} ms  errors {page['errors']}  "
                f"| bare {bare['rps']:6.1f} req/s p95 {bare['p95']:4.0f} ms  → {share:.1f} %"
            )
            print(f"BENCH page_{name}_rps {page['rps']:.1f} req/s")
            print(f"BENCH page_{name}_p95_ms {page['p95']:.0f} ms")
            print(f"BENCH page_{name}_share_pct {share:.1f} %")
            shares[name] = share
        if shares.get("shell"):
            # each page against the lightest staff page (both as shares of the bare view in their
            # own runs): what a page costs beyond the shell every page pays
            for name, share in shares.items():
                if name != "shell":
                    print(f"BENCH page_{name}_of_shell_pct {100 * share / shares['shell']:.1f} %")
        if bare_runs:
            print(
                f"# bare view: {min(bare_runs):.0f}–{max(bare_runs):.0f} req/s over the runs; "
                f"load average {os.getloadavg()[0]:.1f} at the end"
            )
            print(f"BENCH page_bare_rps {statistics.mean(bare_runs):.1f} req/s")
    finally:
        for proc in servers:
            stop(proc)
        if bench_redis is not None:
            bench_redis.flushdb()
        if not args.keep:
            pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
            shutil.rmtree(var_dir, ignore_errors=True)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=int(os.environ.get("BENCH_PAGES_CASES", 200_000)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_PAGES_SECONDS", 4)))
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--runs", type=int, default=7, help="in-process GETs per page (median)")
    parser.add_argument("--only", default="", help="comma-separated page names")
    parser.add_argument("--db", default="", help="use (or make) this database instead of a throwaway one")
    parser.add_argument("--keep", action="store_true", help="keep the database for the next run")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--inprocess", metavar="INFO", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.cases)
        return 0
    if args.inprocess:
        inprocess(args.inprocess, args.runs, set(filter(None, args.only.split(","))))
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
