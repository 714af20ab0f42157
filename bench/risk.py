"""Benchmark the risk engine and the class screening page (issue 5 quality bar).

Builds a throwaway SQLite database in a temporary directory (ANXIN_VAR_DIR) with a county of
50,000 students (1,000 classes of 50 in 40 schools) and realistic inputs: roster flags seeding
the vulnerability register, a screening round about 70 % done, the tendency register, signals
from cases and reports, a peer survey in 40 classes. Then it prints:

    BENCH risk_recompute_county_s <v> s      full recompute of the county (first run: every state written)
    BENCH risk_recompute_one_ms <v> ms       median of one student's recompute after an event
    BENCH class_screening_page_ms <v> ms     median GET of the class screening page (50 students)

Figures only, no assertions (GUIDE: benchmarks print, tests assert). Usage:
    .venv/bin/python bench/risk.py [--students 50000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def setup(var_dir: str) -> None:
    os.environ["ANXIN_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("ANXIN_TASKS_IMMEDIATE", "true")
    # plain static storage (no collectstatic manifest in a throwaway directory)
    os.environ.setdefault("ANXIN_TESTING", "true")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(n_students: int, rng: random.Random):
    from django.db import transaction

    from anxin.core import clock
    from anxin.core.testing import make_user
    from anxin.org.models import County, Grade, School, SchoolClass
    from anxin.roster.models import Student
    from anxin.screening import services
    from anxin.screening.models import (
        Nomination,
        PeerSurvey,
        RiskSignal,
        ScreeningRecord,
        ScreeningRound,
        SurveyResponse,
        TendencyEntry,
    )

    per_class = 50
    n_classes = max(1, n_students // per_class)
    n_schools = max(1, n_classes // 25)
    today = clock.today()
    county = County.objects.create(name="基准县", code="649999", bureau_name="基准县教育体育局")
    admin = make_user("bench_bureau", county, "bureau_safety")
    schools = School.objects.bulk_create(
        [
            School(county=county, name=f"基准学校{i:03d}", code=f"9{i:09d}", type="junior", town="基准镇")
            for i in range(n_schools)
        ]
    )
    grades = Grade.objects.bulk_create(
        [
            Grade(county=county, school=s, name=f"初{y}", stage="junior", year=6 + y)
            for s in schools
            for y in (1, 2, 3)
        ]
    )
    classes = []
    for i in range(n_classes):
        g = grades[i % len(grades)]
        classes.append(SchoolClass(county=county, school_id=g.school_id, grade=g, name=f"{i}班"))
    classes = SchoolClass.objects.bulk_create(classes, batch_size=1000)
    students = []
    for k in classes:
        for j in range(per_class):
            students.append(
                Student(
                    county=county,
                    school_id=k.school_id,
                    klass=k,
                    name=f"学生{k.pk}-{j}",
                    sex="1",
                    birth_date=date(2011, 1, 1) + timedelta(days=rng.randrange(700)),
                    left_behind=rng.choice("0000000012"),
                    migrant=rng.random() < 0.08,
                    orphan=rng.random() < 0.005,
                    needs_aid=rng.random() < 0.1,
                )
            )
    with transaction.atomic():
        Student.objects.bulk_create(students, batch_size=2000)
    students = list(
        Student.objects.filter(county=county).order_by("pk").values("pk", "klass_id", "school_id")
    )
    services.sync_roster_flags(county_id=county.pk, recompute=False)

    with transaction.atomic():
        rounds = {
            s.pk: ScreeningRound.objects.create(
                county=county, school=s, title="基准排查", opened_by=admin, deadline=today + timedelta(days=7)
            )
            for s in schools
        }
        recs = []
        for st in students:
            if rng.random() < 0.7:
                x = rng.random()
                recs.append(
                    ScreeningRecord(
                        county=county,
                        school_id=st["school_id"],
                        round=rounds[st["school_id"]],
                        student_id=st["pk"],
                        klass_id=st["klass_id"],
                        recorded_by=admin,
                        psych="abnormal" if x < 0.01 else "concern" if x < 0.05 else "good",
                        mood="low" if x < 0.04 else "stable",
                        peers="isolated" if x < 0.02 else "harmonious",
                        signs_seen=x < 0.01,
                        note="苗头" if x < 0.01 else "",
                    )
                )
        ScreeningRecord.objects.bulk_create(recs, batch_size=2000)
        TendencyEntry.objects.bulk_create(
            [
                TendencyEntry(
                    county=county,
                    school_id=st["school_id"],
                    student_id=st["pk"],
                    grounds="基准",
                    review_due=today + timedelta(days=30),
                )
                for st in rng.sample(students, len(students) // 100)
            ],
            batch_size=2000,
        )
        kinds = [
            "case_victim",
            "case_bully",
            "named_report",
            "named_concern",
            "monitoring_sign",
            "care_anomaly",
        ]
        RiskSignal.objects.bulk_create(
            [
                RiskSignal(
                    county=county,
                    school_id=st["school_id"],
                    student_id=st["pk"],
                    kind=rng.choice(kinds),
                    source_type="bench.source",
                    source_id=str(i),
                    at=clock.now() - timedelta(days=rng.randrange(200)),
                )
                for i, st in enumerate(rng.sample(students, len(students) // 50))
            ],
            batch_size=2000,
        )
        by_class: dict[int, list] = {}
        for st in students:
            by_class.setdefault(st["klass_id"], []).append(st)
        for k in rng.sample(classes, min(40, len(classes))):
            sv = PeerSurvey.objects.create(
                county=county,
                school_id=k.school_id,
                klass=k,
                created_by=admin,
                closes_on=today + timedelta(days=5),
            )
            mates = by_class[k.pk]
            answered = mates[: int(len(mates) * 0.9)]
            resps = SurveyResponse.objects.bulk_create(
                [
                    SurveyResponse(
                        county=county,
                        school_id=k.school_id,
                        survey=sv,
                        klass=k,
                        student_id=st["pk"],
                        victim={"verbal": rng.choice([0, 0, 0, 0, 0, 0, 1, 1, 2, 3])},
                    )
                    for st in answered
                ]
            )
            noms = []
            for st, r in zip(answered, resps, strict=True):
                for m in rng.sample(mates, 3):
                    if m["pk"] != st["pk"]:
                        noms.append(
                            Nomination(
                                county=county,
                                school_id=k.school_id,
                                survey=sv,
                                response=r,
                                nominator_id=st["pk"],
                                nominee_id=m["pk"],
                                kind="friend",
                                klass=k,
                            )
                        )
            Nomination.objects.bulk_create(noms, ignore_conflicts=True)
    return county, schools, classes, students


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="anxin-bench-risk-") as var_dir:
        setup(var_dir)
        rng = random.Random(args.seed)
        t0 = time.perf_counter()
        county, schools, classes, students = build(args.students, rng)
        print(
            f"# built {len(students)} students in {len(classes)} classes of {len(schools)} schools "
            f"in {time.perf_counter() - t0:.1f} s",
            flush=True,
        )

        from anxin.core import clock
        from anxin.screening import risk
        from anxin.screening.models import RiskSignal, RiskState

        t0 = time.perf_counter()
        total, changed = risk.recompute_county(county.pk)
        county_s = time.perf_counter() - t0
        levels = dict.fromkeys(("red", "orange", "yellow", "green"), 0)
        for lv in RiskState.objects.filter(county=county).values_list("level", flat=True):
            levels[lv] += 1
        print(f"# {total} students, {changed} with a level or reasons; levels {levels}")
        print(f"BENCH risk_recompute_county_s {county_s:.2f} s", flush=True)
        t0 = time.perf_counter()
        risk.recompute_county(county.pk)
        print(f"# second run (nothing changed): {time.perf_counter() - t0:.2f} s")

        times = []
        for i, st in enumerate(rng.sample(students, 101)):
            RiskSignal.objects.create(
                county=county,
                school_id=st["school_id"],
                student_id=st["pk"],
                kind="named_concern",
                source_type="bench.event",
                source_id=str(i),
                at=clock.now(),
            )
            t0 = time.perf_counter()
            risk.recompute([st["pk"]])
            times.append((time.perf_counter() - t0) * 1000)
        print(f"BENCH risk_recompute_one_ms {statistics.median(times):.1f} ms", flush=True)

        from django.test import Client

        from anxin.core.testing import login, make_user
        from anxin.screening.models import ScreeningRound

        klass = classes[0]
        teacher = make_user("bench_ct", county, "class_teacher", klass.school, klass)
        rnd = ScreeningRound.objects.get(school_id=klass.school_id)
        client = Client()
        login(client, teacher)
        url = f"/screening/rounds/{rnd.pk}/class/{klass.pk}/"
        for _ in range(3):
            r = client.get(url)
            assert r.status_code == 200, r.status_code
        page = []
        for _ in range(30):
            t0 = time.perf_counter()
            client.get(url)
            page.append((time.perf_counter() - t0) * 1000)
        n = r.content.decode().count('name="student"')
        print(f"# class page rows: {n}")
        print(f"BENCH class_screening_page_ms {statistics.median(page):.1f} ms", flush=True)


if __name__ == "__main__":
    main()
