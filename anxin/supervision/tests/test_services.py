import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.core import clock
from anxin.core.roles import Role
from anxin.supervision import checklist, services
from anxin.supervision.models import ChecklistItem, PartnerUnit, RectificationItem, Referral, Visit
from anxin.supervision.tests.conftest import in_days, pdf_upload, score_all

RS = RectificationItem.Status


def test_default_checklist_weights_add_up_to_100_once_per_county(world):
    items = checklist.items_for(world.county_a.pk)
    assert sum(i.weight for i in items) == 100
    checklist.ensure_checklist(world.county_a.pk)
    assert ChecklistItem.objects.filter(county=world.county_a).count() == len(checklist.DEFAULT_CHECKLIST)


def test_bureau_edits_the_checklist_others_may_not(world, bureau, sup):
    item = services.save_item(
        bureau, world.county_a.pk, {"category": "专项", "text": "新增项目", "weight": 5}
    )
    assert item.pk and item.weight == 5
    with pytest.raises(ValidationError) as e:
        services.save_item(bureau, world.county_a.pk, {"category": "专项", "text": "x", "weight": 0})
    assert "weight" in e.value.message_dict
    with pytest.raises(PermissionDenied):
        services.save_item(sup, world.county_a.pk, {"category": "专项", "text": "x", "weight": 5})


def test_a_supervisor_plans_visits_only_at_assigned_schools(world, sup, sup_a2, bureau):
    v = services.plan_visit(sup, world.school_a1, planned_on=clock.today())
    assert v.full == 100 and v.scores.count() == len(checklist.DEFAULT_CHECKLIST)
    with pytest.raises(PermissionDenied):
        services.plan_visit(sup, world.school_a2, planned_on=clock.today())
    # the bureau plans for a supervisor of that school, not for one of another school
    assert services.plan_visit(bureau, world.school_a2, planned_on=clock.today(), supervisor=sup_a2).pk
    with pytest.raises(ValidationError):
        services.plan_visit(bureau, world.school_a2, planned_on=clock.today(), supervisor=sup)


def test_checklist_changes_leave_scored_visits_as_they_were(world, sup, bureau, visit):
    first = visit.scores.first()
    item = ChecklistItem.objects.get(pk=first.item_id)
    services.save_item(bureau, world.county_a.pk, {"weight": 20}, item=item)
    first.refresh_from_db()
    assert first.weight != 20


def test_scores_are_all_or_nothing_and_completion_needs_every_item(world, sup, visit):
    scores = list(visit.scores.all())
    good, bad = scores[0], scores[1]
    with pytest.raises(ValidationError) as e:
        services.save_scores(sup, visit, {good.pk: ("8", ""), bad.pk: (str(bad.weight + 1), "")})
    assert f"score_{bad.pk}" in e.value.message_dict
    good.refresh_from_db()
    assert good.score is None  # nothing saved
    services.save_scores(sup, visit, {good.pk: ("8.5", "缺少培训记录")}, {"findings": "x"})
    visit.refresh_from_db()
    assert visit.total == Decimal("8.5")
    with pytest.raises(ValidationError, match="未评分"):
        services.complete_visit(sup, visit)
    score_all(sup, visit, findings="")
    with pytest.raises(ValidationError):
        services.complete_visit(sup, visit)
    score_all(sup, visit)
    done = services.complete_visit(sup, visit)
    assert (
        done.status == Visit.Status.DONE and done.total == Decimal("100") and done.visited_on == clock.today()
    )
    with pytest.raises(ValidationError):
        services.save_scores(sup, done, {good.pk: ("1", "")})


def test_another_schools_supervisor_may_not_score(world, sup_a2, visit):
    with pytest.raises(PermissionDenied):
        services.save_scores(sup_a2, visit, {})


def test_rectification_cycle_raise_answer_return_verify(world, sup, leader, visit):
    r = services.raise_rectification(
        sup, visit, problem="监控有盲区", requirement="补装摄像头", due_date=in_days(14)
    )
    assert r.status == RS.OPEN
    with pytest.raises(ValidationError):
        services.raise_rectification(sup, visit, problem="x", requirement="y", due_date=in_days(-1))
    # the school: a note and a file are both needed
    with pytest.raises(ValidationError):
        services.submit_response(leader, r, action_taken="已补装")
    services.add_evidence(leader, r, pdf_upload())
    with pytest.raises(PermissionDenied):
        services.submit_response(world.user[Role.CLASS_TEACHER], r, action_taken="已补装")
    r = services.submit_response(leader, r, action_taken="已补装两台摄像头")
    assert r.status == RS.SUBMITTED
    with pytest.raises(ValidationError):
        services.add_evidence(leader, r, pdf_upload())
    with pytest.raises(PermissionDenied):
        services.review(leader, r, accept=True)
    with pytest.raises(ValidationError):
        services.review(sup, r, accept=False, note="")
    r = services.review(sup, r, accept=False, note="操场东侧仍未覆盖")
    assert r.status == RS.RETURNED and r.returns == 1
    r = services.submit_response(leader, r, action_taken="东侧已补装")
    r = services.review(sup, r, accept=True)
    assert r.status == RS.VERIFIED and r.reviewed_by == sup
    with pytest.raises(ValidationError):
        services.review(sup, r, accept=True)


