"""R-CARE-1 overdue contacts flagged to the class teacher and the safety leader (idempotent);
R-CARE-2 an anomaly found in a contact creates an intervention task."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from anxin.care import services
from anxin.care.models import InterventionTask
from anxin.care.tasks import care_overdue_sweep
from anxin.core.models import Notification

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def overdue_plan(world, leader):
    with time_machine.travel(START, tick=False):
        plan = services.create_plan(leader, world.student_own, level="red")
        services.log_contact(leader, plan=plan, summary="谈心谈话")
    return plan


@pytest.mark.django_db
def test_overdue_contact_is_flagged_to_class_teacher_and_safety_leader(overdue_plan, leader, teacher):
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        care_overdue_sweep.call_local()
    notes = Notification.objects.filter(kind="care_overdue")
    assert {n.recipient_id for n in notes} == {leader.pk, teacher.pk}
    assert all(f"/care/plans/{overdue_plan.pk}/" == n.url for n in notes)
    assert all("张小明" not in n.title + n.body for n in notes)  # no names in notices


@pytest.mark.django_db
def test_overdue_sweep_run_twice_sends_nothing_twice(overdue_plan):
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        first = care_overdue_sweep.call_local()
        second = care_overdue_sweep.call_local()
    with time_machine.travel(START + dt.timedelta(days=9), tick=False):
        third = care_overdue_sweep.call_local()  # still the same overdue period
    assert first == 2 and second == 0 and third == 0
    assert Notification.objects.filter(kind="care_overdue").count() == 2


@pytest.mark.django_db
def test_a_new_overdue_period_is_flagged_again(overdue_plan, leader):
    with time_machine.travel(START + dt.timedelta(days=8), tick=False):
        services.flag_overdue()
        services.log_contact(leader, plan=overdue_plan, summary="补上谈话")
    with time_machine.travel(START + dt.timedelta(days=16), tick=False):
        assert services.flag_overdue() == 2
    assert Notification.objects.filter(kind="care_overdue").count() == 4


@pytest.mark.django_db
def test_closed_plan_is_never_overdue(overdue_plan, leader):
    services.close_plan(leader, overdue_plan, "情况好转")
    with time_machine.travel(START + dt.timedelta(days=30), tick=False):
        assert services.flag_overdue() == 0


@pytest.mark.django_db
def test_anomaly_creates_task_and_notifies_safety_leader(world, plan, teacher, leader):
    contact = services.log_contact(
        teacher,
        plan=plan,
        summary="谈话中学生提到放学路上被高年级同学索要钱财",
        anomaly=True,
        anomaly_note="疑似被索要财物，需核实",
    )
    task = InterventionTask.objects.get(source=contact)
    assert task.owner == teacher and task.status == "open" and task.plan == plan
    assert task.detail == "疑似被索要财物，需核实"
    assert task.due_on > contact.occurred_at.date()
    note = Notification.objects.get(recipient=leader, kind="care_anomaly")
    assert note.url == f"/care/tasks/{task.pk}/"
    assert "张小明" not in note.title + note.body


@pytest.mark.django_db
def test_contact_without_anomaly_creates_no_task(plan, teacher):
    services.log_contact(teacher, plan=plan, summary="情绪稳定")
    assert not InterventionTask.objects.exists()
    assert not Notification.objects.filter(kind="care_anomaly").exists()


@pytest.mark.django_db
def test_task_cannot_be_finished_without_outcome(plan, teacher):
    contact = services.log_contact(teacher, plan=plan, summary="x", anomaly=True, anomaly_note="异常")
    task = contact.tasks.get()
    with pytest.raises(ValidationError) as exc:
        services.update_task(teacher, task, status="done")
    assert "完成任务须填写处理结果。" in exc.value.messages
    task = services.update_task(teacher, task, status="done", outcome="已与家长沟通，报告学校")
    assert task.done_by == teacher and task.done_at


@pytest.mark.django_db
def test_overdue_task_is_flagged_once_to_owner_and_safety_leader(plan, teacher, leader):
    with time_machine.travel(START, tick=False):
        contact = services.log_contact(teacher, plan=plan, summary="x", anomaly=True, anomaly_note="异常")
    task = contact.tasks.get()
    with time_machine.travel(START + dt.timedelta(days=10), tick=False):
        services.flag_overdue()
        services.flag_overdue()
    notes = Notification.objects.filter(kind="care_task_overdue")
    assert {n.recipient_id for n in notes} == {teacher.pk, leader.pk}
    assert all(n.url == f"/care/tasks/{task.pk}/" for n in notes)


@pytest.mark.django_db
def test_anomaly_is_reported_to_the_risk_engine(world, plan, teacher, fake_screening):
    import sys

    seen = []
    sys.modules["anxin.screening.services"].note_care_anomaly = lambda student, src: seen.append(
        (student, src)
    )
    contact = services.log_contact(teacher, plan=plan, summary="x", anomaly=True, anomaly_note="异常")
    assert seen == [(world.student_own, contact)]


@pytest.mark.django_db
def test_overdue_plan_is_marked_on_the_class_teachers_list(overdue_plan, teacher, as_user):
    c = as_user(teacher)
    with time_machine.travel(START + dt.timedelta(days=10), tick=False):
        html = c.get("/care/?overdue=true").content.decode()
        assert "逾期 3 天" in html and "张小明" in html
        assert "张小明" not in c.get("/care/?overdue=false").content.decode()
