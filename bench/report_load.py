"""Load test of the anonymous report channel (issue 4, quality bar "Nothing lost").

Starts gunicorn on a free loopback port against a throwaway PostgreSQL database (created,
migrated, seeded with one county and school, dropped at the end), runs 200 concurrent
reporters for 60 s against the public report endpoint (the one the future WeChat
mini-program uses; it calls the same ``services.submit_report`` as the web form), then checks
that every 2xx response matches exactly one stored report and every other response was an
explicit error (a JSON body with a Chinese ``message``: 400/413/429/503).

Prints ``BENCH <name> <value> <unit>`` lines (scripts/bench.sh). Exits non-zero when a report
was lost or a response was not an explicit error. Never leaves 127.0.0.1.

    .venv/bin/python bench/report_load.py [--reporters 200] [--seconds 60] [--workers N]

Environment: ``BENCH_PG_URL`` (default postgres://postgres@127.0.0.1:5432/postgres).
The per-device and per-school rate limits are raised for the run through their environment
variables (ANXIN_INTAKE_RATE_REPORT_*): otherwise every reporter would meet a 429 at once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
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
import uuid
from pathlib import Path
from urllib.parse import urlparse

from _common import local_redis, pg_admin

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
EXPLICIT = {400, 413, 429, 503}
MAX_REQUESTS = 200_000  # a hard bound on what one run may send
# production shape: PostgreSQL + Redis (rate-limit counters, task queue); a database of its own
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(db_url: str, var_dir: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        ANXIN_VAR_DIR=var_dir,
        ANXIN_SECRET_KEY=secrets.token_urlsafe(40),
        ANXIN_FIELD_KEY=secrets.token_urlsafe(40),
        ANXIN_ALLOWED_HOSTS="127.0.0.1,localhost",
        ANXIN_LOG_LEVEL="ERROR",
        PYTHONWARNINGS="ignore::UserWarning",  # whitenoise: no collected static in this run
        # tasks go to Redis and a Huey consumer runs them, as `make run` / `manage.py serve` do
        ANXIN_TASKS_IMMEDIATE="false",
        # rate limits raised for the load test (they are settings; see anxin/intake/conf.py)
        ANXIN_INTAKE_RATE_REPORT_DEVICE="1000000/h",
        ANXIN_INTAKE_RATE_REPORT_NEW="1000000/h",  # unsigned bench devices share the new-device pool
        ANXIN_INTAKE_RATE_REPORT_SCHOOL="100000000/h",
        # BENCH_REDIS_URL="" runs without Redis (database cache, SQLite task queue in var_dir)
        ANXIN_REDIS_URL=REDIS_URL,
    )
    env.pop("ANXIN_TESTING", None)
    return env


# --- in-process helpers (run inside the throwaway database's Django) ---------------------------
def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def setup_data(n_schools: int) -> None:
    """Seed one county with its schools and their triage staff; print the public codes."""
    _django()
    from anxin.core.testing import make_school, make_user
    from anxin.org.models import County

    county = County.objects.create(name="压测县", code="999999", bureau_name="压测县教育体育局")
    schools = []
    for i in range(n_schools):
        school, _c1, _c2 = make_school(county, f"压测第{i + 1}中学", f"99999999{i:02d}")
        make_user(f"bench_leader_{i}", county, "safety_leader", school)
        make_user(f"bench_manager_{i}", county, "middle_manager", school)
        schools.append(school)
    print(json.dumps({"schools": [s.public_code for s in schools], "school_ids": [s.pk for s in schools]}))


def verify(results_path: str) -> None:
    """Match every 2xx response to exactly one stored report; print a JSON summary."""
    _django()
    from anxin.intake import codes
    from anxin.intake.models import FollowUpCode, Report

    with open(results_path) as fh:
        data = json.load(fh)
    school_ids = data["school_ids"]
    accepted = [r for r in data["results"] if 200 <= r["status"] < 300]
    stored: dict[str, list[int]] = {}
    report_ids = set()
    for pk, text in (
        Report.objects.filter(school_id__in=school_ids).values_list("pk", "text").iterator(chunk_size=2000)
    ):
        report_ids.add(pk)
        nonce = text.rsplit("#", 1)[-1]
        stored.setdefault(nonce, []).append(pk)
    hashes = dict(FollowUpCode.objects.filter(school_id__in=school_ids).values_list("report_id", "code_hash"))
    lost = 0
    for r in accepted:
        found = stored.get(r["nonce"], [])
        ok = (
            len(found) == 1
            and found[0] == r["reference"]
            and hashes.get(r["reference"]) == codes.code_hash(codes.normalise(r["code"] or "") or "-")
        )
        lost += 0 if ok else 1
    acknowledged = {r["reference"] for r in accepted}
    from anxin.core.models import AuditEvent
    from anxin.core.verify import verify_all

    audited_ids = list(
        AuditEvent.objects.filter(object_type="intake.report", action="create", school_id__in=school_ids)
        .values_list("object_id", flat=True)
        .iterator(chunk_size=5000)
    )
    # exactly one audit entry per stored report, and every link of every chain intact
    audit_mismatch = len(audited_ids) != len(set(audited_ids)) or {int(i) for i in audited_ids} != report_ids
    chain_problems = [f"{stream}: {problem}" for stream, problem in verify_all() if problem is not None]
    print(
        json.dumps(
            {
                "lost": lost,
                "stored": len(report_ids),
                "stored_without_2xx": len(report_ids - acknowledged),  # e.g. a reply cut off after commit
                "duplicates": sum(1 for v in stored.values() if len(v) > 1),
                "audited": len(audited_ids),
                "audit_mismatch": audit_mismatch,
                "chain_problems": chain_problems[:5],
                "not_yet_audited": Report.objects.filter(
                    school_id__in=school_ids, creation_audited=False
                ).count(),
            }
        )
    )


# --- the load -----------------------------------------------------------------------------------
def reporter(
    port: int, school: str, deadline: float, out: list, lock: threading.Lock, idx: int, budget: list
) -> None:
    device = f"bench-device-{idx:06d}-{uuid.uuid4().hex[:8]}"
    seq = 0
    while time.monotonic() < deadline:
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        seq += 1
        nonce = f"{idx}-{seq}-{uuid.uuid4().hex}"
        body = json.dumps(
            {
                "school": school,
                "reporter_kind": "student",
                "behaviours": ["physical"],
                "text": f"压测：课间在走廊被推搡。#{nonce}",
                "place_kind": "corridor",
                "place": "二楼走廊",
                "client_token": nonce[:64],
            }
        ).encode()
        t0 = time.perf_counter()
        rec = {"nonce": nonce, "status": 0, "ms": 0.0, "reference": None, "code": None, "explicit": False}
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request(
                "POST",
                "/api/v1/public/reports/",
                body=body,
                headers={"Content-Type": "application/json", "X-Anxin-Device": device},
            )
            resp = conn.getresponse()
            raw = resp.read()
            conn.close()
            rec["status"] = resp.status
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = {}
            if 200 <= resp.status < 300:
                rec["reference"] = payload.get("reference")
                rec["code"] = payload.get("followup_code")
            else:
                rec["explicit"] = resp.status in EXPLICIT and bool(payload.get("message"))
        except (OSError, http.client.HTTPException) as exc:
            rec["error"] = type(exc).__name__
        rec["ms"] = (time.perf_counter() - t0) * 1000
        with lock:
            out.append(rec)


def run(args) -> int:
    admin_url = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    dbname = f"anxin_bench_{os.getpid()}_{secrets.token_hex(3)}"
    u = urlparse(admin_url)
    if u.hostname not in ("127.0.0.1", "localhost", "::1"):
        print("BENCH_PG_URL must point at a local server", file=sys.stderr)
        return 2
    db_url = f"{u.scheme}://{u.netloc}/{dbname}"
    bench_redis = _bench_redis()
    var_dir = tempfile.mkdtemp(prefix="anxin-bench-")
    env = server_env(db_url, var_dir)
    port = free_port()
    server = None
    pg_admin(admin_url, f'CREATE DATABASE "{dbname}"')
    worker = None
    try:
        if bench_redis is not None:  # no rate-limit counters or queued tasks left from an earlier run
            bench_redis.flushdb()
        subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        seeded = json.loads(
            subprocess.run(
                [PY, __file__, "--setup", "--schools", str(args.schools)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        # sync workers: one request per process, so a request holding the school's audit-stream
        # lock never waits for the GIL behind another thread of its worker
        workers = args.workers or (2 * (os.cpu_count() or 1) + 1)
        children0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        server = subprocess.Popen(
            [
                GUNICORN,
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--worker-class",
                args.worker_class,
                "--threads",
                str(args.threads),
                "--backlog",
                "2048",
                "--timeout",
                "60",
                "--log-level",
                "error",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        _wait_ready(port)
        # the task worker of `manage.py serve`: audit batches, alerts, the minute sweeps
        worker = subprocess.Popen(
            [PY, "manage.py", "run_huey", "--quiet"], cwd=ROOT, env=env, start_new_session=True
        )
        results: list = []
        lock = threading.Lock()
        budget = [MAX_REQUESTS]
        self0 = resource.getrusage(resource.RUSAGE_SELF)
        started = time.monotonic()
        deadline = started + args.seconds
        codes_ = seeded["schools"]
        threads = [
            threading.Thread(
                target=reporter,
                args=(port, codes_[i % len(codes_)], deadline, results, lock, i, budget),
                daemon=True,
            )
            for i in range(args.reporters)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=args.seconds + 60)
        elapsed = time.monotonic() - started
        self1 = resource.getrusage(resource.RUSAGE_SELF)
        drained, waiting = _drain(
            db_url
        )  # the task worker finishes the audit batches of the last submissions
        _stop(server)
        _stop(worker)
        children1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        server_cpu = _cpu(children1) - _cpu(children0)  # gunicorn master, its workers, the task worker
        client_cpu = _cpu(self1) - _cpu(self0)
        server = worker = None
        path = Path(var_dir) / "results.json"
        path.write_text(json.dumps({"school_ids": seeded["school_ids"], "results": results}))
        check = json.loads(
            subprocess.run(
                [PY, __file__, "--verify", str(path)],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()[-1]
        )
    finally:
        for proc in (server, worker):
            if proc is not None:
                _stop(proc)
        try:
            pg_admin(admin_url, f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        finally:
            shutil.rmtree(var_dir, ignore_errors=True)
            if bench_redis is not None:
                bench_redis.flushdb()
    ok = [r for r in results if 200 <= r["status"] < 300]
    explicit = [r for r in results if not (200 <= r["status"] < 300) and r["explicit"]]
    unexplained = [r for r in results if not (200 <= r["status"] < 300) and not r["explicit"]]
    latencies = sorted(r["ms"] for r in results) or [0.0]
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * len(latencies))) - 1)]
    by_status: dict = {}
    for r in results:
        key = r["status"] or r.get("error", "error")
        by_status[key] = by_status.get(key, 0) + 1
    print(
        f"# {args.reporters} reporters on {args.schools} school(s), {elapsed:.1f} s, gunicorn {args.worker_class} "
        f"{workers} workers x {args.threads} threads, PostgreSQL; responses by status: {by_status}"
    )
    print(
        f"# stored {check['stored']} reports; stored without a 2xx reply: {check['stored_without_2xx']}; "
        f"duplicates: {check['duplicates']}; in the audit chain: {check['audited']} "
        f"(pending {check['not_yet_audited']}; {waiting} were waiting when the load stopped, "
        f"drained {drained:.1f} s later); "
        f"median {statistics.median(latencies):.0f} ms"
    )
    n = max(len(results), 1)
    print(
        f"# CPU: gunicorn + task worker {server_cpu * 1000 / n:.1f} ms per request, load generator {client_cpu * 1000 / n:.1f} ms "
        f"per request (PostgreSQL not counted); {os.cpu_count()} CPUs, 1-min load average at the end "
        f"{os.getloadavg()[0]:.1f}"
    )
    print(
        f"# counting the {drained:.1f} s the task worker took to put the last reports into the audit chain: "
        f"{len(ok) / (elapsed + drained):.1f} reports/s"
    )
    if check["audit_mismatch"] or check["chain_problems"]:
        print(f"# AUDIT: entries do not match the stored reports one to one, or {check['chain_problems']}")
    print(f"BENCH report_load_throughput {len(ok) / elapsed:.1f} reports/s")
    print(f"BENCH report_load_p95_ms {p95:.0f} ms")
    print(f"BENCH report_load_lost {check['lost']} reports")
    print(f"BENCH report_load_explicit_errors {len(explicit)} responses")
    print(f"BENCH report_load_unexplained_errors {len(unexplained)} responses")
    # every stored report must also be in the audit chain once the task worker has caught up
    audit_ok = not (check["not_yet_audited"] or check["audit_mismatch"] or check["chain_problems"])
    return 1 if check["lost"] or unexplained or not audit_ok else 0


def _bench_redis():
    """The bench's own Redis database (emptied before and after a run; the server's task queue
    uses it, so no fallback). None when the run goes without Redis."""
    return local_redis(REDIS_URL, fallback=False)


def _drain(db_url: str, timeout: float = 60) -> tuple[float, int]:
    """Wait until no submission waits for its audit entry; return how long that took and how
    many were waiting when the load stopped."""
    import psycopg

    u = urlparse(db_url)
    started = time.monotonic()
    with psycopg.connect(
        host=u.hostname,
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname=u.path.lstrip("/"),
        autocommit=True,
    ) as conn:
        waiting = None
        while time.monotonic() - started < timeout:
            (left,) = conn.execute("SELECT count(*) FROM intake_report WHERE NOT creation_audited").fetchone()
            waiting = left if waiting is None else waiting
            if not left:
                break
            time.sleep(0.5)
    return time.monotonic() - started, waiting or 0


def _cpu(usage) -> float:
    return usage.ru_utime + usage.ru_stime


def _wait_ready(port: int, timeout: float = 60) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("gunicorn did not become ready")


def _stop(server: subprocess.Popen) -> None:
    """Stop the gunicorn we started (its own process group) and wait for it."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=30)  # reaped, so its CPU time is counted
        except ProcessLookupError:
            pass


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reporters", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--schools", type=int, default=1, help="spread the reporters over this many schools")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default 2×CPU+1)")
    parser.add_argument("--worker-class", default="sync", help="gunicorn worker class (sync or gthread)")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--setup", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", metavar="RESULTS", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup_data(args.schools)
        return 0
    if args.verify:
        verify(args.verify)
        return 0
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
