"""The province generator of bench/province.py (issue 13 item 6): run inside Django, on the
bench's own PostgreSQL database, after `migrate`.

Counties, schools, grades, classes, one safety leader per school and one bureau account per
county through the ORM (bulk_create); students, cases, their victims, bureau reports through
PostgreSQL COPY with explicit ids (the ids of the students of a school are known without
reading them back; the identity sequences are moved past them at the end); the audit trail
with INSERT … SELECT generate_series, one day at a time, on two connections at once. Every table
is written in one transaction (two for the audit trail: one per connection); no trigger,
index or constraint is touched.

All personal data is synthetic: names are "王某00042", ID numbers start with the region code of
the generated county (99xxxx, no real region) and carry a valid check digit, 学籍号 is "G" and
the ID number; both are encrypted and blind-indexed as the app writes them.
"""

from __future__ import annotations

import random
import sys
import threading
import time
from datetime import date, datetime, timedelta

# full scale; --scale multiplies each
COUNTIES = 70
SCHOOLS = 2_000
STUDENTS = 1_200_000
CASES = 1_000_000
AUDIT_EVENTS = 10_000_000
DAYS = 365  # the audit trail and the cases cover the last 12 months

CST = timedelta(hours=8)  # Asia/Shanghai, no daylight saving
GENESIS = "0" * 64

# (type, share of schools, students per school before the spread, grade years, stage, name, abbr.)
TYPES = [
    ("primary", 0.55, 520, range(1, 7), None, "小学", "小"),
    ("junior", 0.22, 900, range(7, 10), "junior", "初级中学", "初"),
    ("nine_year", 0.09, 700, range(1, 10), None, "九年制学校", "九"),
    ("senior", 0.07, 1800, range(10, 13), "senior", "高级中学", "高"),
    ("complete", 0.03, 1600, range(7, 13), None, "完全中学", "完"),
    ("vocational", 0.03, 1100, range(10, 13), "vocational", "职业中学", "职"),
    ("technical", 0.01, 700, range(10, 13), "vocational", "技工学校", "技"),
]
GRADE_NAMES = {
    **{y: n + "年级" for y, n in zip(range(1, 7), "一二三四五六", strict=True)},
    7: "初一",
    8: "初二",
    9: "初三",
    10: "高一",
    11: "高二",
    12: "高三",
}
VOCATIONAL_GRADE = {10: "一年级", 11: "二年级", 12: "三年级"}
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
BEHAVIOURS = (["verbal"] * 35) + (["physical"] * 30) + (["exclusion"] * 12) + (["cyber"] * 10)
BEHAVIOURS += (["property"] * 8) + (["other"] * 5)
SOURCES = [
    ("staff", 35),
    ("parent", 25),
    ("anonymous_report", 15),
    ("monitoring", 8),
    ("hotline", 6),
    ("email", 2),
    ("police", 4),
    ("public_opinion", 2),
]
RESULT_WEIGHTS = [
    ("joke", 25),
    ("dispute", 31),
    ("minor", 28),
    ("serious", 11),
    ("severe", 4),
    ("criminal", 1),
]
# (upper bound of the case's age in days, [(state, weight)]): older cases are further along
STATE_BY_AGE = [
    (2, [("registered", 40), ("stopped", 30), ("notifying", 30)]),
    (7, [("stopped", 10), ("notifying", 20), ("investigating", 45), ("determining", 25)]),
    (21, [("investigating", 15), ("determining", 25), ("handling", 40), ("follow_up", 15), ("closed", 5)]),
    (60, [("handling", 15), ("follow_up", 35), ("closed", 50)]),
    (10**6, [("handling", 2), ("follow_up", 8), ("closed", 90)]),
]
PLACES = ["教室", "走廊", "操场", "宿舍", "厕所", "食堂", "校门口", "上学路上", "网络群聊"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def out(line: str) -> None:
    print(line, flush=True)


def note(line: str) -> None:
    print(f"# {line}", file=sys.stderr, flush=True)


def scaled(n: int, scale: float, least: int = 1) -> int:
    return max(least, round(n * scale))


def id_number(region: str, born: date, seq: int) -> str:
    body = f"{region}{born:%Y%m%d}{seq:03d}"
    return body + ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]


def day_factor(day: date) -> float:
    """How busy a school day is: weekends and the summer and winter holidays are quiet."""
    if day.isoweekday() >= 6:
        return 0.1
    if (day.month == 7 and day.day >= 15) or day.month == 8 or (day.month == 1 and day.day >= 20):
        return 0.2
    if day.month == 2 and day.day < 20:
        return 0.2
    return 1.0


