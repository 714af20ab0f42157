"""Each case duty on 工作台 appears for the person or post that owes it, within the cases' own
rights, and disappears when the record says it is done."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse

from anxin.cases import services
from anxin.cases.models import CaseState as S
from anxin.cases.models import MeasureState, PartyRole
from anxin.core import clock, duties


def _refs(user, kind, now=None) -> set[str]:
    return {d.ref for d in duties.duties_for(user, now or clock.now(), kinds=[kind])}


def _county_review(case, by, party):
    """A parent's 复查 request to the county against the determination."""
    return services.file_appeal(
        case,
        by=by,
        kind="county_review",
        party=party,
        appellant="李小红的父亲",
        filed_on=clock.today(),
        grounds="认定过重",
    )


def _forget(*users):
    for u in users:
        for attr in ("_anxin_last_seen_home", "_anxin_screening_cov"):
            if hasattr(u, attr):
                delattr(u, attr)


def test_the_investigation_is_the_investigators_until_finished(cw, mm, new_case, drive):
    case = drive(new_case(), S.INVESTIGATING)
    inv = case.investigation
    ref = f"cases.investigation:{inv.pk}"
    assert ref in _refs(mm, "cases.investigation")
    teacher, principal = cw.user["class_teacher"], cw.user["principal"]
    # the teacher sees the case (own student) but does not owe the investigation
    assert ref not in _refs(teacher, "cases.investigation")
    # the principal sees it once it is overdue, and may chase it
    assert ref not in _refs(principal, "cases.investigation")
    late = inv.due_at + dt.timedelta(hours=1)
    found = [d for d in duties.duties_for(principal, late, kinds=["cases.investigation"]) if d.ref == ref]
    assert found and duties.can_chase(principal, found[0], late)
    assert not duties.can_chase(mm, found[0], late)  # one's own
    drive(case, S.DETERMINING)
    assert ref not in _refs(mm, "cases.investigation")


def test_the_first_report_is_the_schools_and_the_late_one_reaches_the_bureau(cw, mm, leader, new_case, drive):
    case = new_case()
    services.flag_for_report(case, by=mm, suspected_serious=True, reason="多人围殴")
    case.refresh_from_db()
    ref = f"cases.first_report:{case.pk}"
    bureau, principal = cw.user["bureau_safety"], cw.user["principal"]
    d = next(d for d in duties.duties_for(leader, clock.now(), kinds=["cases.first_report"]) if d.ref == ref)
    assert d.is_mine(leader) and not d.is_mine(principal) and d.url.endswith("/do/report/")
    assert ref not in _refs(bureau, "cases.first_report")  # not late yet
    late = case.report_due_at + dt.timedelta(minutes=5)
    d = next(d for d in duties.duties_for(bureau, late, kinds=["cases.first_report"]) if d.ref == ref)
    assert d.state(late) == duties.State.OVERDUE and duties.can_chase(bureau, d, late)
    assert "?number=" in d.url  # the bureau reads the register, not the case
    drive(case, S.INVESTIGATING)  # the 首报 goes out on the way (LAW 7)
    assert case.bureau_reports.filter(submitted_at__isnull=False).exists()
    assert ref not in _refs(leader, "cases.first_report")
    assert ref not in _refs(bureau, "cases.first_report", late)


def test_the_bureau_acknowledges_what_the_school_sent(cw, mm, leader, new_case, drive):
    case = new_case()
    services.flag_for_report(case, by=mm, suspected_serious=True, reason="多人围殴")
    case.refresh_from_db()
    drive(case, S.INVESTIGATING)
    report = case.bureau_reports.get()
    bureau = cw.user["bureau_safety"]
    ref = f"cases.bureaureport:{report.pk}:ack"
    [d] = [d for d in duties.duties_for(bureau, clock.now(), kinds=["cases.report_ack"]) if d.ref == ref]
    assert d.new and d.is_mine(bureau)
    assert d.url == reverse("cases:report_detail", args=[report.pk])  # duties.id_path: reversed once
    assert d.title == f"签收 {case.number} 首报"
    assert ref not in _refs(leader, "cases.report_ack")
    services.acknowledge_report(report, by=bureau)
    assert ref not in _refs(bureau, "cases.report_ack")


