"""Benchmark the county register (台账) and the case page (issue 3 quality bar: ≤ 300 ms each).

Builds a throwaway SQLite database in a temporary directory (ANXIN_VAR_DIR) with one county of
40 schools and 100,000 cases (bulk-written registers: parties, a bureau report for the
reported ones, a few timeline events), plus one case taken to 回访 through the services (every
record the page shows). Then it prints:

    BENCH case_register_first_page_ms <v> ms   median GET of the county register, first page, as bureau staff
    BENCH case_page_ms <v> ms                  median GET of the case page, as the school's middle manager

Figures only, no assertions (GUIDE: benchmarks print, tests assert). Usage:
    .venv/bin/python bench/case_register.py [--cases 100000] [--runs 9]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(var_dir: str) -> None:
    os.environ["ANXIN_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ANXIN_TASKS_IMMEDIATE", "true")
    os.environ.setdefault("ANXIN_TESTING", "true")  # plain static storage, no manifest needed
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_cases: int, rng: random.Random):
    from django.db import transaction

    from anxin.cases import scenarios, timeline
    from anxin.cases.models import BullyingCase, BureauReport, CaseEvent, CaseParty, CaseState
    from anxin.core import clock
    from anxin.core.roles import Role
    from anxin.core.testing import make_school, make_student, make_user
    from anxin.org.models import County

    county = County.objects.create(name="基准县", code="649998", bureau_name="基准县教育体育局")
    schools = [make_school(county, f"基准中学{i:02d}", f"8{i:09d}")[0] for i in range(40)]
    first = schools[0]
    from anxin.org.models import SchoolClass

    k1 = SchoolClass.objects.filter(school=first).first()
    students = [make_student(k1, f"基准学生{i}", 900 + i) for i in range(4)]
    users = {
        r: make_user(f"bench_{r}", county, r, None if r == Role.BUREAU_SAFETY else first)
        for r in (Role.BUREAU_SAFETY, Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER)
    }
    scenarios.constitute(first, users[Role.PRINCIPAL])
    # one full case through the services: the case page's subject
    full = scenarios.open_simple(
        first, users[Role.MIDDLE_MANAGER], victim=students[0], bully=students[1], source="public_opinion"
    )
    scenarios.drive(
        full,
        users[Role.MIDDLE_MANAGER],
        CaseState.FOLLOW_UP,
        leader=users[Role.SAFETY_LEADER],
        result="serious",
    )
    # the register: bulk rows (no audit signals: seeding only)
    now = clock.now()
    states = [s for s, _ in CaseState.choices]
    batch = 5000
    with transaction.atomic():
        for start in range(0, n_cases, batch):
            rows = []
            for i in range(start, min(n_cases, start + batch)):
                school = schools[i % len(schools)]
                discovered = now - timedelta(minutes=rng.randrange(60 * 24 * 700))
                required = rng.random() < 0.08
                reported = (
                    discovered + timedelta(hours=rng.choice([1, 1, 1, 3]))
                    if required and rng.random() < 0.9
                    else None
                )
                rows.append(
                    BullyingCase(
                        county=county,
                        school=school,
                        number=f"{school.name}-{2026 - (i % 3)}-{i:06d}",
                        source=rng.choice(["staff", "parent", "anonymous_report", "hotline", "monitoring"]),
                        opened_by=users[Role.MIDDLE_MANAGER],
                        discovered_at=discovered,
                        place="走廊",
                        behaviour_types=["physical"],
                        summary="基准数据",
                        state=rng.choice(states),
                        report_required=required,
                        report_due_at=discovered + timedelta(hours=2) if required else None,
                        first_reported_at=reported,
                        report_late=bool(reported and reported > discovered + timedelta(hours=2)),
                    )
                )
            made = BullyingCase.objects.bulk_create(rows, batch_size=batch)
            parties, reports, events = [], [], []
            for c in made:
                parties.append(
                    CaseParty(
                        county=county,
                        school_id=c.school_id,
                        case=c,
                        role="victim",
                        student=students[2],
                        added_by=users[Role.MIDDLE_MANAGER],
                    )
                )
                if c.first_reported_at:
                    reports.append(
                        BureauReport(
                            county=county,
                            school_id=c.school_id,
                            case=c,
                            kind="first",
                            drafted_by=users[Role.MIDDLE_MANAGER],
                            submitted_at=c.first_reported_at,
                            is_late=c.report_late,
                        )
                    )
                prev = "0" * 64
                for seq in (1, 2):
                    values = {
                        "case_id": c.pk,
                        "seq": seq,
                        "at": now,
                        "county_id": county.pk,
                        "school_id": c.school_id,
                        "actor_id": None,
                        "actor": "bench",
                        "kind": "opened",
                        "summary": "基准",
                        "data": {},
                        "corrects_id": None,
                    }
                    digest = timeline.compute_hash(prev, timeline.row_for_hash(values))
                    events.append(CaseEvent(prev_hash=prev, hash=digest, **values))
                    prev = digest
            CaseParty.objects.bulk_create(parties, batch_size=batch)
            BureauReport.objects.bulk_create(reports, batch_size=batch)
            CaseEvent.objects.bulk_create(events, batch_size=batch)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return users, full


def timed(client, url: str, runs: int) -> float:
    client.get(url)  # warm caches
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        resp = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200, (url, resp.status_code)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anxin-bench-cases-") as var_dir:
        setup(var_dir)
        from django.test import Client
        from django.urls import reverse

        from anxin.core.roles import Role
        from anxin.core.testing import login

        t = time.perf_counter()
        users, full = build(args.cases, random.Random(2026))
        print(f"# seeded {args.cases} cases in {time.perf_counter() - t:.1f} s", file=sys.stderr)
        bureau = Client()
        login(bureau, users[Role.BUREAU_SAFETY])
        register = timed(bureau, reverse("cases:case_list"), args.runs)
        manager = Client()
        login(manager, users[Role.MIDDLE_MANAGER])
        page = timed(manager, reverse("cases:case_detail", args=[full.pk]), args.runs)
        print(f"BENCH case_register_first_page_ms {register:.1f} ms")
        print(f"BENCH case_page_ms {page:.1f} ms")


if __name__ == "__main__":
    main()
