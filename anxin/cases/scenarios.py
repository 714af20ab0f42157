"""Taking a case through its steps with the services, as a school would (tests, the demo data,
the benchmark and the browser tests share these). Nothing here bypasses a rule: every step
goes through ``anxin.cases.services``."""

from __future__ import annotations

import datetime as dt

from anxin.cases import rules, services
from anxin.cases.law.definitions import BULLYING_RESULTS
from anxin.cases.models import (
    BullyingCase,
    CaseState,
    Committee,
    MeasureState,
    MemberKind,
    NoticeMethod,
    NoticePurpose,
    PartyRole,
    SpeakerKind,
)
from anxin.core import clock

S = CaseState
ORDER = [
    S.REGISTERED,
    S.STOPPED,
    S.NOTIFYING,
    S.INVESTIGATING,
    S.DETERMINING,
    S.HANDLING,
    S.FOLLOW_UP,
    S.CLOSED,
]

# measures that satisfy the graded response for each result (one code per required group)
MEASURES_FOR = {
    "joke": ["criticism"],
    "dispute": ["criticism"],
    "minor": ["criticism", "warning_talk", "apology"],
    "serious": ["criticism", "moral_talk", "police_warning"],
    "severe": ["criticism", "moral_talk", "police_warning"],
    "criminal": ["criticism", "judicial_referral"],
}
ELEMENTS = {
    "between_students": True,
    "deliberate": True,
    "means": "推搡、辱骂",
    "harm_types": ["bodily", "mental"],
    "advantage_bases": ["numbers"],
}


def constitute(
    school, by, *, principal_name: str = "校长", with_student: bool = False, names: dict | None = None
) -> Committee:
    """A committee constituted as LAW 4 requires. ``names`` gives the members' names by seat
    ("staff", "teacher", "parent", "outside", "student"); a seat without one is named by its post."""
    names = names or {}
    committee = services.committee_for(school) or services.constitute_committee(by=by, school=school)
    if not committee.members.filter(left_on__isnull=True).exists():
        seats = [
            (MemberKind.STAFF, "staff", "德育主任", "政教处"),
            (MemberKind.STAFF, "teacher", "班主任代表", "教师"),
            (MemberKind.PARENT, "parent", "家长代表", "家委会"),
            (MemberKind.OUTSIDE, "outside", "法治副校长", "派出所"),
        ] + ([(MemberKind.STUDENT, "student", "学生代表", "学生会")] if with_student else [])
        services.add_member(committee, by=by, kind=MemberKind.PRINCIPAL, name=principal_name, is_chair=True)
        for kind, seat, post, title in seats:
            services.add_member(committee, by=by, kind=kind, name=names.get(seat) or post, title=title)
    return committee


def open_simple(school, by, *, victim, bully, discovered_at=None, **kw) -> BullyingCase:
    kw.setdefault("source", "staff")
    kw.setdefault("summary", "课间在走廊发生推搡，一名学生被多名学生围堵辱骂。")
    kw.setdefault("place", "教学楼二楼走廊")
    kw.setdefault("behaviour_types", ["physical", "verbal"])
    kw.setdefault("cause", "座位纠纷")
    kw.setdefault("process", "课间两名学生围堵另一名学生并推搡辱骂，值周教师发现后制止。")
    now = clock.now()
    students = [(victim, PartyRole.VICTIM)] + (
        [(bully, PartyRole.ALLEGED_BULLY)] if bully is not None else []
    )
    return services.open_case(
        by=by,
        school=school,
        discovered_at=discovered_at or now - dt.timedelta(minutes=30),
        occurred_at=(discovered_at or now) - dt.timedelta(minutes=40),
        students=students,
        **kw,
    )


def report_both(case, by, leader) -> None:
    """LAW 7: report to the police and the bureau (a 首报 signed off by a school leader)."""
    if not case.police_reports.exists():
        services.record_police_report(
            case, by=by, unit="贺兰县公安局习岗派出所", reported_at=clock.now(), method="110"
        )
    if not case.bureau_reports.filter(submitted_at__isnull=False).exists():
        r = case.bureau_reports.filter(submitted_at__isnull=True).first() or services.draft_report(
            case, by=by
        )
        services.update_report(r, by=by, contact="德育处 0951-8012345")
        sign_and_send(r, leader)


def principal_of(school_id: int):
    """The school's principal (the one who signs reports to the bureau), or None."""
    from anxin.accounts.models import Membership
    from anxin.core.roles import Role

    m = (
        Membership.objects.active()
        .filter(school_id=school_id, role=Role.PRINCIPAL, user__is_active=True)
        .select_related("user")
        .order_by("started_on", "id")
        .first()
    )
    return m.user if m else None


def sign_and_send(report, leader, signer=None):
    """签发 (the principal, or ``leader`` where the principal designated them), then 报送."""
    if report.signed_off_at is None:
        if signer is None:
            signer = leader if services.may_sign(leader, report) else principal_of(report.school_id)
        services.sign_off(signer, report)
    return services.submit_report(report, by=leader)