def test_follow_ups_fall_due_for_the_case_owner_and_go_when_recorded(cw, mm, new_case, drive):
    case = drive(new_case(), S.FOLLOW_UP)
    first = case.follow_ups.order_by("due_on", "id").first()
    later = case.follow_ups.order_by("-due_on", "id").first()
    ref = f"cases.followup:{first.pk}"
    assert ref in _refs(mm, "cases.follow_up")  # week 1: due this week
    assert f"cases.followup:{later.pk}" not in _refs(mm, "cases.follow_up")  # week 12: not yet
    # each student's follow-up says whose it is, by role (the bureau sees these lines: no name)
    week1 = {d.ref: d.detail for d in duties.duties_for(mm, clock.now(), kinds=["cases.follow_up"])}
    role = "被欺凌学生" if first.party.role == "victim" else "实施欺凌学生（被反映）"
    assert week1[ref] == f"回访对象：{role}"
    assert len(set(week1.values())) == len(week1) == case.follow_ups.filter(week=first.week).count()
    with time_machine.travel(first.due_on - dt.timedelta(days=1), tick=False):
        assert ref in _refs(mm, "cases.follow_up")
        assert ref not in _refs(cw.user["class_teacher"], "cases.follow_up")
        services.record_follow_up(first, by=mm, outcome="stable", note="情况稳定")
        assert ref not in _refs(mm, "cases.follow_up")


def test_a_measure_awaiting_defence_then_carried_out(cw, mm, new_case, drive):
    case = drive(new_case(victim=cw.student_other_class, bully=cw.student_own), S.HANDLING, result="serious")
    bully = case.parties.get(role=PartyRole.ALLEGED_BULLY)
    m = services.record_measure(case, by=mm, party=bully, item_code="suspension", suspension_days=3)
    assert m.state == MeasureState.PROPOSED
    ref = f"cases.measure:{m.pk}:defence"
    assert ref in _refs(mm, "cases.defence")
    assert ref not in _refs(cw.user["class_teacher"], "cases.defence")
    services.record_defence(m, by=mm, at=clock.now(), record="学生陈述：承认推人")
    services.notify_guardian(
        case, by=mm, party=bully, purpose="prior", method="letter", notified_at=clock.now(), measure=m
    )
    services.put_into_effect(m, by=mm)
    assert ref not in _refs(mm, "cases.defence")


def test_an_effective_measure_with_a_due_date_is_its_owners(cw, mm, new_case, drive):
    case = drive(new_case(), S.HANDLING, result="serious")
    bully = case.parties.get(role=PartyRole.ALLEGED_BULLY)
    m = services.record_measure(
        case,
        by=mm,
        party=bully,
        item_code="moral_talk",
        owner=mm,
        due_on=clock.today() + dt.timedelta(days=2),
    )
    if m.state != MeasureState.EFFECTIVE:
        services.notify_guardian(
            case, by=mm, party=bully, purpose="prior", method="letter", notified_at=clock.now(), measure=m
        )
        services.record_defence(m, by=mm, at=clock.now(), record="无异议")
        m = services.put_into_effect(m, by=mm)
    ref = f"cases.measure:{m.pk}"
    assert ref in _refs(mm, "cases.measure")
    services.complete_measure(m, by=mm)
    assert ref not in _refs(mm, "cases.measure")


def test_a_county_review_is_the_bureaus_to_decide(cw, mm, new_case, drive):
    from anxin.cases import scenarios

    case = drive(new_case(), S.HANDLING, result="serious")
    scenarios.notify_sides(case, mm, "determination", participated=False)
    bully = case.parties.get(role=PartyRole.ALLEGED_BULLY)
    review = _county_review(case, mm, bully)
    bureau = cw.user["bureau_safety"]
    ref = f"cases.appeal:{review.pk}"
    [d] = [d for d in duties.duties_for(bureau, clock.now(), kinds=["cases.appeal"]) if d.ref == ref]
    assert d.is_mine(bureau) and d.due == review.due_on
    assert ref not in _refs(cw.user["principal"], "cases.appeal")
    services.decide_appeal(review, by=bureau, outcome="upheld", outcome_text="经复查，维持原认定")
    assert ref not in _refs(bureau, "cases.appeal")


def test_a_referral_waits_for_the_legal_vice_principal(cw, mm, new_case, drive):
    case = drive(new_case(), S.HANDLING, result="serious")
    vp = cw.user["legal_vp"]
    r = services.refer_case(case, by=mm, to_user=vp, purpose="训诫")
    ref = f"cases.casereferral:{r.pk}"
    assert ref in _refs(vp, "cases.referral")
    assert ref not in _refs(mm, "cases.referral")
    services.record_referral_outcome(r, by=vp, outcome="已训诫")
    _forget(vp)
    assert ref not in _refs(vp, "cases.referral")