class Timer:
    """Times one table: `with Timer("cases") as t: ...; t.rows = n` prints its two BENCH lines."""

    totals: dict[str, float] = {}

    def __init__(self, name: str):
        self.name = name
        self.rows = 0

    def __enter__(self):
        self.t = time.perf_counter()
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False
        self.seconds = time.perf_counter() - self.t
        Timer.totals[self.name] = self.seconds
        out(f"BENCH province_gen_{self.name}_rows {self.rows} rows")
        out(f"BENCH province_gen_{self.name}_s {self.seconds:.1f} s")
        return False


def copy_rows(model, fields: list[str], rows, consts: dict | None = None) -> int:
    """COPY ``rows`` (tuples of the ``fields`` attnames) into ``model``'s table, in the caller's
    transaction. The other concrete fields take ``consts`` or their model default, the same
    for every row; a field with neither is an error (a required value forgotten), except an
    auto primary key (the identity column numbers the row)."""
    from django.db import connection, models
    from psycopg import sql

    meta = model._meta
    consts = consts or {}
    columns = [meta.get_field(name).column for name in fields]
    fixed = []
    for f in meta.concrete_fields:
        if f.attname in fields:
            continue
        if f.attname in consts:
            value = consts[f.attname]
        elif f.has_default():
            value = f.get_default()
        elif isinstance(f, models.AutoField):
            continue
        elif f.null:
            value = None
        elif f.empty_strings_allowed and f.blank:
            value = ""
        else:
            raise ValueError(f"{meta.label}.{f.name}: no value given")
        columns.append(f.column)
        fixed.append(f.get_db_prep_save(value, connection))
    fixed = tuple(fixed)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    connection.ensure_connection()
    n = 0
    with connection.connection.cursor() as cur, cur.copy(statement) as cp:
        for row in rows:
            cp.write_row(row + fixed)
            n += 1
    return n


def keys(model, **values) -> dict:
    """``county_id=…`` / ``school_id=…`` for the models that carry those keys (tables gain them)."""
    names = {f.name for f in model._meta.concrete_fields}
    return {f"{k}_id": v for k, v in values.items() if k in names}


def next_id(model) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return cur.fetchone()[0]


def reset_sequences(models_: list) -> None:
    from django.core.management.color import no_style
    from django.db import connection

    with connection.cursor() as cur:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_):
            cur.execute(statement)


