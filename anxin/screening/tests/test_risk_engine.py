"""The engine reads each input from the database, recomputes when an input changes, keeps a
history only of changes, and serves care's ``risk_level`` / ``risk_levels`` (R-SCR-4)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from anxin.core import clock
from anxin.roster.models import Student
from anxin.screening import risk, services
from anxin.screening.models import (
    Nomination,
    RiskAssessment,
    RiskSignal,
    RiskState,
    TendencyEntry,
    VulnerabilityEntry,
)
from anxin.screening.tests.helpers import fill_class, open_round, record


def level(student):
    return services.risk_level(student)


def reasons(student):
    st = RiskState.objects.filter(student=student).first()
    return [r["code"] for r in st.reasons] if st else []


def test_a_never_computed_student_is_green(world):
    assert services.risk_level(world.student_own) == "green"
    assert services.risk_levels([world.student_own.pk, 999999]) == {
        world.student_own.pk: "green",
        999999: "green",
    }


def test_roster_flags_feed_the_register_and_the_level(world, django_capture_on_commit_callbacks):
    st = world.student_own
    with django_capture_on_commit_callbacks(execute=True):
        st.left_behind = "2"
        st.needs_aid = True
        st.save()
    assert set(
        VulnerabilityEntry.objects.filter(student=st, ended_on__isnull=True).values_list(
            "category__code", flat=True
        )
    ) == {"left_behind", "poverty"}
    assert level(st) == "yellow"
    assert reasons(st) == ["left_behind", "poverty"]


def test_screening_record_recomputes_that_student(world, django_capture_on_commit_callbacks):
    rnd = open_round(world)
    with django_capture_on_commit_callbacks(execute=True):
        record(world, rnd, world.student_own, psych="abnormal", note="")
    assert level(world.student_own) == "orange"
    assert "screen_psych_abnormal" in reasons(world.student_own)


def test_only_the_latest_round_counts(world, django_capture_on_commit_callbacks):
    first = open_round(world)
    with django_capture_on_commit_callbacks(execute=True):
        record(world, first, world.student_own, peers="isolated")
        second = open_round(world)
        record(world, second, world.student_own)
    assert level(world.student_own) == "green"


def test_excused_record_is_not_a_screening_result(world, django_capture_on_commit_callbacks):
    rnd = open_round(world)
    with django_capture_on_commit_callbacks(execute=True):
        services.save_record(
            by=world.user["class_teacher"],
            round=rnd,
            student=world.student_own,
            data={"missing_reason": "长期病假"},
        )
    assert reasons(world.student_own) == []


def test_tendency_register_sets_at_least_orange(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_tendency(
            by=world.user["safety_leader"], student=world.student_own, grounds="多次辱骂同学"
        )
    assert level(world.student_own) == "orange"


def test_survey_nominations_change_classmates_levels(world, django_capture_on_commit_callbacks):
    mates = fill_class(world.class_a1_1, 5)
    with django_capture_on_commit_callbacks(execute=True):
        survey = services.create_survey(
            by=world.user["class_teacher"],
            klass=world.class_a1_1,
            closes_on=clock.today() + dt.timedelta(days=3),
        )
    target = world.student_own
    for st in mates:
        token = survey.tokens.get(student=st)
        others = [m for m in mates if m.pk != st.pk]
        with django_capture_on_commit_callbacks(execute=True):
            services.submit_response(
                survey=survey, token=token, data={"victim": {}, "friends": others[:2], "isolated": [target]}
            )
    assert Nomination.objects.filter(nominee=target, kind="isolated").count() == 5
    got = reasons(target)
    assert "survey_named_isolated" in got and "survey_no_friends" in got
    assert level(target) == "yellow"


def test_signals_from_cases_and_reports_count_within_their_windows(world, django_capture_on_commit_callbacks):
    st = world.student_own
    with django_capture_on_commit_callbacks(execute=True):
        RiskSignal.objects.create(
            student=st,
            county_id=st.county_id,
            school_id=st.school_id,
            kind="case_victim",
            source_type="cases.bullyingcase",
            source_id="7",
        )
    assert level(st) == "red"
    with time_machine.travel(clock.now() + dt.timedelta(days=100)):
        risk.recompute([st.pk])
        assert level(st) == "green"


def test_history_is_written_only_when_level_or_reasons_change(world, django_capture_on_commit_callbacks):
    st = world.student_own
    with django_capture_on_commit_callbacks(execute=True):
        services.add_tendency(by=world.user["safety_leader"], student=st, grounds="打人")
    assert RiskAssessment.objects.filter(student=st).count() == 1
    risk.recompute([st.pk])
    risk.recompute([st.pk])
    assert RiskAssessment.objects.filter(student=st).count() == 1
    a = RiskAssessment.objects.get(student=st)
    assert (a.previous_level, a.level) == ("", "orange")
    with django_capture_on_commit_callbacks(execute=True):
        st.left_behind = "1"
        st.save()
    assert RiskAssessment.objects.filter(student=st).count() == 2  # same level, one more reason


def test_risk_levels_accepts_a_queryset(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    got = services.risk_levels(Student.objects.filter(school=world.school_a1))
    assert got == {world.student_own.pk: "orange", world.student_other_class.pk: "green"}


def test_recompute_risk_command_covers_a_county_and_is_idempotent(world):
    TendencyEntry.objects.create(
        county=world.county_a,
        school=world.school_a1,
        student=world.student_own,
        grounds="x",
        review_due=clock.today(),
    )
    call_command("recompute_risk", "--county", "640122")
    assert RiskState.objects.filter(county=world.county_a).count() == 3
    assert not RiskState.objects.filter(county=world.county_b).exists()
    assert level(world.student_own) == "orange"
    before = RiskAssessment.objects.count()
    call_command("recompute_risk", "--county", "640122")
    assert RiskAssessment.objects.count() == before


def test_recompute_one_student_reads_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        risk.recompute([world.student_own.pk])


def test_nightly_refresh_ages_signals_out(world):
    from anxin.screening.tasks import nightly_risk_refresh

    st = world.student_own
    RiskSignal.objects.create(
        student=st,
        county_id=st.county_id,
        school_id=st.school_id,
        kind="named_report",
        source_type="intake.report",
        source_id="1",
    )
    risk.recompute([st.pk])
    assert "named_recent" in reasons(st)
    with time_machine.travel(clock.now() + dt.timedelta(days=40)):
        nightly_risk_refresh.call_local()
    assert "named_recent" not in reasons(st)


@pytest.mark.parametrize("role", ["class_teacher", "safety_leader", "counsellor", "principal"])
def test_student_risk_page_shows_level_reasons_and_history(
    world, as_user, role, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    r = as_user(world.user[role]).get(f"/screening/risk/student/{world.student_own.pk}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'class="level orange">橙' in body
    assert "列入欺凌倾向台账（重点盯防）" in body


@pytest.mark.parametrize(
    "role", ["class_teacher", "bureau_safety", "subject_teacher", "security_staff", "supervisor"]
)
def test_student_risk_page_refuses_outside_need_to_know(world, as_user, role):
    r = as_user(world.user[role]).get(f"/screening/risk/student/{world.student_other_class.pk}/")
    assert r.status_code in (403, 404)


def test_school_list_shows_who_changed_level_this_week(world, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    body = as_user(world.user["safety_leader"]).get("/screening/risk/changes/").content.decode()
    assert world.student_own.name in body
    with time_machine.travel(clock.now() + dt.timedelta(days=8)):
        body = as_user(world.user["safety_leader"]).get("/screening/risk/changes/").content.decode()
    assert world.student_own.name not in body


def test_class_teacher_risk_list_is_own_class_only(world, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for st in (world.student_own, world.student_other_class):
            services.add_tendency(by=world.user["safety_leader"], student=st, grounds="打人")
    body = as_user(world.user["class_teacher"]).get("/screening/risk/").content.decode()
    assert world.student_own.name in body and world.student_other_class.name not in body


def _roles_allowed_to_export_risk_changes():
    from anxin.core import policy
    from anxin.screening.models import RiskAssessment

    return sorted(policy.roles_with(policy.perm_name(RiskAssessment, "export")))


def test_risk_changes_export_works_for_every_role_allowed_to_export_it(
    world, as_user, django_capture_on_commit_callbacks
):
    import io

    import openpyxl

    with django_capture_on_commit_callbacks(execute=True):
        services.add_tendency(by=world.user["safety_leader"], student=world.student_own, grounds="打人")
    roles = _roles_allowed_to_export_risk_changes()
    assert "safety_leader" in roles
    for role in roles:
        r = as_user(world.user[role]).get("/screening/risk/changes/", {"format": "xlsx"})
        assert r.status_code == 200, role
        sheet = openpyxl.load_workbook(
            io.BytesIO(b"".join(r.streaming_content) if r.streaming else r.content)
        ).active
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][:3] == ("学校", "班级", "学生")
        names = [row[2] for row in rows[1:]]
        if role in ("safety_leader", "principal", "class_teacher", "counsellor"):
            assert world.student_own.name in names, role