def test_scope_moved_along_a_relation_selects_the_same_rows(db):
    """The duty queries test each row's case against the scope (permissions.prefixed) instead of
    collecting the scope's cases first: the same rows, for every kind of post and action."""
    from django.contrib.auth import get_user_model

    from anxin.cases.models import BullyingCase, BureauReport, CaseParty
    from anxin.cases.permissions import case_scope_q, prefixed
    from anxin.demo.tests.test_load_demo import load

    load("--cases", "24", students=400, activity=True)

    users = get_user_model().objects.filter(memberships__isnull=False).distinct()
    tried = 0
    for user in users:
        for action in ("view", "register", "acknowledge", "change", "report_sign"):
            q = case_scope_q(user, action)
            if q is None:
                continue
            for model in (BureauReport, CaseParty):
                want = set(
                    model.objects.filter(case__in=BullyingCase.objects.restrict(user, action)).values_list(
                        "pk", flat=True
                    )
                )
                got = set(model.objects.filter(prefixed(q, "case__")).values_list("pk", flat=True))
                assert got == want, (user.username, action, model.__name__)
                own = set(
                    model.objects.filter(prefixed(q, "case__", own_keys=True)).values_list("pk", flat=True)
                )
                assert own == want, (user.username, action, model.__name__, "own keys")
                tried += bool(want)
    assert tried >= 10, "the demo gives many posts rows to compare"


def test_a_case_s_rows_carry_its_keys(db):
    """``prefixed(..., own_keys=True)`` reads a child row's own county and school: every row that
    belongs to a case has its case's keys (the demo county, after a term of activity)."""
    from django.apps import apps
    from django.db.models import F, Q

    from anxin.cases.models import BullyingCase
    from anxin.demo.tests.test_load_demo import load

    load("--cases", "24", students=400, activity=True)
    checked = 0
    for model in apps.get_models():
        fields = {f.name: f for f in model._meta.get_fields() if getattr(f, "concrete", False)}
        case = fields.get("case")
        attnames = {f.attname for f in fields.values()}
        if (
            case is None
            or case.related_model is not BullyingCase
            or not {"county_id", "school_id"} <= attnames
        ):
            continue
        rows = model.objects.all()
        wrong = rows.filter(~Q(school_id=F("case__school_id")) | ~Q(county_id=F("case__county_id")))
        assert not wrong.exists(), model.__name__
        checked += rows.exists()
    assert checked >= 8, checked


def test_duty_rows_read_only_the_columns_they_load(cw, mm, new_case, drive, monkeypatch):
    """The providers load a case's child rows with ``only()`` (工作台 compiles them on every
    visit): building each duty must not read a column left out, which would cost a query per
    row. Loading a deferred column is made to fail here, and every case duty kind is built."""
    from django.db.models import Model

    from anxin.cases import scenarios

    drive(new_case(), S.INVESTIGATING)
    drive(new_case(), S.FOLLOW_UP)
    handling = drive(
        new_case(victim=cw.student_other_class, bully=cw.student_own), S.HANDLING, result="serious"
    )
    bully = handling.parties.get(role=PartyRole.ALLEGED_BULLY)
    services.record_measure(handling, by=mm, party=bully, item_code="suspension", suspension_days=3)
    other = drive(new_case(), S.HANDLING, result="serious")
    m = services.record_measure(
        other,
        by=mm,
        party=other.parties.get(role=PartyRole.ALLEGED_BULLY),
        item_code="moral_talk",
        owner=mm,
        due_on=clock.today() + dt.timedelta(days=2),
    )
    assert m.state == MeasureState.EFFECTIVE
    scenarios.notify_sides(handling, mm, "determination", participated=False)
    _county_review(handling, mm, bully)
    services.refer_case(handling, by=mm, to_user=cw.user["legal_vp"], purpose="训诫")
    urgent = new_case(source="public_opinion")  # a 首报 to sign, due within 2 hours
    services.record_immediate(urgent, by=mm, kind="separate", taken_at=clock.now())
    services.draft_report(urgent, by=mm)
    services.reassign_case(new_case(), by=mm, to_user=cw.user["safety_leader"], reason="由分管副校长牵头办理")

    def refused(self, *args, **kwargs):
        raise AssertionError(f"{type(self).__name__}: a deferred column was read ({kwargs.get('fields')})")

    monkeypatch.setattr(Model, "refresh_from_db", refused)
    seen = set()
    for role in (
        "middle_manager",
        "principal",
        "safety_leader",
        "bureau_safety",
        "legal_vp",
        "class_teacher",
    ):
        seen |= {d.kind for d in duties.duties_for(cw.user[role], clock.now()) if d.kind.startswith("cases.")}
    assert {
        "cases.investigation",
        "cases.follow_up",
        "cases.defence",
        "cases.measure",
        "cases.appeal",
        "cases.referral",
        "cases.report_sign",
        "cases.first_report",
        "cases.handover",
    } <= seen, seen