def test_supervisor_of_another_school_may_not_raise_or_verify(world, sup_a2, visit):
    with pytest.raises(PermissionDenied):
        services.raise_rectification(sup_a2, visit, problem="x", requirement="y", due_date=in_days(3))


def _units(world):
    police = PartnerUnit.objects.create(county=world.county_a, kind="police", name="贺兰县公安局习岗派出所")
    proc = PartnerUnit.objects.create(county=world.county_a, kind="procuratorate", name="贺兰县人民检察院")
    return police, proc


def test_joint_inspection_team_schools_and_close(world, bureau, sup):
    police, proc = _units(world)
    liaison = world.user[Role.PARTNER_LIAISON]
    insp = services.create_inspection(
        bureau,
        world.county_a,
        title="2026年春季联合检查",
        starts_on=clock.today(),
        ends_on=in_days(5),
        schools=[world.school_a1, world.school_a2],
        units=[police, proc],
    )
    assert insp.visits.count() == 2 and insp.team.count() == 1
    with pytest.raises(ValidationError):
        services.create_inspection(
            bureau,
            world.county_a,
            title="x",
            starts_on=clock.today(),
            ends_on=in_days(1),
            schools=[world.school_b1],
        )
    with pytest.raises(PermissionDenied):
        services.create_inspection(
            sup,
            world.county_a,
            title="x",
            starts_on=clock.today(),
            ends_on=in_days(1),
            schools=[world.school_a1],
        )
    m = services.add_member(bureau, insp, user=liaison, duty="检查校园周边")
    with pytest.raises(ValidationError):
        services.add_member(bureau, insp, user=liaison)
    services.add_member(bureau, insp, name="李检察官", unit="贺兰县人民检察院")
    assert insp.team.count() == 3
    with pytest.raises(ValidationError):
        services.remove_member(bureau, insp.team.get(user=bureau))
    # a team member scores the schools of the inspection, not other visits
    v1 = insp.visits.get(school=world.school_a1)
    score_all(liaison, v1)
    services.complete_visit(liaison, v1)
    with pytest.raises(ValidationError, match="未完成评分"):
        services.close_inspection(bureau, insp)
    v2 = insp.visits.get(school=world.school_a2)
    services.remove_school(bureau, v2)
    with pytest.raises(ValidationError):
        services.remove_school(bureau, v1)
    services.add_school(bureau, insp, world.school_a2)
    with pytest.raises(ValidationError):
        services.add_school(bureau, insp, world.school_a2)
    services.remove_member(bureau, m)
    with pytest.raises(PermissionDenied):
        services.save_scores(liaison, insp.visits.get(school=world.school_a2), {})
    v2 = insp.visits.get(school=world.school_a2)
    score_all(bureau, v2)
    services.complete_visit(bureau, v2)
    assert services.close_inspection(bureau, insp).status == "closed"
    # closed: the team and the schools stay as they were
    for change in (
        lambda: services.add_school(bureau, insp, world.school_a1),
        lambda: services.add_member(bureau, insp, name="王警官", unit="城关派出所"),
        lambda: services.remove_school(bureau, insp.visits.get(school=world.school_a2)),
    ):
        with pytest.raises(ValidationError, match="联合检查已结束"):
            change()


def test_a_schools_own_staff_are_not_put_on_its_inspection_team(world, bureau, leader):
    """Only those who may take part (bureau, supervisors, partner liaisons, 法治副校长) join a team:
    a principal on the team would score their own school and verify their own rectifications;
    and a team row alone gives no access to one without the right."""
    from anxin.supervision import access
    from anxin.supervision.models import TeamMember

    insp = services.create_inspection(
        bureau,
        world.county_a,
        title="联合检查",
        starts_on=clock.today(),
        ends_on=in_days(3),
        schools=[world.school_a1],
    )
    principal = world.user[Role.PRINCIPAL]
    with pytest.raises(ValidationError, match="检查组成员须是"):
        services.add_member(bureau, insp, user=principal)
    TeamMember.objects.create(county_id=insp.county_id, inspection=insp, user=principal, name="校长")
    v = insp.visits.get()
    assert not access.may_work(principal, v)
    with pytest.raises(PermissionDenied):
        services.save_scores(principal, v, {})
    assert not access.inspections(principal).filter(pk=insp.pk).exists()


