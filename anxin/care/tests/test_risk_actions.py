"""Risk → action: the table row by row, the notice on the run that raised the level, and the
duties that appear for the owner and the principal and disappear when the work is done."""

import datetime as dt

import pytest
import time_machine

from anxin.care import risk_actions, risk_duties, services
from anxin.core import duties
from anxin.core.models import Notification
from anxin.screening import risk
from anxin.screening.models import RiskSignal
from anxin.screening.risk_rules import GREEN, ORANGE, RED, YELLOW

T0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)  # Monday 10:00 in Shanghai


# --- the table, row by row ------------------------------------------------------------------------

ROWS = {a.level: a for a in risk_actions.RISK_ACTIONS}


@pytest.mark.parametrize(
    ("level", "owner", "notified", "done_by", "escalate"),
    [
        (RED, "counsellor", ("counsellor", "class_teacher"), ("plan",), ("principal", 24)),
        (ORANGE, "class_teacher", ("class_teacher",), ("plan", "contact"), (None, None)),
    ],
)
def test_each_row_of_the_table(level, owner, notified, done_by, escalate):
    row = risk_actions.action_for(level)
    assert row is ROWS[level]
    assert (row.owner_role, row.notify_roles, row.done_by) == (owner, notified, done_by)
    assert (row.escalate_role, row.escalate_after_hours) == escalate
    assert row.first_contact_days == 0 and row.source


@pytest.mark.parametrize("level", [YELLOW, GREEN, "", None])
def test_lower_levels_have_no_row(level):
    assert risk_actions.action_for(level) is None


@pytest.mark.parametrize(
    ("previous", "level", "fires"),
    [
        ("", ORANGE, ORANGE),
        (GREEN, ORANGE, ORANGE),
        (YELLOW, ORANGE, ORANGE),
        (ORANGE, ORANGE, None),
        (RED, ORANGE, None),  # falling from 红 to 橙 proposes nothing new
        (ORANGE, RED, RED),
        (YELLOW, RED, RED),
        (RED, RED, None),
        (GREEN, YELLOW, None),
        (ORANGE, GREEN, None),
    ],
)
def test_rising_into_a_row(previous, level, fires):
    got = risk_actions.rises_into(level, previous)
    assert (got.level if got else None) == fires


# --- end to end -------------------------------------------------------------------------------------


def _signal(student, kind, n=1):
    for i in range(n):
        RiskSignal.objects.create(
            student=student,
            county_id=student.county_id,
            school_id=student.school_id,
            kind=kind,
            source_type="test",
            source_id=f"{kind}-{i}",
        )


def _make_orange(student):
    _signal(student, "named_concern", 2)  # named twice in 90 days → 橙
    risk.recompute([student.pk])


def _make_red(student):
    _signal(student, "case_victim")
    risk.recompute([student.pk])


def _kinds(user, now):
    return [
        (d.kind, d.extra.get("student_id"))
        for d in duties.duties_for(user, now)
        if d.kind.startswith("care.risk")
    ]


def test_orange_tells_the_class_teacher_on_the_same_run_and_shows_until_a_talk(world):
    st = world.student_own
    teacher = world.user["class_teacher"]
    with time_machine.travel(T0, tick=False):
        _make_orange(st)
        notes = Notification.objects.filter(kind="risk_action")
        assert [n.recipient for n in notes] == [teacher]
        assert st.name not in notes[0].title  # no child's name in what may go by e-mail
        assert _kinds(teacher, T0) == [(risk_duties.FIRST_CONTACT, st.pk)]
        d = duties.duties_for(teacher, T0)[0]
        assert d.due == dt.date(2026, 11, 2) and "首次谈心" in d.title and "橙" in d.title
        assert d.url.endswith(f"/students/{st.pk}/")
        # nobody else owns it
        for role in ("counsellor", "principal", "subject_teacher"):
            assert _kinds(world.user[role], T0) == []
        risk.recompute([st.pk])  # a second run sends nothing twice
        assert notes.count() == 1
    # the next day it is overdue
    later = T0 + dt.timedelta(days=1)
    assert duties.duties_for(teacher, later)[0].state(later) == "overdue"
    with time_machine.travel(later, tick=False):
        services.log_contact(teacher, student=st, kind="talk", summary="谈了")
    assert _kinds(teacher, later + dt.timedelta(minutes=1)) == []


def test_red_is_the_counsellors_until_a_plan_and_the_principals_after_24_hours(world):
    st = world.student_own
    counsellor, principal = world.user["counsellor"], world.user["principal"]
    with time_machine.travel(T0, tick=False):
        _make_red(st)
    assert {n.recipient for n in Notification.objects.filter(kind="risk_action")} == {
        counsellor,
        world.user["class_teacher"],
    }
    assert _kinds(counsellor, T0) == [(risk_duties.FIRST_CONTACT, st.pk)]
    d = duties.duties_for(counsellor, T0)[0]
    assert "制定关爱帮扶计划" in d.title and f"student={st.pk}" in d.url and f"owner={counsellor.pk}" in d.url
    # a contact does not clear a 红 proposal: it needs a plan
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        services.log_contact(counsellor, student=st, kind="talk", summary="谈了")
    assert _kinds(counsellor, T0 + dt.timedelta(hours=2)) == [(risk_duties.FIRST_CONTACT, st.pk)]
    assert _kinds(principal, T0 + dt.timedelta(hours=23)) == []
    late = T0 + dt.timedelta(hours=25)
    assert _kinds(principal, late) == [(risk_duties.RED_UNPLANNED, st.pk)]
    assert duties.duties_for(principal, late)[0].state(late) == "overdue"
    with time_machine.travel(late, tick=False):
        services.create_plan(counsellor, st, kind="care", measures=["talk"], owner=counsellor)
    assert _kinds(principal, late) == [] and _kinds(counsellor, late) == []