def test_the_scope_kept_per_process_follows_the_posts_and_grants(cw, mm, new_case):
    """case_scope_q keeps each compiled condition per process, keyed by what the rules read: a
    class teacher moved to another class, or a counsellor given access to another school,
    reads what the new post or grant allows on the next request (policy.forget here)."""
    from anxin.accounts.models import AccessGrant
    from anxin.cases.models import BullyingCase
    from anxin.core import policy

    own = new_case()  # victim in 初一1班, the class teacher's class
    teacher = cw.user["class_teacher"]
    assert own in BullyingCase.objects.restrict(teacher)
    m = next(m for m in policy.memberships(teacher) if m.klass_id)
    m.klass = cw.class_a1_2 if m.klass_id != cw.class_a1_2.pk else cw.class_a1_1
    m.save(update_fields=["klass"])
    policy.forget(teacher)
    mine = set(BullyingCase.objects.restrict(teacher))
    assert own in mine  # the alleged bully is in 初一2班
    m.klass = cw.class_a2_1
    m.save(update_fields=["klass"])
    policy.forget(teacher)
    assert own not in set(BullyingCase.objects.restrict(teacher))

    counsellor = cw.user["counsellor"]  # no counselling duty on this case: not theirs
    assert own not in set(BullyingCase.objects.restrict(counsellor))
    AccessGrant.objects.create(
        grantee=counsellor,
        county_id=own.county_id,
        school_id=own.school_id,
        reason="跨校转学生的心理辅导衔接",
        expires_at=clock.now() + dt.timedelta(days=7),
        status=AccessGrant.Status.APPROVED,
    )
    policy.forget(counsellor)
    assert own in set(BullyingCase.objects.restrict(counsellor))


def test_scope_rules_read_nothing_but_the_posts(cw, django_assert_num_queries):
    """case_scope_q keeps a rule's condition per process under the user's posts and grants
    (decision 20): a rule that queried the database itself would be kept stale. With the posts
    and grants loaded, building every action's condition for every role runs no query."""
    from anxin.cases import permissions
    from anxin.core import policy

    actions = sorted({p.split(".")[-1] for p in permissions.PERMISSIONS if p.startswith(permissions.P + ".")})
    for user in [*cw.user.values(), *cw.user_b.values()]:
        policy.memberships(user), policy.grants(user)
        with django_assert_num_queries(0):
            for action in actions:
                permissions._case_scope_q(user, action)


def test_two_bullies_follow_ups_are_numbered(cw, mm, new_case, drive):
    """Two students of one role in a case get two follow-ups a week: their lines differ by a
    number (no name: the bureau sees these lines)."""
    from anxin.core.testing import make_student

    case = new_case()
    services.add_party(
        case, by=mm, role=PartyRole.ALLEGED_BULLY, student=make_student(cw.class_a1_2, "赵小强", 77)
    )
    case = drive(case, S.FOLLOW_UP)
    week = case.follow_ups.order_by("week").first().week
    details = sorted(
        d.detail
        for d in duties.duties_for(mm, clock.now(), kinds=["cases.follow_up"])
        if d.title.endswith(f"第{week}周回访")
    )
    assert details == [
        "回访对象：实施欺凌学生（被反映） 1/2",
        "回访对象：实施欺凌学生（被反映） 2/2",
        "回访对象：被欺凌学生",
    ]
    # the second keeps its number once the first is recorded
    first_bully = (
        case.follow_ups.filter(week=week, party__role=PartyRole.ALLEGED_BULLY).order_by("party_id").first()
    )
    services.record_follow_up(first_bully, by=mm, outcome="stable", note="情况稳定")
    left = [
        d.detail
        for d in duties.duties_for(mm, clock.now(), kinds=["cases.follow_up"])
        if d.title.endswith(f"第{week}周回访") and "实施欺凌" in d.detail
    ]
    assert left == ["回访对象：实施欺凌学生（被反映） 2/2"]