# --- the organisation ---------------------------------------------------------------------------
def build_org(rng: random.Random, n_counties: int, n_schools: int, n_students: int, now: datetime):
    """Counties, schools (with their student numbers), grades, classes, accounts."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from anxin.accounts.models import Membership, User
    from anxin.core.roles import Role
    from anxin.org.models import County, Grade, School, SchoolClass

    with Timer("counties") as t, transaction.atomic():
        counties = County.objects.bulk_create(
            [
                County(name=f"基准{i:02d}县", code=f"99{i:04d}", bureau_name=f"基准{i:02d}县教育体育局")
                for i in range(1, n_counties + 1)
            ]
        )
        t.rows = len(counties)

    # schools per county: uneven (12–50 a county at full scale), every county at least one
    weights = [rng.uniform(0.4, 1.7) for _ in counties]
    per_county = [max(1, int(n_schools * w / sum(weights))) for w in weights]
    while sum(per_county) < n_schools:
        per_county[rng.randrange(len(per_county))] += 1
    while sum(per_county) > n_schools:
        i = rng.randrange(len(per_county))
        if per_county[i] > 1:
            per_county[i] -= 1
    type_weights = [t[1] for t in TYPES]
    plan = []  # (school, type row, relative size)
    with Timer("schools") as t, transaction.atomic():
        rows = []
        for ci, (county, n) in enumerate(zip(counties, per_county, strict=True), start=1):
            towns = ["城关镇"] + [f"第{k}镇" for k in range(1, max(3, n // 3) + 1)]
            for k in range(1, n + 1):
                kind = rng.choices(TYPES, weights=type_weights)[0]
                rows.append(
                    School(
                        county=county,
                        name=f"基准{ci:02d}县第{k}{kind[5]}",
                        short_name=f"基准{ci:02d}县{k}{kind[6]}",
                        code=f"99{ci:03d}{k:05d}",
                        type=kind[0],
                        boarding=kind[0] in ("senior", "complete", "vocational") or rng.random() < 0.15,
                        town=rng.choice(towns),
                        antibullying_phone="0951-0000000",
                        antibullying_email=f"fqb{ci:02d}{k:03d}@example.cn",
                    )
                )
                plan.append(kind)
        schools = School.objects.bulk_create(rows)
        t.rows = len(schools)

    # students per school: by type, spread (a village school of 40, a county town school of 3,000)
    size = [kind[2] * rng.lognormvariate(0, 0.55) for kind in plan]
    counts = [max(20, int(n_students * s / sum(size))) for s in size]
    diff = n_students - sum(counts)
    step = 1 if diff > 0 else -1
    while diff:
        i = rng.randrange(len(counts))
        if counts[i] + step >= 20:
            counts[i] += step
            diff -= step

    with Timer("grades") as t, transaction.atomic():
        grades = []
        for school, kind in zip(schools, plan, strict=True):
            for year in kind[3]:
                stage = kind[4] or ("primary" if year <= 6 else "junior")
                name = VOCATIONAL_GRADE[year] if stage == "vocational" else GRADE_NAMES[year]
                grades.append(
                    Grade(county_id=school.county_id, school=school, name=name, stage=stage, year=year)
                )
        grades = Grade.objects.bulk_create(grades, batch_size=5000)
        t.rows = len(grades)
    by_school_grades: dict[int, list] = {}
    for g in grades:
        by_school_grades.setdefault(g.school_id, []).append(g)

    with Timer("classes") as t, transaction.atomic():
        classes = []
        for school, n in zip(schools, counts, strict=True):
            gs = by_school_grades[school.pk]
            per_grade = max(1, round(n / len(gs) / 45))
            for g in gs:
                for k in range(1, per_grade + 1):
                    classes.append(
                        SchoolClass(county_id=school.county_id, school=school, grade=g, name=f"{k}班")
                    )
        classes = SchoolClass.objects.bulk_create(classes, batch_size=5000)
        t.rows = len(classes)
    by_school_classes: dict[int, list] = {}
    grade_year = {g.pk: g.year for g in grades}
    for c in classes:
        by_school_classes.setdefault(c.school_id, []).append((c.pk, grade_year[c.grade_id]))

    with Timer("users") as t, transaction.atomic():
        password = make_password("Bench#Province2026")  # hashed once: every account shares it
        users = [
            User(
                username=f"b{s.code}_safety",
                real_name=f"{s.short_name}安全副校长",
                county_id=s.county_id,
                password=password,
                must_change_password=False,
                password_changed_at=now,
            )
            for s in schools
        ]
        users += [
            User(
                username=f"b{c.code}_bureau",
                real_name=f"{c.name}安全股",
                county=c,
                password=password,
                must_change_password=False,
                password_changed_at=now,
            )
            for c in counties
        ]
        users = User.objects.bulk_create(users)
        started = date(now.year - 1, 9, 1)
        Membership.objects.bulk_create(
            [
                Membership(
                    user=u, role=Role.SAFETY_LEADER, county_id=s.county_id, school=s, started_on=started
                )
                for u, s in zip(users, schools, strict=False)
            ]
            + [
                Membership(user=u, role=Role.BUREAU_SAFETY, county=c, started_on=started)
                for u, c in zip(users[len(schools) :], counties, strict=True)
            ]
        )
        t.rows = len(users)
    leaders = {s.pk: u.pk for s, u in zip(schools, users, strict=False)}
    bureau = {c.pk: u.pk for c, u in zip(counties, users[len(schools) :], strict=True)}
    return counties, schools, counts, by_school_classes, leaders, bureau, users


# --- students ------------------------------------------------------------------------------------
def build_students(rng: random.Random, counties, schools, counts, by_school_classes, now: datetime):
    """COPY the students, school by school, with explicit ids; returns {school id: (first id, n)}."""
    from django.db import transaction

    from anxin.core.crypto import encrypt
    from anxin.roster.models import Student, id_index_for, student_no_index_for

    region = {c.pk: c.code for c in counties}
    first = next_id(Student)
    ranges: dict[int, tuple[int, int]] = {}
    today = (now + CST).date()
    school_year = today.year if today.month >= 9 else today.year - 1
    seqs: dict[tuple[int, date], int] = {}

    def rows():
        pk = first
        serial = 0
        for school, n in zip(schools, counts, strict=True):
            ranges[school.pk] = (pk, n)
            classes = by_school_classes[school.pk]
            boarding = school.boarding
            for i in range(n):
                klass, year = classes[i % len(classes)]
                born = date(school_year - 6 - year, 9, 1) + timedelta(days=rng.randrange(365))
                male = rng.random() < 0.52
                key = (school.county_id, born)
                k = seqs.get(key, 0)
                seqs[key] = k + 1
                number = id_number(region[school.county_id], born, (2 * k + (1 if male else 0)) % 1000)
                student_no = "G" + number
                serial += 1
                yield (
                    pk,
                    school.county_id,
                    school.pk,
                    klass,
                    encrypt(student_no),
                    student_no_index_for(student_no),
                    f"{SURNAMES[serial % len(SURNAMES)]}某{serial:05d}",
                    "1" if male else "2",
                    born,
                    "01" if rng.random() < 0.9 else f"{rng.randrange(2, 57):02d}",
                    encrypt(number),
                    id_index_for("1", number),
                    "2" if boarding and rng.random() < 0.6 else "1",
                    f"{school_year - (year - 1 if year <= 6 else (year - 7 if year <= 9 else year - 10))}09",
                    rng.choices("012", weights=(85, 10, 5))[0],
                    rng.random() < 0.05,
                    rng.random() < 0.002,
                    rng.random() < 0.3,
                    rng.random() < 0.08,
                )
                pk += 1

    fields = [
        "id",
        "county_id",
        "school_id",
        "klass_id",
        "student_no",
        "student_no_index",
        "name",
        "sex",
        "birth_date",
        "ethnicity",
        "id_number",
        "id_index",
        "attendance",
        "enrolled_month",
        "left_behind",
        "migrant",
        "orphan",
        "only_child",
        "needs_aid",
    ]
    with Timer("students") as t, transaction.atomic():
        # a pre-encrypted value must not be encrypted again: COPY takes the column values as they are
        t.rows = copy_rows(Student, fields, rows(), {"id_type": "1", "created_at": now, "updated_at": now})
        reset_sequences([Student])
    return ranges


# --- cases ---------------------------------------------------------------------------------------
def build_cases(rng, schools, counts, ranges, leaders, bureau, n_cases: int, now: datetime):
    """COPY the cases (ids in the order they were discovered), one victim each, a submitted
    首报 for each case reported to the bureau, and the numbering counters."""
    from django.db import transaction
    from psycopg.types.json import Jsonb

    from anxin.cases.law.definitions import BULLYING_RESULTS, NOT_BULLYING_RESULTS
    from anxin.cases.models import BullyingCase, BureauReport, CaseCounter, CaseParty
    from anxin.core.crypto import encrypt

    # risk differs a lot between schools: a few hot spots, many quiet ones
    risk = [n * rng.lognormvariate(0, 0.8) for n in counts]
    cum = []
    acc = 0.0
    for r in risk:
        acc += r
        cum.append(acc)
    day_f = [day_factor((now + CST - timedelta(days=d)).date()) for d in range(DAYS)]
    picks = rng.choices(range(len(schools)), cum_weights=cum, k=n_cases)
    ages = []  # minutes before now
    for _ in range(n_cases):
        while True:
            d = rng.randrange(DAYS)
            if rng.random() < day_f[d]:
                break
        if rng.random() < 0.9:  # school hours, local time 07:30–18:00
            local = (now + CST).replace(hour=18, minute=0, second=0, microsecond=0) - timedelta(days=d)
            minutes = int((now + CST - local).total_seconds() // 60) + rng.randrange(630)
            if minutes < 1:  # today, later than now
                minutes = rng.randrange(1, 600)
        else:
            minutes = d * 1440 + rng.randrange(1440)
        ages.append(max(1, minutes))
    order = sorted(range(n_cases), key=lambda i: -ages[i])  # oldest first: ids rise with time
    first = next_id(BullyingCase)
    counters: dict[tuple[int, int], int] = {}
    parties = []  # (case id, school, created, student)
    reports = []  # (case id, school, county, opener, reported, late)
    states, weights = {}, {}
    for bound, mix in STATE_BY_AGE:
        states[bound] = [s for s, _w in mix]
        weights[bound] = [w for _s, w in mix]
    results, result_w = [r for r, _w in RESULT_WEIGHTS], [w for _r, w in RESULT_WEIGHTS]
    sources, source_w = [s for s, _w in SOURCES], [w for _s, w in SOURCES]
    summaries = 0

    def rows():
        nonlocal summaries
        for k, i in enumerate(order):
            pk = first + k
            school = schools[picks[i]]
            opener = leaders[school.pk]
            discovered = now - timedelta(minutes=ages[i], seconds=rng.random() * 60)
            age_days = ages[i] / 1440
            bound = next(b for b in states if age_days < b)
            state = rng.choices(states[bound], weights[bound])[0]
            source = rng.choices(sources, source_w)[0]
            result, close_kind, closed = "", "", None
            if state in ("handling", "follow_up", "closed"):
                result = rng.choices(results, result_w)[0]
            if state == "closed":
                close_kind = "handled"
                if rng.random() < 0.08:
                    result, close_kind = "", "unfounded"
                closed = min(now - timedelta(hours=1), discovered + timedelta(days=rng.uniform(5, 40)))
            serious = rng.random() < 0.03
            opinion = source == "public_opinion" or rng.random() < 0.005
            # LAW 7 as cases.rules.requires_report has it (the county's REPORT_RESULTS at their default)
            required = opinion or serious or result in ("severe", "criminal")
            due = reported = None
            late = False
            if required:
                due = discovered + timedelta(hours=2)
                if rng.random() < (0.6 if age_days < 1 else 0.97):
                    delay = rng.uniform(15, 115) if rng.random() < 0.85 else rng.uniform(130, 48 * 60)
                    reported = discovered + timedelta(minutes=delay)
                    if reported >= now:
                        reported = None
                late = reported is not None and reported > due
            year = (discovered + CST).year
            n = counters.get((school.pk, year), 0) + 1
            counters[(school.pk, year)] = n
            created = min(now, discovered + timedelta(minutes=rng.randrange(10, 120)))
            types = [rng.choice(BEHAVIOURS)]
            if rng.random() < 0.25:
                other = rng.choice(BEHAVIOURS)
                if other != types[0]:
                    types.append(other)
            summaries += 1
            lo, count = ranges[school.pk]
            parties.append((pk, school, created, lo + rng.randrange(count)))
            if reported is not None:
                reports.append((pk, school, opener, reported, late))
            yield (
                pk,
                school.county_id,
                school.pk,
                created,
                closed or created,
                f"{school.short_name}-{year}-{n:04d}",
                source,
                opener if source in ("hotline", "email") else None,
                opener,
                opener,
                discovered,
                discovered - timedelta(minutes=rng.randrange(0, 72 * 60)),
                Jsonb(types),
                encrypt(rng.choice(PLACES)),
                encrypt(f"基准数据：第{summaries}件模拟事件，无真实人员。"),
                state,
                result,
                True if result in BULLYING_RESULTS else (False if result in NOT_BULLYING_RESULTS else None),
                opinion,
                serious,
                required,
                due,
                reported,
                late,
                discovered + timedelta(hours=rng.uniform(1, 6))
                if source == "police" or result == "criminal"
                else None,
                closed,
                close_kind,
            )

    fields = [
        "id",
        "county_id",
        "school_id",
        "created_at",
        "updated_at",
        "number",
        "source",
        "first_responder_id",
        "opened_by_id",
        "owner_id",
        "discovered_at",
        "occurred_at",
        "behaviour_types",
        "place",
        "summary",
        "state",
        "result",
        "is_bullying",
        "is_public_opinion",
        "suspected_serious",
        "report_required",
        "report_due_at",
        "first_reported_at",
        "report_late",
        "police_reported_at",
        "closed_at",
        "close_kind",
    ]
    county_of = {s.pk: s.county_id for s in schools}
    with Timer("cases") as t, transaction.atomic():
        t.rows = copy_rows(BullyingCase, fields, rows())
        reset_sequences([BullyingCase])
        CaseCounter.objects.bulk_create(
            [
                CaseCounter(school_id=s, year=y, last=n, **keys(CaseCounter, county=county_of[s]))
                for (s, y), n in counters.items()
            ],
            batch_size=5000,
        )
    out(f"BENCH province_gen_cases_per_s {t.rows / t.seconds:.0f} cases/s")
    with Timer("case_parties") as t, transaction.atomic():
        t.rows = copy_rows(
            CaseParty,
            ["case_id", "county_id", "school_id", "created_at", "updated_at", "student_id", "added_by_id"],
            (
                (case, school.county_id, school.pk, created, created, student, leaders[school.pk])
                for case, school, created, student in parties
            ),
            {"role": "victim"},
        )
    parties.clear()

    def report_rows():
        for case, school, opener, reported, late in reports:
            acked = None
            if reported < now - timedelta(hours=4) or rng.random() < 0.3:
                acked = reported + timedelta(hours=rng.uniform(0.2, 30))
                if acked >= now or rng.random() < 0.04:  # a few left unacknowledged
                    acked = None
            yield (
                case,
                school.county_id,
                school.pk,
                reported - timedelta(minutes=20),
                acked or reported,
                opener,
                opener,
                reported - timedelta(minutes=5),
                reported,
                opener,
                late,
                acked,
                bureau[school.county_id] if acked else None,
            )

    with Timer("bureau_reports") as t, transaction.atomic():
        t.rows = copy_rows(
            BureauReport,
            [
                "case_id",
                "county_id",
                "school_id",
                "created_at",
                "updated_at",
                "drafted_by_id",
                "signed_off_by_id",
                "signed_off_at",
                "submitted_at",
                "submitted_by_id",
                "is_late",
                "acknowledged_at",
                "acknowledged_by_id",
            ],
            report_rows(),
            {"kind": "first", "seq": 1, "contact": "安全股 0951-0000000"},
        )
    return first, n_cases


# --- the audit trail -----------------------------------------------------------------------------
def _hash(stream: str, seq: str) -> str:
    return f"(md5({stream} || ':' || {seq}) || md5({seq} || ':' || {stream}))"


SCHOOL_EVENTS = """
INSERT INTO core_auditevent (stream, seq, at, county_id, school_id, actor_id, actor, role, actor_scope,
    action, object_type, object_id, result, request_id, data, prev_hash, hash)
