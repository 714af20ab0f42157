"""Demo cases for the demo county (issue 3, "Demo data"): about 150 cases across its schools in
every state — late reports, a 续报, appeals, a 专门学校 application and closed cases —
written through the services (``anxin.cases.scenarios``), so every rule holds and every case
has its timeline. Called by the demo loader: ``load_cases(county, rng, n=150)``.

The cases are spread over the current term (issue 11 item 9): each is discovered at a moment
of the term and taken forward one state at a time at the intervals a school takes (制止 within
minutes, the investigation in days, 回访 over weeks), the business clock set to each moment
(``clock.as_of``), so the timelines, the reports and the 回访 carry believable dates and some
work is overdue or late as it would be; the audit trail records that it was all entered today."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from anxin.cases import rules, scenarios, services
from anxin.cases.models import BullyingCase, CaseState, PartyRole
from anxin.core import clock
from anxin.core.roles import Role

S = CaseState
STATE_WEIGHTS = [
    (S.REGISTERED, 6),
    (S.STOPPED, 4),
    (S.NOTIFYING, 6),
    (S.INVESTIGATING, 12),
    (S.DETERMINING, 7),
    (S.HANDLING, 15),
    (S.FOLLOW_UP, 15),
    (S.CLOSED, 35),
]
RESULT_WEIGHTS = [
    ("joke", 10),
    ("dispute", 12),
    ("minor", 38),
    ("serious", 22),
    ("severe", 14),
    ("criminal", 4),
]
PLACES = ["教学楼走廊", "厕所", "操场", "宿舍", "食堂", "校门口", "上学路上", "班级微信群", "楼梯间", "教室"]
SUMMARIES = {
    "physical": "课间多名学生围堵一名学生推搡、踢打",
    "verbal": "一名学生长期被同学起侮辱性绰号、当众讥讽",
    "property": "学生被高年级学生强行索要零花钱",
    "exclusion": "一名学生被同宿舍学生恶意孤立、排斥",
    "cyber": "有学生在班级群散布另一名学生的隐私照片和谣言",
}
SOURCES = ["staff", "staff", "parent", "anonymous_report", "monitoring", "hotline", "email", "police"]

SPECIAL = 5  # the special cases of load_cases (a 迟报 with a 续报, a missing report, …)

# hours between reaching one state and reaching the next, as a school takes them
GAPS = {
    S.STOPPED: (0.1, 0.4),
    S.NOTIFYING: (0.3, 1.0),
    S.INVESTIGATING: (0.4, 0.9),
    S.DETERMINING: (72, 160),
    S.HANDLING: (24, 72),
    S.FOLLOW_UP: (48, 120),
    S.CLOSED: (24 * 28, 24 * 42),
}
# how long a case may have stayed in the state it is left in (the rest of the term for closed ones)
LINGER = {
    S.REGISTERED: 6,
    S.STOPPED: 6,
    S.NOTIFYING: 12,
    S.INVESTIGATING: 24 * 9,
    S.DETERMINING: 24 * 4,
    S.HANDLING: 24 * 5,
    S.FOLLOW_UP: 24 * 20,
}


def term_start(today: dt.date) -> dt.date:
    """The first day of the current term (autumn from September, spring from March)."""
    if today.month >= 9:
        return dt.date(today.year, 9, 1)
    if today.month >= 3:
        return dt.date(today.year, 3, 1)
    return dt.date(today.year - 1, 9, 1)


def _travel(moment: dt.datetime):
    """Enter what follows as of ``moment`` (business time; the audit trail keeps today)."""
    return clock.as_of(moment)


@dataclass
class Timed:
    """A case to be entered at ``at`` and taken to ``state`` through ``gaps``."""

    kit: SchoolKit
    state: str
    result: str
    public: bool
    at: dt.datetime
    steps: list
    gaps: list


def _timed(kit, rng: random.Random, state: str, result: str, public: bool, late: bool) -> Timed:
    """When a case reaching ``state`` by now was discovered, and when it reached each state.
    A late 首报 (迟报) waits hours before the investigation starts."""
    now = clock.now()
    steps = scenarios.ORDER[1 : scenarios.ORDER.index(state) + 1]
    gaps = []
    for st in steps:
        hours = rng.uniform(*GAPS[st]) + (rng.uniform(3, 10) if late and st == S.INVESTIGATING else 0)
        gaps.append(dt.timedelta(hours=hours))
    total = sum(gaps, dt.timedelta())
    start = dt.datetime.combine(term_start(clock.today()), dt.time(8), tzinfo=clock.SHANGHAI)
    room = max(dt.timedelta(), now - start - total - dt.timedelta(hours=1))
    linger = dt.timedelta(hours=LINGER[state]) if state in LINGER else room
    at = now - total - rng.uniform(0.05, 1) * min(room, linger) - dt.timedelta(minutes=30)
    return Timed(kit, state, result, public, at, steps, gaps)


def _run_timed(t: Timed, rng: random.Random) -> BullyingCase:
    """Open the case at its moment and take it forward, each step at its own moment."""
    kit, at = t.kit, t.at
    with _travel(at):
        case = _open(
            kit, rng, public_opinion=t.public, discovered=at - dt.timedelta(minutes=rng.randint(10, 40))
        )
    for st, gap in zip(t.steps, t.gaps, strict=True):
        at += gap
        with _travel(at):
            try:
                scenarios.drive(case, kit.manager, st, leader=kit.leader, result=t.result)
            except ValidationError:  # a demo case that cannot go further stays where it is
                case.refresh_from_db()
                break
    at += dt.timedelta(minutes=rng.randint(20, 90))
    with _travel(min(at, clock.now())):
        if case.state == S.HANDLING and rng.random() < 0.5:
            scenarios.handle(case, kit.manager)
        if case.state in (S.FOLLOW_UP, S.CLOSED) and case.report_required and rng.random() < 0.3:
            _with_follow_up_report(case, kit)
    return case


@dataclass
class SchoolKit:
    school: object
    manager: object
    leader: object
    students: list = field(default_factory=list)


def _kits(county) -> list[SchoolKit]:
    from anxin.accounts.models import Membership
    from anxin.org.models import School
    from anxin.roster.models import Student

    kits = []
    for school in School.objects.filter(county=county, active=True).order_by("pk"):
        posts = {
            m.role: m.user for m in Membership.objects.active().filter(school=school).select_related("user")
        }
        manager = posts.get(Role.MIDDLE_MANAGER) or posts.get(Role.SAFETY_LEADER) or posts.get(Role.PRINCIPAL)
        leader = posts.get(Role.SAFETY_LEADER) or posts.get(Role.PRINCIPAL)
        principal = posts.get(Role.PRINCIPAL) or leader
        if manager is None or leader is None:
            continue
        students = list(Student.objects.filter(school=school, status="enrolled").order_by("pk")[:400])
        if len(students) < 3:
            continue
        senior = rules.school_has_senior_grades(school)
        scenarios.constitute(
            school,
            principal,
            principal_name=principal.real_name or "校长",
            with_student=senior,
            names=_committee_names(school, posts, students, senior),
        )
        kits.append(SchoolKit(school, manager, leader, students))
    return kits


def _committee_names(school, posts: dict, students: list, senior: bool) -> dict:
    """The committee's members by name (issue 11 item 9): the school's own 德育主任, a class
    teacher, a guardian of the 家委会, the 法治副校长, a senior student."""
    from anxin.roster.models import Guardian

    def name(role):
        u = posts.get(role)
        return (u.real_name or u.username) if u is not None else ""

    parent = Guardian.objects.filter(student__school=school).order_by("pk").values_list("name", flat=True)
    return {
        "staff": name(Role.MIDDLE_MANAGER),
        "teacher": name(Role.CLASS_TEACHER),
        "parent": next(iter(parent[:1]), ""),
        "outside": name(Role.LEGAL_VP),
        "student": students[-1].name if senior and students else "",
    }


def _pick(rng: random.Random, weights):
    items, w = zip(*weights, strict=True)
    return rng.choices(items, weights=w, k=1)[0]


def _open(
    kit: SchoolKit,
    rng: random.Random,
    *,
    late: bool = False,
    public_opinion: bool = False,
    discovered: dt.datetime | None = None,
):
    victim, bully, witness = rng.sample(kit.students, 3)
    kind = rng.choice(list(SUMMARIES))
    hours_ago = rng.randint(5, 30) if late else rng.choice([0.5, 1, 1.5])
    now = clock.now()
    discovered = discovered or now - dt.timedelta(hours=hours_ago)
    case = services.open_case(
        by=kit.manager,
        school=kit.school,
        source="public_opinion" if public_opinion else rng.choice(SOURCES),
        discovered_at=discovered,
        occurred_at=discovered - dt.timedelta(hours=1),
        place=rng.choice(PLACES),
        summary=SUMMARIES[kind],
        behaviour_types=[kind],
        cause=rng.choice(["琐事纠纷", "座位纠纷", "网络游戏矛盾", "索要财物", "言语冲突"]),
        process=SUMMARIES[kind] + "，值周教师发现后制止。",
        students=[(victim, PartyRole.VICTIM), (bully, PartyRole.ALLEGED_BULLY)]
        + ([(witness, PartyRole.WITNESS)] if rng.random() < 0.4 else []),
    )
    return case


def _with_follow_up_report(case, kit: SchoolKit) -> None:
    """A 续报: the injuries turned out worse than first reported."""
    if case.bureau_reports.filter(submitted_at__isnull=False).exists():
        r = services.draft_report(
            case, by=kit.manager, kind="follow", injuries="经医院检查，被欺凌学生左臂软组织挫伤，已治疗。"
        )
        scenarios.sign_and_send(r, kit.leader)


@transaction.atomic
def load_cases(county, rng: random.Random, n: int = 150) -> list[BullyingCase]:
    """Create ``n`` cases in ``county`` (every state; the special ones first). Returns them."""
    # the committees were constituted when the term began: the term's cases meet before them
    with _travel(dt.datetime.combine(term_start(clock.today()), dt.time(8), tzinfo=clock.SHANGHAI)):
        kits = _kits(county)
    if not kits:
        return []
    from anxin.accounts.models import Membership

    bureau = next(
        (
            m.user
            for m in Membership.objects.active()
            .filter(county=county, role=Role.BUREAU_SAFETY, school__isnull=True)
            .select_related("user")
        ),
        None,
    )
    made: list[BullyingCase] = []

    def kit():
        return rng.choice(kits)

    timed = []
    while len(timed) < n - min(n, SPECIAL):
        k = kit()
        state = _pick(rng, STATE_WEIGHTS)
        result = _pick(rng, RESULT_WEIGHTS)
        public = rng.random() < 0.06
        late = public and rng.random() < 0.5
        timed.append(_timed(k, rng, state, result, public, late))
    # entered in the order they were discovered (case numbers follow the calendar); the special
    # ones below are this week's
    made.extend(_run_timed(t, rng) for t in sorted(timed, key=lambda t: t.at))
    # the special ones, so a small n still has them
    k = kits[0]
    late = _open(k, rng, late=True, public_opinion=True)  # a late first report (迟报), then a 续报
    scenarios.drive(late, k.manager, S.INVESTIGATING, leader=k.leader)
    _with_follow_up_report(late, k)
    made.append(late)
    if n > 1:
        k = kit()
        missing = _open(k, rng, late=True, public_opinion=True)  # required, late and still missing
        made.append(missing)
    if n > 2:
        k = kit()
        special = _open(k, rng)
        scenarios.drive(special, k.manager, S.HANDLING, leader=k.leader, result="severe")
        bully = special.parties.get(role=PartyRole.ALLEGED_BULLY)
        app = services.apply_special_school(
            special, by=k.leader, party=bully, reasons="多次实施严重欺凌，屡教不改。"
        )
        if bureau is not None:
            services.decide_special_school(
                app,
                by=bureau,
                approved=True,
                decided_on=clock.today(),
                assessment="经专门教育指导委员会评估，同意转入专门学校。",
                assessed_on=clock.today(),
                decision_no="贺教发〔2026〕9号",
            )
        made.append(special)
    if n > 3:
        k = kit()
        appealed = _open(k, rng)
        scenarios.drive(appealed, k.manager, S.HANDLING, leader=k.leader, result="serious")
        scenarios.handle(appealed, k.manager)
        bully = appealed.parties.get(role=PartyRole.ALLEGED_BULLY)
        services.file_appeal(
            appealed,
            by=k.manager,
            kind="county_review",
            party=bully,
            appellant="学生家长",
            filed_on=clock.today(),
            grounds="认为认定情节过重，申请复查。",
        )
        made.append(appealed)
    if n > 4:
        k = kit()
        unfounded = _open(k, rng)
        services.close_unfounded(
            unfounded, by=k.leader, reason="经调取监控、询问在场师生，当日无此事发生，系误会。"
        )
        made.append(unfounded)
    return made