def test_referral_to_a_contact_with_an_account_and_its_outcome(world, leader, bureau):
    police, _ = _units(world)
    liaison = world.user[Role.PARTNER_LIAISON]
    contact = services.save_contact(
        bureau, police, {"name": "王警官", "phone": "0951-1234567", "user": liaison}
    )
    data = {
        "unit": police,
        "contact": contact,
        "reason": "left_behind",
        "child": "初一1班 某同学",
        "details": "父母在外务工，临时监护人长期不在家。",
        "request": "请协助联系临时监护人并上门走访",
        "respond_by": in_days(7),
    }
    with pytest.raises(PermissionDenied):
        services.refer(world.user[Role.CLASS_TEACHER], world.school_a1, data)
    r = services.refer(leader, world.school_a1, data)
    assert r.recipient == liaison and r.status == Referral.Status.SENT
    # only the recipient records the outcome
    with pytest.raises(PermissionDenied):
        services.record_outcome(leader, r, outcome="x")
    with pytest.raises(PermissionDenied):
        services.receive(world.user[Role.LEGAL_VP], r)
    services.receive(liaison, r)
    with pytest.raises(ValidationError):
        services.record_outcome(liaison, r, outcome="")
    r = services.record_outcome(liaison, r, outcome="已联系其祖母作为临时监护人，社区网格员每周走访。")
    assert r.status == Referral.Status.CLOSED and r.outcome_by == liaison


def test_a_referral_whose_recipient_left_is_answered_by_the_school(world, leader, bureau):
    """A contact's account must be one that answers referrals; when the recipient's post ends
    they no longer see it, and the school records the outcome the unit gave."""
    from anxin.accounts.models import Membership
    from anxin.core import duties, policy
    from anxin.supervision import access

    police, _ = _units(world)
    with pytest.raises(ValidationError, match="法治副校长或公检法联络员"):
        services.save_contact(bureau, police, {"name": "李老师", "user": world.user[Role.CLASS_TEACHER]})
    liaison = world.user[Role.PARTNER_LIAISON]
    contact = services.save_contact(bureau, police, {"name": "王警官", "user": liaison})
    r = services.refer(
        leader,
        world.school_a1,
        {
            "unit": police,
            "contact": contact,
            "reason": "left_behind",
            "details": "临时监护人长期不在家。",
            "request": "请协助上门走访",
            "respond_by": in_days(7),
        },
    )

    def owed(user):
        return [d for d in duties.duties_for(user) if d.ref == f"supervision.referral:{r.pk}"]

    assert access.referrals(liaison).filter(pk=r.pk).exists()
    assert owed(liaison) and not owed(leader)
    Membership.objects.filter(user=liaison).update(ended_on=clock.today() - dt.timedelta(days=1))
    policy.forget(liaison)
    assert not access.referrals(liaison).filter(pk=r.pk).exists()
    # the duty moves with it: from the one who left to the school's referrer
    assert not owed(liaison) and owed(leader)
    r = services.record_outcome(leader, r, outcome="派出所已电话告知：已联系祖母作为临时监护人。")
    assert r.status == Referral.Status.CLOSED and r.outcome_by == leader


def test_a_referral_names_the_student_from_the_roster(world, leader, bureau):
    """The student is linked from the roster by name (with the class when two share it): no
    name is typed into the referral, and a name not on the school's roll is refused whole."""
    from anxin.core.testing import make_student

    police, _ = _units(world)
    data = {
        "unit": police,
        "reason": "left_behind",
        "details": "临时监护人长期不在家。",
        "request": "请协助上门走访",
        "respond_by": in_days(7),
    }
    r = services.refer(leader, world.school_a1, {**data, "student_name": world.student_own.name})
    assert r.student == world.student_own and r.child == ""
    with pytest.raises(ValidationError, match="没有找到"):
        services.refer(leader, world.school_a1, {**data, "student_name": world.student_other_school.name})
    twin = make_student(world.class_a1_2, world.student_own.name, 9)
    with pytest.raises(ValidationError, match="请写成"):
        services.refer(leader, world.school_a1, {**data, "student_name": world.student_own.name})
    k = twin.klass
    r = services.refer(
        leader, world.school_a1, {**data, "student_name": f"{twin.name} {k.grade.name}{k.name}"}
    )
    assert r.student == twin
    assert Referral.objects.count() == 2


def test_referral_to_a_unit_without_account_is_closed_by_the_school(world, leader, bureau):
    civil = services.save_unit(bureau, world.county_a.pk, {"kind": "civil", "name": "贺兰县民政局"})
    r = services.refer(
        leader,
        world.school_a1,
        {
            "unit": civil,
            "reason": "hardship",
            "details": "家庭困难",
            "request": "申请临时救助",
            "respond_by": in_days(10),
        },
    )
    assert r.recipient is None
    r = services.record_outcome(leader, r, outcome="已纳入临时救助")
    assert r.status == Referral.Status.CLOSED


def test_referral_validation(world, leader, bureau):
    police, _ = _units(world)
    other = PartnerUnit.objects.create(county=world.county_b, kind="police", name="永宁县派出所")
    with pytest.raises(ValidationError) as e:
        services.refer(
            leader, world.school_a1, {"unit": other, "reason": "other", "respond_by": dt.date(2000, 1, 1)}
        )
    assert {"unit", "details", "request", "respond_by"} <= set(e.value.message_dict)
    with pytest.raises(PermissionDenied):
        services.save_unit(leader, world.county_a.pk, {"kind": "police", "name": "x"})
