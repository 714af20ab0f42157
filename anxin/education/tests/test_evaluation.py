"""考评 and the 评优评先 gate: the record is read from what is recorded; every reason bars; the
principal's override lets the person through, with the reason, audited."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.education import periods, services
from anxin.education.evaluation import records
from anxin.education.tests.conftest import activity, days_ago


def _year():
    return periods.year_of()


def _rec(world, user):
    return records(world.school_a1, _year())[user.pk]


@pytest.fixture
def case(world, mm):
    from anxin.cases import scenarios

    scenarios.constitute(world.school_a1, world.user[Role.PRINCIPAL])
    return scenarios.open_simple(
        world.school_a1, mm, victim=world.student_own, bully=world.student_other_class
    )


def _task(world, owner, due_on, done_at=None):
    from anxin.care.models import InterventionTask

    return InterventionTask.objects.create(
        county=world.county_a,
        school=world.school_a1,
        student=world.student_own,
        title="跟进谈话",
        owner=owner,
        due_on=due_on,
        status="done" if done_at else "open",
        done_at=done_at,
    )


def test_a_clean_record_is_eligible_and_counts_what_was_done(world, mm, teacher):
    a = activity(world, mm)
    services.set_staff(mm, a, [teacher, mm])
    activity(world, mm, kind="moral", presenter=teacher)
    _task(world, teacher, days_ago(5), done_at=clock.now() - dt.timedelta(days=6))
    from anxin.care.models import ContactLog

    ContactLog.objects.create(
        county=world.county_a,
        school=world.school_a1,
        student=world.student_own,
        staff=teacher,
        occurred_at=clock.now(),
        summary="谈心",
    )
    r = _rec(world, teacher)
    assert (r.trainings, r.activities, r.presented, r.tasks_on_time, r.contacts) == (1, 1, 1, 1, 1)
    assert r.eligible and not r.lapses and str(r.eligibility_label) == "具备资格"
    assert "班主任" in r.post_labels
    # not staff: a 法治副校长 has no record here
    assert world.user[Role.LEGAL_VP].pk not in records(world.school_a1, _year())


def test_late_report_unsent_bars_the_case_owner(world, mm, case):
    from anxin.cases.models import BullyingCase

    BullyingCase.objects.filter(pk=case.pk).update(
        owner=mm,
        report_required=True,
        report_due_at=clock.now() - dt.timedelta(hours=2),
        first_reported_at=None,
    )
    r = _rec(world, mm)
    assert not r.eligible and [lp.code for lp in r.lapses] == ["late_report"]
    assert "逾期未报" in r.lapses[0].text and r.cases_handled == 1
    # not yet due: no lapse
    BullyingCase.objects.filter(pk=case.pk).update(report_due_at=clock.now() + dt.timedelta(hours=2))
    assert _rec(world, mm).eligible


def test_late_report_sent_late_bars_and_follows_the_owner(world, mm, case):
    from anxin.cases.models import BullyingCase

    leader = world.user[Role.SAFETY_LEADER]
    due = clock.now() - dt.timedelta(days=1)
    BullyingCase.objects.filter(pk=case.pk).update(
        owner=leader,
        report_required=True,
        report_due_at=due,
        first_reported_at=due + dt.timedelta(hours=3),
        report_late=True,
    )
    assert _rec(world, mm).eligible  # opened it, but the owner answers for it
    r = _rec(world, leader)
    assert [lp.code for lp in r.lapses] == ["late_report"] and "迟报" in r.lapses[0].text
    # sent on time: no lapse
    BullyingCase.objects.filter(pk=case.pk).update(
        first_reported_at=due - dt.timedelta(hours=1), report_late=False
    )
    assert _rec(world, leader).eligible


def test_no_owner_the_opener_answers(world, mm, case):
    from anxin.cases.models import BullyingCase

    BullyingCase.objects.filter(pk=case.pk).update(
        owner=None, report_required=True, report_due_at=clock.now() - dt.timedelta(hours=1)
    )
    assert [lp.code for lp in _rec(world, mm).lapses] == ["late_report"]


def test_overdue_task_beyond_the_county_threshold(world, teacher):
    services.update_setting(world.user[Role.BUREAU_SAFETY], world.county_a.pk, {"overdue_days": 7})
    _task(world, teacher, days_ago(5))  # 5 days overdue: within the threshold
    r = _rec(world, teacher)
    assert r.eligible and r.tasks_open == 1
    t = _task(world, teacher, days_ago(9))  # 9 days: beyond
    r = _rec(world, teacher)
    assert [lp.code for lp in r.lapses] == ["overdue_task"] and "仍未完成" in r.lapses[0].text
    assert f"/care/tasks/{t.pk}/" in r.lapses[0].url
    # done, but 8 days late: still a lapse of the year
    t.status, t.done_at = "done", clock.now() - dt.timedelta(days=1)
    t.save()
    r = _rec(world, teacher)
    assert [lp.code for lp in r.lapses] == ["overdue_task"] and "才完成" in r.lapses[0].text
    assert r.tasks_late == 1
    # the county raises its threshold: no lapse
    services.update_setting(world.user[Role.BUREAU_SAFETY], world.county_a.pk, {"overdue_days": 10})
    assert _rec(world, teacher).eligible


def test_overdue_investigation(world, mm, case):
    from anxin.cases.models import BullyingCase, Investigation

    BullyingCase.objects.filter(pk=case.pk).update(state="investigating")  # as the workflow leaves it

    inv = Investigation.objects.create(
        county=world.county_a,
        school=world.school_a1,
        case=case,
        investigator=mm,
        started_at=clock.now() - dt.timedelta(days=30),
        due_at=clock.now() - dt.timedelta(days=10),
    )
    r = _rec(world, mm)
    assert [lp.code for lp in r.lapses] == ["overdue_investigation"] and case.number in r.lapses[0].text
    inv.finished_at = inv.due_at - dt.timedelta(days=1)
    inv.save()
    r = _rec(world, mm)
    assert r.eligible and r.investigations_on_time == 1


def test_override_needs_the_principal_and_a_reason_and_is_audited(world, mm, principal, teacher):
    _task(world, teacher, days_ago(20))
    leader = world.user[Role.SAFETY_LEADER]
    with pytest.raises(PermissionDenied):
        services.override_eligibility(leader, world.school_a1, teacher, _year(), "理由足够长的说明")
    with pytest.raises(ValidationError):
        services.override_eligibility(principal, world.school_a1, teacher, _year(), "短")
    with pytest.raises(ValidationError):  # nothing to override
        services.override_eligibility(principal, world.school_a1, mm, _year(), "理由足够长的说明")
    o = services.override_eligibility(
        principal, world.school_a1, teacher, _year(), "学生病假，家长要求延期，已说明情况"
    )
    r = _rec(world, teacher)
    assert r.lapses and r.eligible and r.override == o and str(r.eligibility_label) == "经校长认定具备资格"
    assert o.lapses == [{"key": lp.key, "text": lp.text} for lp in r.lapses]
    assert AuditEvent.objects.filter(action="override", object_type="education.eligibilityoverride").exists()
    # another county's principal cannot
    with pytest.raises(PermissionDenied):
        services.override_eligibility(
            world.user_b[Role.SAFETY_LEADER], world.school_a1, teacher, _year(), "理由足够长的说明"
        )
    services.withdraw_override(principal, o)
    assert not _rec(world, teacher).eligible
    assert AuditEvent.objects.filter(action="override_withdrawn").exists()


def test_an_override_does_not_cover_a_lapse_that_arises_later(world, principal, teacher):
    _task(world, teacher, days_ago(20))
    services.override_eligibility(principal, world.school_a1, teacher, _year(), "学生病假，家长要求延期")
    assert _rec(world, teacher).eligible
    with time_machine.travel(clock.now() + dt.timedelta(days=1)):  # the lapse's text counts on
        assert _rec(world, teacher).eligible
    _task(world, teacher, days_ago(30))  # a second task, overdue beyond the threshold
    r = _rec(world, teacher)
    assert not r.eligible and len(r.new_lapses) == 1
    assert str(r.eligibility_label) == "认定后又有新问题，暂不具备资格"
    # the principal weighs it too: covered again
    services.override_eligibility(principal, world.school_a1, teacher, _year(), "两项均已查明原因并补正")
    assert _rec(world, teacher).eligible


def test_a_principal_does_not_override_their_own_record(world, principal):
    _task(world, principal, days_ago(20))
    with pytest.raises(ValidationError, match="本人"):
        services.override_eligibility(principal, world.school_a1, principal, _year(), "理由足够长的说明")


def test_an_investigation_left_unfinished_by_a_closed_case_is_no_lapse(world, mm, case):
    from anxin.cases.models import BullyingCase, Investigation

    Investigation.objects.create(
        county=world.county_a,
        school=world.school_a1,
        case=case,
        investigator=mm,
        started_at=clock.now() - dt.timedelta(days=30),
        due_at=clock.now() - dt.timedelta(days=10),
    )
    BullyingCase.objects.filter(pk=case.pk).update(state="investigating")
    assert [lp.code for lp in _rec(world, mm).lapses] == ["overdue_investigation"]
    BullyingCase.objects.filter(pk=case.pk).update(state="closed")  # closed as 查无实据
    assert _rec(world, mm).eligible


def test_records_cost_a_fixed_number_of_queries(world, mm, django_assert_max_num_queries):
    from anxin.core.testing import make_user

    for i in range(15):
        make_user(f"x{i}", world.county_a, Role.SUBJECT_TEACHER, world.school_a1, world.class_a1_1)
    with django_assert_max_num_queries(14):
        got = records(world.school_a1, _year())
    assert len(got) >= 15
