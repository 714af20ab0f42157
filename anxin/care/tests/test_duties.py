"""Care duties on 工作台: a contact due by the plan's cadence and an intervention task appear
for their owner (and, once overdue, for the school's leaders and the class teacher of a
contact), and go when the contact is logged or the task is done."""

from __future__ import annotations

import datetime as dt

from anxin.care import services
from anxin.care.models import CarePlan, InterventionTask
from anxin.core import clock, duties


def _refs(user, kind) -> set[str]:
    return {d.ref for d in duties.duties_for(user, clock.now(), kinds=[kind])}


def test_a_contact_due_is_the_owners_and_goes_when_logged(world, leader, teacher, counsellor, plan):
    ref = f"care.careplan:{plan.pk}"
    assert plan.owner == teacher  # the class teacher by default
    plan.refresh_from_db()
    assert plan.next_due_on <= clock.today() + dt.timedelta(days=duties.DUE_SOON_DAYS)
    assert ref in _refs(teacher, "care.contact_due")
    assert ref not in _refs(counsellor, "care.contact_due")
    # not overdue yet: the safety leader does not see the teacher's duty
    CarePlan.objects.filter(pk=plan.pk).update(next_due_on=clock.today() + dt.timedelta(days=2))
    assert ref not in _refs(leader, "care.contact_due")
    CarePlan.objects.filter(pk=plan.pk).update(next_due_on=clock.today() - dt.timedelta(days=3))
    [d] = [d for d in duties.duties_for(leader, clock.now(), kinds=["care.contact_due"]) if d.ref == ref]
    assert d.state(clock.now()) == duties.State.OVERDUE and not d.is_mine(leader)
    assert d.url == f"/care/plans/{plan.pk}/log/"
    services.log_contact(teacher, plan=plan, summary="谈心，情绪好转")
    # the overdue contact is done: the leader no longer sees it, the teacher sees the next one
    # only when it falls due this week
    assert ref not in _refs(leader, "care.contact_due")
    plan.refresh_from_db()
    assert plan.next_due_on > clock.today()
    mine = {d.ref: d for d in duties.duties_for(teacher, clock.now(), kinds=["care.contact_due"])}
    assert ref not in mine or mine[ref].due == plan.next_due_on
    CarePlan.objects.filter(pk=plan.pk).update(next_due_on=clock.today() + dt.timedelta(days=30))
    assert ref not in _refs(teacher, "care.contact_due")


def test_another_countys_leader_sees_nothing(world, plan):
    CarePlan.objects.filter(pk=plan.pk).update(next_due_on=dt.date(2020, 1, 1))
    assert not _refs(world.user_b["safety_leader"], "care.contact_due")


def test_an_intervention_task_is_the_owners_until_done(world, leader, teacher, plan):
    contact = services.log_contact(
        teacher, plan=plan, summary="家访", anomaly=True, anomaly_note="学生手臂有淤青"
    )
    task = InterventionTask.objects.get(source=contact)
    ref = f"care.interventiontask:{task.pk}"
    assert ref in _refs(teacher, "care.task")
    assert ref not in _refs(leader, "care.task")  # not overdue
    InterventionTask.objects.filter(pk=task.pk).update(due_on=clock.today() - dt.timedelta(days=1))
    assert ref in _refs(leader, "care.task")
    services.update_task(teacher, task, status=InterventionTask.Status.DONE, outcome="已联系家长，送医检查")
    assert ref not in _refs(teacher, "care.task")


def test_a_plan_handed_to_another_owner_tells_them_and_moves_its_duty(
    world, leader, teacher, counsellor, plan
):
    from anxin.core.models import Notification

    ref = f"care.careplan:{plan.pk}"
    assert ref in _refs(teacher, "care.contact_due")
    services.update_plan(leader, plan, owner=counsellor)
    note = Notification.objects.get(recipient=counsellor, kind="care_plan_owner")
    assert note.url == f"/care/plans/{plan.pk}/"
    assert ref in _refs(counsellor, "care.contact_due") and ref not in _refs(teacher, "care.contact_due")
    services.update_plan(leader, plan, owner=counsellor)  # not a change: nobody is told again
    assert Notification.objects.filter(recipient=counsellor, kind="care_plan_owner").count() == 1