def test_rising_from_orange_to_red_keeps_the_orange_start_for_the_class_teacher(world):
    st = world.student_own
    with time_machine.travel(T0, tick=False):
        _make_orange(st)
    with time_machine.travel(T0 + dt.timedelta(days=2), tick=False):
        _make_red(st)
    # 红 now: the counsellor owns it from the day it became 红
    d = [
        x
        for x in duties.duties_for(world.user["counsellor"], T0 + dt.timedelta(days=2))
        if x.kind == risk_duties.FIRST_CONTACT
    ][0]
    assert d.due == dt.date(2026, 11, 4)
    p = risk_actions.proposal_for(st)
    assert p.level == RED and p.reached_at == T0 + dt.timedelta(days=2)


def test_a_student_with_a_plan_gets_no_notice(world):
    st = world.student_own
    services.create_plan(
        world.user["safety_leader"], st, kind="care", measures=["talk"], owner=world.user["class_teacher"]
    )
    _make_orange(st)
    assert not Notification.objects.filter(kind="risk_action").exists()
    assert _kinds(world.user["class_teacher"], T0) == []


def test_plan_form_opens_with_the_proposal(world, as_user):
    from django.urls import reverse

    st = world.student_own
    _make_red(st)
    c = as_user(world.user["counsellor"])
    r = c.get(
        reverse("care:plan_create"),
        {"student": st.pk, "kind": "care", "level": "red", "owner": world.user["counsellor"].pk},
    )
    assert r.status_code == 200
    form = r.context["form"]
    assert form.initial["level"] == RED and form.initial["owner"] == world.user["counsellor"].pk
    assert form.initial["measures"] == ["talk", "counselling"]
    assert "事件中为受欺凌学生" in form.initial["reason"]


def test_providers_run_a_fixed_number_of_queries(world, django_assert_num_queries):
    from anxin.core.testing import make_student

    teacher = world.user["class_teacher"]
    _make_orange(world.student_own)
    duties.discover()
    duties.duties_for(teacher, T0)  # memberships cached on the user
    with django_assert_num_queries(3):
        list(risk_duties.first_contacts(teacher, T0))
    for n in range(3):
        _make_orange(make_student(world.class_a1_1, f"橙{n}", 50 + n))
    with django_assert_num_queries(3):
        assert len(list(risk_duties.first_contacts(teacher, T0))) == 4


def test_teachers_duties_are_the_same_with_kept_statements(world):
    """The risk and survey-disclosure providers read with kept statements (core.sqlcache) give
    what freshly built queries give, for each post, as the days pass and as the work is done."""
    from unittest import mock

    from anxin.core import policy, sqlcache
    from anxin.screening import services as screening_services
    from anxin.screening.models import SurveyToken

    def plain(key, build, *values):
        return list(build(*values))

    kinds = (risk_duties.FIRST_CONTACT, risk_duties.RED_UNPLANNED, "screening.survey_disclosure")
    people = [world.user[r] for r in ("class_teacher", "counsellor", "principal", "safety_leader")]

    def compare(now):
        seen = 0
        for user in people:
            policy.forget(user)
            kept = duties.duties_for(user, now, kinds=kinds)
            with mock.patch.object(sqlcache, "rows", plain):
                fresh = duties.duties_for(user, now, kinds=kinds)
            assert kept == fresh, user.username
            seen += len(kept)
        return seen

    with time_machine.travel(T0, tick=False):
        _make_orange(world.student_own)
        _make_red(world.student_other_class)
        survey = screening_services.create_survey(
            by=world.user["class_teacher"],
            klass=world.student_own.klass,
            closes_on=T0.date() + dt.timedelta(days=7),
        )
        token = SurveyToken.objects.get(survey=survey, student=world.student_own)
        screening_services.submit_response(survey=survey, token=token, data={"victim": {"physical": 2}})
        # an answer in the other class: the counsellor's (the school), not this class teacher's
        other = world.student_other_class
        survey = screening_services.create_survey(
            by=world.user["safety_leader"], klass=other.klass, closes_on=T0.date() + dt.timedelta(days=7)
        )
        token = SurveyToken.objects.get(survey=survey, student=other)
        screening_services.submit_response(survey=survey, token=token, data={"note": "有人打我"})
    assert compare(T0 + dt.timedelta(hours=1)) >= 3
    assert compare(T0 + dt.timedelta(hours=30)) >= 4  # the principal's 红 past 24 hours
    with time_machine.travel(T0 + dt.timedelta(hours=31), tick=False):
        services.log_contact(
            world.user["class_teacher"], student=world.student_own, kind="talk", summary="谈了"
        )
    later = T0 + dt.timedelta(hours=32)
    assert compare(later) >= 2
    # the talk closed the 橙 proposal and the survey flag: the kept statements read the new rows
    teacher_kinds = {d.kind for d in duties.duties_for(world.user["class_teacher"], later, kinds=kinds)}
    assert teacher_kinds == set()
    flagged = {
        d.extra["student_id"]
        for d in duties.duties_for(world.user["counsellor"], later, kinds=["screening.survey_disclosure"])
    }
    assert flagged == {world.student_other_class.pk}