SELECT e.stream, e.seq, e.at, e.county_id, e.school_id, e.actor_id, e.actor, 'safety_leader', e.scope,
    CASE WHEN e.b < 55 THEN 'read' WHEN e.b < 70 THEN 'update' WHEN e.b < 80 THEN 'create'
         WHEN e.b < 90 THEN 'login' WHEN e.b < 94 THEN 'logout' WHEN e.b < 97 THEN 'export'
         ELSE 'denied' END,
    CASE WHEN e.b < 35 OR e.b BETWEEN 55 AND 64 THEN 'cases.bullyingcase'
         WHEN e.b < 50 OR e.b BETWEEN 65 AND 69 THEN 'roster.student'
         WHEN e.b < 55 THEN 'intake.report'
         WHEN e.b < 80 THEN 'cases.caseparty'
         WHEN e.b < 94 THEN 'accounts.user' ELSE '' END,
    CASE WHEN e.b < 35 OR e.b BETWEEN 55 AND 64 OR e.b BETWEEN 70 AND 79
              THEN (%(case_lo)s + e.o %% %(case_n)s)::text
         WHEN e.b < 55 OR e.b BETWEEN 65 AND 69 THEN (%(student_lo)s + e.o %% %(student_n)s)::text
         WHEN e.b < 94 THEN e.actor_id::text ELSE '' END,
    CASE WHEN e.b >= 97 THEN 'denied' ELSE 'ok' END,
    md5(e.stream || ':' || e.seq || ':r')::uuid::text,
    CASE WHEN e.b < 55 THEN '{"view": "cases:case_detail"}'::jsonb
         WHEN e.b < 70 THEN '{"before": {"state": "investigating"}, "after": {"state": "determining"}}'::jsonb
         WHEN e.b BETWEEN 94 AND 96 THEN '{"what": "cases.bullyingcase", "rows": 120}'::jsonb
         ELSE '{}'::jsonb END,
    CASE WHEN e.seq = 1 THEN %(genesis)s ELSE PREV END,
    HASH
