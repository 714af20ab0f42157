"""The peer-relationship survey: students answer on a phone with the class code and a
one-time personal code, no account, once each (the database refuses a second answer);
results only for the class teacher, the counsellor and the safety leader."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.screening import services
from anxin.screening.models import SurveyResponse, SurveyToken
from anxin.screening.tests.helpers import fill_class


@pytest.fixture
def survey(world):
    fill_class(world.class_a1_1, 5)
    return services.create_survey(
        by=world.user["class_teacher"], klass=world.class_a1_1, closes_on=clock.today() + dt.timedelta(days=5)
    )


def answer(client, survey, token, **extra):
    client.post(f"/screening/q/{survey.class_code}/", {"code": token.code.lower()})
    data = {f"victim_{t}": "0" for t in ("physical", "verbal", "property", "exclusion", "cyber")}
    data.update({"feels_safe": "1"})
    data.update(extra)
    return client.post(f"/screening/q/{survey.class_code}/answer/", data)


def test_a_survey_issues_one_code_per_enrolled_student(world, survey):
    assert survey.tokens.count() == world.class_a1_1.students.count() == 6
    assert len(set(survey.tokens.values_list("code", flat=True))) == 6
    # the codes carry the class's county and school keys (GUIDE principle 7)
    assert set(survey.tokens.values_list("county_id", "school_id")) == {
        (world.class_a1_1.county_id, world.class_a1_1.school_id)
    }


@pytest.mark.parametrize("role", ["class_teacher", "counsellor", "safety_leader"])
def test_survey_readers_can_start_one(world, as_user, role):
    r = as_user(world.user[role]).post(
        "/screening/surveys/new/",
        {"klass": world.class_a1_1.pk, "closes_on": (clock.today() + dt.timedelta(days=3)).isoformat()},
    )
    assert r.status_code == 302


def test_class_teacher_cannot_start_a_survey_for_another_class(world, as_user):
    r = as_user(world.user["class_teacher"]).post(
        "/screening/surveys/new/",
        {"klass": world.class_a1_2.pk, "closes_on": (clock.today() + dt.timedelta(days=3)).isoformat()},
    )
    assert r.status_code == 200 and "选择一个有效的选项" in r.content.decode()


def test_student_answers_with_class_code_and_personal_code_without_account(world, client, survey):
    token = survey.tokens.get(student=world.student_own)
    r = client.get(f"/screening/q/{survey.class_code}/")
    assert r.status_code == 200 and "答题码" in r.content.decode()
    mate = world.class_a1_1.students.exclude(pk=world.student_own.pk).first()
    r = answer(
        client,
        survey,
        token,
        victim_verbal="3",
        places=["toilet"],
        times=["break"],
        friends=[mate.pk],
        isolated=[mate.pk],
        wants_help="on",
    )
    assert r.status_code == 302 and r["Location"] == "/screening/q/done/"
    resp = SurveyResponse.objects.get(survey=survey, student=world.student_own)
    assert resp.victim == {"verbal": 3} and resp.places == ["toilet"] and resp.wants_help
    assert set(resp.nominations.values_list("nominee_id", "kind")) == {
        (mate.pk, "friend"),
        (mate.pk, "isolated"),
    }
    token.refresh_from_db()
    assert token.used_at is not None


def test_a_code_answers_once(world, client, survey):
    token = survey.tokens.get(student=world.student_own)
    answer(client, survey, token)
    r = client.post(f"/screening/q/{survey.class_code}/", {"code": token.code})
    assert r.status_code == 200 and "答题码不正确或已经使用过" in r.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_the_database_allows_one_answer_per_student_per_survey(world, survey):
    kw = dict(
        survey=survey,
        student=world.student_own,
        klass=world.class_a1_1,
        county=world.county_a,
        school=world.school_a1,
    )
    SurveyResponse.objects.create(**kw)
    with pytest.raises(IntegrityError), transaction.atomic():
        SurveyResponse.objects.create(**kw)


def test_submit_refuses_a_used_token_even_if_the_page_was_open_twice(world, survey):
    token = survey.tokens.get(student=world.student_own)
    services.submit_response(survey=survey, token=token, data={"victim": {}})
    with pytest.raises(Exception, match="只能答一次"):
        services.submit_response(
            survey=survey, token=SurveyToken.objects.get(pk=token.pk), data={"victim": {}}
        )


def test_nominations_outside_the_class_are_dropped(world, survey):
    token = survey.tokens.get(student=world.student_own)
    resp = services.submit_response(
        survey=survey,
        token=token,
        data={"victim": {}, "friends": [world.student_other_class.pk, world.student_own.pk]},
    )
    assert not resp.nominations.exists()


def test_a_closed_or_unknown_survey_takes_no_answers(world, client, survey):
    assert client.get("/screening/q/ZZZZZZ/").status_code == 404
    services.close_survey(by=world.user["class_teacher"], survey=survey)
    assert client.get(f"/screening/q/{survey.class_code}/").status_code == 404


def test_answer_page_needs_a_redeemed_code(world, client, survey):
    r = client.get(f"/screening/q/{survey.class_code}/answer/")
    assert r.status_code == 302 and r["Location"] == f"/screening/q/{survey.class_code}/"


def test_survey_answers_are_masked_in_the_audit_trail(world, survey):
    services.submit_response(
        survey=survey,
        token=survey.tokens.get(student=world.student_own),
        data={"victim": {"physical": 3}, "note": "有人打我"},
    )
    ev = AuditEvent.objects.filter(object_type="screening.surveyresponse", action="create").get()
    assert ev.data["after"]["victim"].startswith("hmac:") and ev.data["after"]["note"].startswith("hmac:")


@pytest.mark.parametrize("role", ["class_teacher", "counsellor", "safety_leader"])
def test_results_visible_to_class_teacher_counsellor_and_safety_leader(world, as_user, survey, role):
    services.submit_response(
        survey=survey,
        token=survey.tokens.get(student=world.student_own),
        data={"victim": {"verbal": 3}, "wants_help": True},
    )
    r = as_user(world.user[role]).get(f"/screening/surveys/{survey.pk}/")
    assert r.status_code == 200
    assert world.student_own.name in r.content.decode()
    assert AuditEvent.objects.filter(action="read", object_type="screening.peersurvey").exists()


@pytest.mark.parametrize(
    "role",
    [
        "principal",
        "middle_manager",
        "subject_teacher",
        "security_staff",
        "bureau_safety",
        "supervisor",
        "legal_vp",
    ],
)
def test_results_hidden_from_everyone_else(world, as_user, survey, role):
    r = as_user(world.user[role]).get(f"/screening/surveys/{survey.pk}/")
    assert r.status_code in (403, 404)
    api = as_user(world.user[role]).get("/api/v1/screening/survey-responses/")
    assert api.status_code == 403


def test_class_teacher_of_another_class_cannot_see_results(world, as_user, survey):
    from anxin.core.testing import make_user

    other = make_user("ct2", world.county_a, "class_teacher", world.school_a1, world.class_a1_2)
    assert as_user(other).get(f"/screening/surveys/{survey.pk}/").status_code == 404
    body = as_user(other).get("/api/v1/screening/survey-responses/").json()
    assert body["count"] == 0


def test_analysis_finds_isolated_mutual_and_hotspots(world, survey):
    sts = list(world.class_a1_1.students.order_by("pk"))
    a, b, c, d, e, loner = sts
    plan = {a: [b], b: [a, c], c: [b], d: [e], e: [d, a]}
    for st, friends in plan.items():
        services.submit_response(
            survey=survey,
            token=survey.tokens.get(student=st),
            data={
                "victim": {"verbal": 1} if st == c else {},
                "friends": friends,
                "isolated": [loner],
                "places": ["toilet"] if st == c else [],
                "times": ["break"] if st == c else [],
            },
        )
    res = services.survey_analysis(survey)
    assert res["answers"] == 5 and res["enough"]
    assert res["isolated"] == [loner]
    assert {frozenset((x.pk, y.pk)) for x, y in res["mutual"]} == {
        frozenset((a.pk, b.pk)),
        frozenset((b.pk, c.pk)),
        frozenset((d.pk, e.pk)),
    }
    assert [set(s.pk for s in g) for g in res["groups"]] == [{a.pk, b.pk, c.pk}, {d.pk, e.pk}]
    assert res["named_isolated"] == [(loner, 5)]
    assert res["hot_places"] == [("厕所", 1)] and res["hot_times"] == [("课间", 1)]
    assert res["not_answered"] == [loner]


def test_codes_page_is_for_those_who_run_the_survey(world, as_user, survey):
    assert (
        as_user(world.user["class_teacher"]).get(f"/screening/surveys/{survey.pk}/codes/").status_code == 200
    )
    assert as_user(world.user["principal"]).get(f"/screening/surveys/{survey.pk}/codes/").status_code == 404