def notify_sides(case, by, purpose=NoticePurpose.INITIAL, participated=True) -> None:
    for p in rules.side_parties(case):
        services.notify_guardian(
            case,
            by=by,
            party=p,
            purpose=purpose,
            method=NoticeMethod.PHONE,
            notified_at=clock.now(),
            participated=participated,
            participation="到校面谈" if participated else "",
        )


def determine(case, by, result: str = "minor", bullies=None) -> None:
    """The committee's determination; ``bullies``: those found to have bullied (default: the
    alleged bullies)."""
    committee = services.committee_for(case.school_id)
    present = list(committee.members.filter(left_on__isnull=True))
    services.record_determination(
        case,
        by=by,
        meeting_at=clock.now(),
        members_present=present,
        votes_for=len(present),
        result=result,
        record="委员会听取调查情况，双方家长到会陈述，经表决作出认定。",
        meeting_place="学校会议室",
        bullies=bullies,
        **(ELEMENTS if result in BULLYING_RESULTS else {}),
    )


def handle(case, by) -> None:
    """Notices of the determination, the measures of the graded response, outcome notices."""
    notify_sides(case, by, NoticePurpose.DETERMINATION, participated=False)
    det = rules.current_determination(case)
    targets = rules.bully_parties(case, det)
    if det.result not in BULLYING_RESULTS:
        targets = targets or [p for p in case.parties.all() if p.role == PartyRole.VICTIM]
    for b in targets:
        if not b.student_id:
            continue
        for code in MEASURES_FOR[det.result]:
            if b.measures.filter(item_code=code).exclude(state=MeasureState.REVOKED).exists():
                continue
            services.record_measure(
                case,
                by=by,
                party=b,
                item_code=code,
                owner_unit="贺兰县公安局" if code in ("police_warning", "judicial_referral") else "",
            )
        if det.result in BULLYING_RESULTS:
            services.notify_guardian(
                case,
                by=by,
                party=b,
                purpose=NoticePurpose.OUTCOME,
                method=NoticeMethod.FACE,
                notified_at=clock.now(),
            )


def support_all(case, by) -> None:
    for a in case.support_actions.filter(done_at__isnull=True).select_related("party"):
        services.record_support(
            case,
            by=by,
            party=a.party,
            kind=a.kind,
            done_at=clock.now(),
            provider="心理教师",
            summary="已完成",
        )


def finish(case, by, leader) -> None:
    """From 处置/回访 to 结案: measures done, support, follow-ups, 终报 where reported."""
    case.refresh_from_db()
    if case.state == S.HANDLING and case.result in BULLYING_RESULTS:
        services.advance(case, "finish_handling", by=by)
    for m in case.measures.filter(state=MeasureState.EFFECTIVE):
        services.complete_measure(m, by=by)
    support_all(case, by)
    for f in case.follow_ups.filter(done_at__isnull=True):
        services.record_follow_up(f, by=by, outcome="stable", note="情况稳定")
    if (
        case.bureau_reports.filter(submitted_at__isnull=False).exists()
        and not case.bureau_reports.filter(kind="final", submitted_at__isnull=False).exists()
    ):
        r = services.draft_report(case, by=by, kind="final")
        sign_and_send(r, leader)
    services.advance(case, "close" if case.result in BULLYING_RESULTS else "close_not_bullying", by=by)


def drive(case, by, target: str, *, leader=None, result: str = "minor", report: bool = True) -> BullyingCase:
    """Take ``case`` forward to ``target`` (a CaseState value) through the services;
    ``report=False`` leaves a required report to the caller after the determination."""
    leader = leader or by
    while ORDER.index(case.state) < ORDER.index(target):
        state = case.state
        if state == S.REGISTERED:
            services.advance(case, "begin", by=by)
        elif state == S.STOPPED:
            services.record_immediate(
                case, by=by, kind="stop", taken_at=clock.now(), description="值周教师当场制止"
            )
            services.advance(case, "to_notifying", by=by)
        elif state == S.NOTIFYING:
            notify_sides(case, by)
            if case.report_required:
                report_both(case, by, leader)
            services.advance(case, "start_investigation", by=by)
        elif state == S.INVESTIGATING:
            services.update_investigation(
                case,
                by=by,
                fact_time="课间10时05分",
                fact_place="教学楼二楼走廊",
                fact_cause="座位纠纷",
                fact_process="围堵、推搡、辱骂",
                fact_people="初一年级学生3名",
            )
            services.record_statement(
                case,
                by=by,
                speaker_kind=SpeakerKind.WITNESS,
                content="看到他们推了他。",
                taken_at=clock.now(),
            )
            services.advance(case, "finish_investigation", by=by)
        elif state == S.DETERMINING:
            determine(case, by, result)
            case.refresh_from_db()
            if case.report_required and report:
                report_both(case, by, leader)
        elif state == S.HANDLING:
            handle(case, by)
            if target == S.FOLLOW_UP or case.result not in BULLYING_RESULTS:
                if case.result not in BULLYING_RESULTS:
                    finish(case, by, leader)
                else:
                    services.advance(case, "finish_handling", by=by)
            else:
                finish(case, by, leader)
        elif state == S.FOLLOW_UP:
            finish(case, by, leader)
        case.refresh_from_db()
        if case.state == state:
            raise RuntimeError(f"stuck in {state}")
    return case