FROM (
    SELECT st.stream, g.seq, st.county_id, st.school_id, sc.actor_id, sc.actor, sc.scope,
        ((st.day + time '07:30') + (g.seq - 1) * interval '11 hours' / st.n) AT TIME ZONE 'Asia/Shanghai' AS at,
        abs(hashtext(st.stream || g.seq)) %% 100 AS b,
        abs(hashtext(g.seq || st.stream)) AS o
    FROM bench_province_stream st
    JOIN bench_province_school sc ON sc.id = st.school_id
    CROSS JOIN LATERAL generate_series(1, st.n) g(seq)
    WHERE st.day = %(day)s AND st.school_id %% 2 = %(part)s
) e
ORDER BY e.at, e.stream, e.seq
""".replace("PREV", _hash("e.stream", "(e.seq - 1)")).replace("HASH", _hash("e.stream", "e.seq"))

# a county's stream of one day: each school stream opened that day is announced (stream.open),
# then three reads by the bureau
COUNTY_EVENTS = """
INSERT INTO core_auditevent (stream, seq, at, county_id, school_id, actor_id, actor, role, actor_scope,
    action, object_type, object_id, result, request_id, data, prev_hash, hash)
SELECT e.stream, e.seq, e.at, e.county_id, NULL, e.actor_id, e.actor, e.role, '',
    e.action, e.object_type, e.object_id, 'ok', md5(e.stream || ':' || e.seq || ':r')::uuid::text, e.data,
    CASE WHEN e.seq = 1 THEN %(genesis)s ELSE PREV END,
    HASH
