"""Survey disclosures: the rule table row by row, the notice in the request that saved the
answer, and the duty that stays until a talk or a concern for that student."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from anxin.core import clock, duties
from anxin.core.models import Notification
from anxin.screening import disclosure, disclosure_duties
from anxin.screening.disclosure import Answer
from anxin.screening.models import SurveyToken

RULES = {r.code: r for r in disclosure.DISCLOSURE_RULES}

# (rule, an answer it matches, an answer it does not)
CASES = [
    ("weekly", Answer(victim={"verbal": 3}), Answer(victim={"verbal": 2, "cyber": 1})),
    ("hit", Answer(victim={"physical": 1}), Answer(victim={"verbal": 3, "physical": 0})),
    ("extorted", Answer(victim={"property": 2}), Answer(victim={"exclusion": 3})),
    ("note_bullied", Answer(note="他们放学后 打我，还向我要钱"), Answer(note="我打球很开心")),
    ("note_bullied", Answer(note="有人勒索我"), Answer(note="")),
    ("self_harm", Answer(note="有时候真的不想活了"), Answer(note="我想活得开心一点")),
    ("self_harm", Answer(note="想 自杀"), Answer(note="我们班讨论了生命教育")),
]


@pytest.mark.parametrize(("code", "yes", "no"), CASES)
def test_each_rule_matches_and_does_not(code, yes, no):
    rule = RULES[code]
    assert rule.when(yes)
    assert not rule.when(no)


def test_every_rule_has_a_case_and_self_harm_is_urgent():
    assert {c for c, _y, _n in CASES} == set(RULES)
    assert [r.code for r in disclosure.DISCLOSURE_RULES if r.urgent] == ["self_harm"]
    assert disclosure.matches(Answer()) == []


def _answer(world, student, **data):
    from anxin.screening import services

    survey = services.create_survey(
        by=world.user["class_teacher"], klass=student.klass, closes_on=clock.today() + dt.timedelta(days=7)
    )
    token = SurveyToken.objects.get(survey=survey, student=student)
    return survey, services.submit_response(survey=survey, token=token, data=data)


def _flagged(user, now=None):
    now = now or clock.now()
    return [d.extra["student_id"] for d in duties.duties_for(user, now, kinds=[disclosure_duties.KIND])]


def test_the_public_answer_notifies_in_the_same_request(world, client):
    from anxin.screening import services

    st = world.student_own
    survey = services.create_survey(
        by=world.user["class_teacher"], klass=st.klass, closes_on=clock.today() + dt.timedelta(days=7)
    )
    token = SurveyToken.objects.get(survey=survey, student=st)
    # the public flow: enter the personal code, then answer
    page = client.get(reverse("screening:survey_enter", args=[survey.class_code]))
    assert page.status_code == 200
    client.post(reverse("screening:survey_enter", args=[survey.class_code]), {"code": token.code})
    data = {f"victim_{t}": "0" for t in ("physical", "verbal", "property", "exclusion", "cyber")}
    data.update({"victim_physical": "3", "feels_safe": "1"})
    r = client.post(reverse("screening:survey_answer", args=[survey.class_code]), data)
    assert r.status_code == 302
    notes = Notification.objects.filter(kind="survey_disclosure")
    assert {n.recipient for n in notes} == {world.user["class_teacher"], world.user["counsellor"]}
    assert st.name not in notes[0].title


def test_notice_reaches_class_teacher_and_counsellor_only(world):
    _answer(world, world.student_own, victim={"verbal": 3})
    notes = Notification.objects.filter(kind="survey_disclosure")
    assert {n.recipient for n in notes} == {world.user["class_teacher"], world.user["counsellor"]}
    assert all(n.url == reverse("roster:student_detail", args=[world.student_own.pk]) for n in notes)


def test_a_quiet_answer_notifies_nobody_and_is_no_duty(world):
    _answer(world, world.student_own, victim={"verbal": 1}, note="挺好的")
    assert not Notification.objects.filter(kind="survey_disclosure").exists()
    assert _flagged(world.user["class_teacher"]) == []


@pytest.mark.parametrize("at", ["2026-12-05 10:00+08:00", "2026-12-05 23:30+08:00"])
def test_self_harm_goes_by_sms_too_even_in_quiet_hours(world, at, settings):
    from anxin.core.notify import ConsoleSmsBackend

    settings.ANXIN_QUIET_HOURS = "22:00-07:00"
    traveller = time_machine.travel(at, tick=False)
    traveller.start()

    ct = world.user["class_teacher"]
    ct.phone = "13912345678"
    ct.save()
    ConsoleSmsBackend.sent.clear()
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        _answer(world, world.student_own, note="我不想活了")
    traveller.stop()
    assert [p for p, _t in ConsoleSmsBackend.sent] == ["13912345678"]
    assert "紧急" in ConsoleSmsBackend.sent[0][1]


def test_duty_stays_until_a_talk(world):
    from anxin.care import services as care

    st = world.student_own
    t0 = dt.datetime(2026, 11, 2, 2, 0, tzinfo=dt.UTC)
    # a talk the day before the answer: it does not close the flag the answer raises
    with time_machine.travel(t0 - dt.timedelta(days=1), tick=False):
        care.log_contact(world.user["class_teacher"], student=st, kind="talk", summary="例行谈心")
    with time_machine.travel(t0, tick=False):
        _answer(world, st, victim={"physical": 1})
    for role in ("class_teacher", "counsellor"):
        assert _flagged(world.user[role], t0) == [st.pk]
    for role in ("principal", "subject_teacher", "security_staff"):
        assert _flagged(world.user[role], t0) == []
    d = duties.duties_for(world.user["class_teacher"], t0, kinds=[disclosure_duties.KIND])[0]
    assert "有人打我" in d.detail and st.name in d.title
    # a contact recorded before the answer does not count; one after it does
    with time_machine.travel(t0 + dt.timedelta(hours=3), tick=False):
        care.log_contact(world.user["counsellor"], student=st, kind="talk", summary="谈了")
    assert _flagged(world.user["class_teacher"], t0 + dt.timedelta(hours=4)) == []


def test_duty_goes_when_a_concern_is_raised(world):
    from anxin.intake import services as intake

    st = world.student_own
    _answer(world, st, note="有人勒索我")
    assert _flagged(world.user["counsellor"]) == [st.pk]
    intake.raise_concern(
        by=world.user["class_teacher"],
        school=world.school_a1,
        text="问卷反映被勒索，已关注",
        student=st,
        source="staff",
    )
    assert _flagged(world.user["counsellor"]) == []
    assert disclosure.open_flags_for_students([st.pk]) == {}


def test_provider_queries_are_fixed(world, django_assert_num_queries):
    from anxin.core.testing import make_student

    ct = world.user["class_teacher"]
    _answer(world, world.student_own, victim={"cyber": 3})
    duties.duties_for(ct)
    with django_assert_num_queries(1):
        assert len(list(disclosure_duties.survey_disclosures(ct, clock.now()))) == 1
    for n in range(3):
        _answer(world, make_student(world.class_a1_1, f"问{n}", 60 + n), victim={"property": 1})
    with django_assert_num_queries(1):
        assert len(list(disclosure_duties.survey_disclosures(ct, clock.now()))) == 4