FROM (
    SELECT 'county:' || st.county_id || ':' || st.day AS stream,
        row_number() OVER (PARTITION BY st.county_id ORDER BY st.school_id) AS seq,
        ((st.day + time '07:30') AT TIME ZONE 'Asia/Shanghai') - interval '1 second' AS at,
        st.county_id, sc.actor_id, sc.actor, 'safety_leader' AS role, 'stream.open' AS action,
        '' AS object_type, '' AS object_id, jsonb_build_object('stream', st.stream) AS data
    FROM bench_province_stream st JOIN bench_province_school sc ON sc.id = st.school_id
    WHERE st.day = %(day)s AND st.county_id %% 2 = %(part)s
    UNION ALL
    SELECT 'county:' || c.id || ':' || %(day)s::date, c.n + k,
        ((%(day)s::date + time '09:00') + k * interval '2 hours') AT TIME ZONE 'Asia/Shanghai',
        c.id, c.actor_id, c.actor, 'bureau_safety', 'read', 'cases.bullyingcase',
        (%(case_lo)s + abs(hashtext(c.id || ':' || k || %(day)s)) %% %(case_n)s)::text,
        '{"view": "cases:case_detail"}'::jsonb
    FROM bench_province_county c CROSS JOIN generate_series(1, 3) k
    WHERE c.id %% 2 = %(part)s
) e
ORDER BY e.at, e.stream, e.seq
""".replace("PREV", _hash("e.stream", "(e.seq - 1)")).replace("HASH", _hash("e.stream", "e.seq"))

HEADS = """
INSERT INTO core_auditstreamhead (stream, county_id, school_id, seq, hash, mac)
SELECT stream, county_id, school_id, n, HASH, md5(stream || ':mac') || md5(':mac' || stream)
FROM bench_province_stream
UNION ALL
SELECT 'county:' || c.id || ':' || d.day, c.id, NULL, c.n + 3,
    HASHC, md5(c.id || ':mac' || d.day) || md5(d.day || ':mac' || c.id)
FROM bench_province_county c CROSS JOIN (SELECT DISTINCT day FROM bench_province_stream) d
""".replace("HASHC", _hash("('county:' || c.id || ':' || d.day)", "(c.n + 3)")).replace(
    "HASH", _hash("stream", "n")
)


def build_audit(rng, counties, schools, users, leaders, bureau, case_range, student_range, n_events, now):
    """The audit trail of the last 12 months (to yesterday): one stream per school per day,
    one per county per day; each stream's last link is its head (core_auditstreamhead), so
    the app appends today's events after them. The hashes are any 64 hex digits (they do not
    verify); ``at`` rises with ``seq`` in every stream and the rows go in in time order."""
    from django.db import connection, connections, transaction

    from anxin.core.models import AuditEvent

    today = (now + CST).date()
    days = [today - timedelta(days=d) for d in range(DAYS, 0, -1)]
    n_schools, n_counties = len(schools), len(counties)
    per_county: dict[int, int] = {}
    for s in schools:
        per_county[s.county_id] = per_county.get(s.county_id, 0) + 1
    # every school stream has at least one event; a county stream has one per school stream
    # (stream.open) plus three reads; the rest spread by school size and how busy the day is
    fixed = len(days) * (2 * n_schools + 3 * n_counties)
    spread = max(0, n_events - fixed)
    names = {u.pk: u.username for u in users}
    weight = {s.pk: rng.lognormvariate(0, 0.5) for s in schools}
    k = spread / (sum(weight.values()) * sum(day_factor(d) for d in days))
    note(f"audit: {len(days)} days, {n_schools} school streams a day, {spread} spread over them")
    with connection.cursor() as cur:
        cur.execute(
            "DROP TABLE IF EXISTS bench_province_stream, bench_province_school, bench_province_county"
        )
        cur.execute(
            "CREATE UNLOGGED TABLE bench_province_school (id bigint PRIMARY KEY, county_id bigint,"
            " actor_id bigint, actor text, scope text, w float8)"
        )
        cur.execute(
            "CREATE UNLOGGED TABLE bench_province_county (id bigint PRIMARY KEY, n int, actor_id bigint,"
            " actor text)"
        )
        raw = connection.connection
        with raw.cursor() as c2, c2.copy("COPY bench_province_school FROM STDIN") as cp:
            for s in schools:
                uid = leaders[s.pk]
                cp.write_row((s.pk, s.county_id, uid, names[uid], s.short_name, weight[s.pk]))
        with raw.cursor() as c2, c2.copy("COPY bench_province_county FROM STDIN") as cp:
            for c in counties:
                cp.write_row((c.pk, per_county.get(c.pk, 0), bureau[c.pk], names[bureau[c.pk]]))
        cur.execute("SELECT setseed(0.2026)")
        cur.execute(
            "CREATE UNLOGGED TABLE bench_province_stream AS"
            " SELECT sc.id AS school_id, sc.county_id, d.day::date AS day,"
            " 'school:' || sc.id || ':' || d.day::date AS stream,"
            " 1 + floor(sc.w * %s * CASE WHEN extract(isodow FROM d.day) >= 6 THEN 0.1"
            "   WHEN (extract(month FROM d.day) = 7 AND extract(day FROM d.day) >= 15)"
            "     OR extract(month FROM d.day) = 8"
            "     OR (extract(month FROM d.day) = 1 AND extract(day FROM d.day) >= 20)"
            "     OR (extract(month FROM d.day) = 2 AND extract(day FROM d.day) < 20) THEN 0.2"
            "   ELSE 1 END + random())::int AS n"
            " FROM bench_province_school sc CROSS JOIN generate_series(%s::date, %s::date, interval '1 day') d(day)",
            [k, days[0], days[-1]],
        )
        cur.execute("CREATE INDEX ON bench_province_stream (day, school_id)")
        cur.execute("ANALYZE bench_province_stream, bench_province_school, bench_province_county")
    params = {
        "genesis": GENESIS,
        "case_lo": case_range[0],
        "case_n": max(1, case_range[1]),
        "student_lo": student_range[0],
        "student_n": max(1, student_range[1]),
    }
    written = [0, 0]
    errors: list[BaseException] = []

    def part(i: int) -> None:
        try:
            conn = connections.create_connection("default")  # this thread's own
            try:
                conn.ensure_connection()
                conn.set_autocommit(False)  # one transaction for this half of the trail
                with conn.cursor() as cur:
                    cur.execute("SET client_connection_check_interval = '2s'")
                    for day in days:
                        cur.execute(SCHOOL_EVENTS, {**params, "day": day, "part": i})
                        written[i] += cur.rowcount
                        cur.execute(COUNTY_EVENTS, {**params, "day": day, "part": i})
                        written[i] += cur.rowcount
                conn.commit()
            finally:
                conn.close()
        except BaseException as exc:  # raised again by the main thread
            errors.append(exc)

    with Timer("audit_events") as t:
        threads = [threading.Thread(target=part, args=(i,), daemon=True) for i in (0, 1)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        if errors:
            raise errors[0]
        t.rows = sum(written)
    with Timer("audit_heads") as t, transaction.atomic(), connection.cursor() as cur:
        cur.execute(HEADS)
        t.rows = cur.rowcount
        cur.execute("DROP TABLE bench_province_stream, bench_province_school, bench_province_county")
    reset_sequences([AuditEvent])


def generate(scale: float, seed: int = 2026) -> None:
    from django.db import connection

    from anxin.core import clock

    rng = random.Random(seed)
    now = clock.now()
    n_counties = scaled(COUNTIES, scale)
    n_schools = scaled(SCHOOLS, scale, n_counties)
    n_students = scaled(STUDENTS, scale, 20 * n_schools)
    n_cases = scaled(CASES, scale)
    n_events = scaled(AUDIT_EVENTS, scale)
    note(
        f"generating: {n_counties} counties, {n_schools} schools, {n_students} students, "
        f"{n_cases} cases, ~{n_events} audit events (scale {scale})"
    )
    with connection.cursor() as cur:  # a crashed bench does not leave a long INSERT running
        cur.execute("SET client_connection_check_interval = '2s'")
    started = time.perf_counter()
    counties, schools, counts, classes, leaders, bureau, users = build_org(
        rng, n_counties, n_schools, n_students, now
    )
    ranges = build_students(rng, counties, schools, counts, classes, now)
    student_lo = min(lo for lo, _n in ranges.values())
    case_lo, n = build_cases(rng, schools, counts, ranges, leaders, bureau, n_cases, now)
    build_audit(
        rng, counties, schools, users, leaders, bureau, (case_lo, n), (student_lo, sum(counts)), n_events, now
    )
    total = time.perf_counter() - started
    out(f"BENCH province_gen_total_s {total:.1f} s")
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        cur.execute("SELECT pg_database_size(current_database())")
        size = cur.fetchone()[0]
    out(f"BENCH province_analyze_s {time.perf_counter() - t:.1f} s")
    out(f"BENCH province_db_size_mb {size / 2**20:.0f} MB")
