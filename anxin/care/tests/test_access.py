"""ROLES.md for care: a class teacher sees their own class, school leaders the school, the
bureau counts only; out of scope reads as "does not exist" (404)."""

import pytest

from anxin.care import services
from anxin.core.models import AuditEvent
from anxin.core.roles import Role


@pytest.mark.django_db
def test_class_teacher_cannot_see_another_class_plan(other_plan, teacher, as_user):
    c = as_user(teacher)
    assert c.get(f"/care/plans/{other_plan.pk}/").status_code == 404
    assert c.get(f"/care/plans/{other_plan.pk}/log/").status_code == 404
    assert c.get(f"/api/v1/care-plans/{other_plan.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="denied", object_type="care.careplan").exists()


@pytest.mark.django_db
def test_class_teacher_lists_only_own_class_plans(plan, other_plan, teacher, as_user):
    c = as_user(teacher)
    html = c.get("/care/").content.decode()
    assert "张小明" in html and "李小红" not in html
    ids = [p["id"] for p in c.get("/api/v1/care-plans/").json()["results"]]
    assert ids == [plan.pk]


@pytest.mark.django_db
def test_safety_leader_sees_the_whole_school(plan, other_plan, leader, as_user):
    html = as_user(leader).get("/care/").content.decode()
    assert "张小明" in html and "李小红" in html


@pytest.mark.django_db
def test_plan_read_is_audited(plan, teacher, as_user):
    as_user(teacher).get(f"/care/plans/{plan.pk}/")
    assert AuditEvent.objects.filter(
        action="read", object_type="care.careplan", object_id=str(plan.pk)
    ).exists()


@pytest.mark.django_db
def test_class_teacher_may_log_but_not_open_plans(world, teacher, as_user):
    c = as_user(teacher)
    assert c.get("/care/plans/new/").status_code == 403
    r = c.post("/api/v1/care-plans/", {"student": world.student_own.pk}, content_type="application/json")
    assert r.status_code == 403


@pytest.mark.parametrize("role", [Role.SUBJECT_TEACHER, Role.SECURITY_STAFF, Role.BUREAU_ADMIN, Role.AUDITOR])
@pytest.mark.django_db
def test_roles_without_care_rights_are_refused(world, plan, as_user, role):
    c = as_user(world.user[role])
    assert c.get("/care/").status_code == 403
    assert c.get(f"/care/plans/{plan.pk}/").status_code == 404
    assert c.get("/api/v1/care-plans/").status_code == 403


@pytest.mark.django_db
def test_other_county_safety_leader_cannot_see_plan(world, plan, as_user):
    c = as_user(world.user_b[Role.SAFETY_LEADER])
    assert c.get(f"/care/plans/{plan.pk}/").status_code == 404


@pytest.mark.django_db
def test_bureau_sees_counts_by_school_but_no_names(world, plan, other_plan, teacher, as_user):
    services.log_contact(teacher, plan=plan, summary="x", anomaly=True, anomaly_note="异常")
    c = as_user(world.user[Role.BUREAU_SAFETY])
    r = c.get("/care/stats/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "贺兰县第一中学" in html and "张小明" not in html and "李小红" not in html
    assert c.get("/care/").status_code == 403
    assert c.get(f"/care/plans/{plan.pk}/").status_code == 404
    row = services.stats_by_school(world.user[Role.BUREAU_SAFETY])[0]
    assert (row["active"], row["red"], row["orange"], row["open_tasks"]) == (2, 1, 1, 1)
    assert services.stats_by_school(world.user_b[Role.BUREAU_SAFETY]) == []


@pytest.mark.django_db
def test_principal_and_middle_manager_may_open_plans(world, as_user):
    for role in (Role.PRINCIPAL, Role.MIDDLE_MANAGER):
        c = as_user(world.user[role])
        assert c.get(f"/care/plans/new/?student={world.student_own.pk}").status_code == 200


@pytest.mark.django_db
def test_plan_create_page_opens_a_plan_with_class_teacher_as_default_owner(world, leader, teacher, as_user):
    c = as_user(leader)
    r = c.post(
        f"/care/plans/new/?student={world.student_own.pk}",
        {"kind": "care", "level": "orange", "measures": ["talk", "peer_help"], "reason": "性格内向"},
    )
    assert r.status_code == 302
    plan = world.student_own.care_plans.get()
    assert (plan.owner, plan.level, plan.measures) == (teacher, "orange", ["talk", "peer_help"])
    r = c.post(f"/care/plans/new/?student={world.student_own.pk}", {"kind": "care", "measures": []})
    assert "请至少选择一项帮扶措施。" in r.content.decode()


@pytest.mark.django_db
def test_intervention_task_is_visible_to_safety_leader_not_other_class(world, plan, teacher, leader, as_user):
    contact = services.log_contact(teacher, plan=plan, summary="x", anomaly=True, anomaly_note="被孤立")
    task = contact.tasks.get()
    assert "被孤立" in as_user(leader).get(f"/care/tasks/{task.pk}/").content.decode()
    other = world.user_b[Role.CLASS_TEACHER]
    assert as_user(other).get(f"/care/tasks/{task.pk}/").status_code == 404


@pytest.mark.django_db
def test_safety_leader_finishes_task_on_the_page(plan, teacher, leader, as_user):
    contact = services.log_contact(teacher, plan=plan, summary="x", anomaly=True, anomaly_note="异常")
    task = contact.tasks.get()
    c = as_user(leader)
    r = c.post(
        f"/care/tasks/{task.pk}/",
        {"status": "done", "outcome": "", "owner": teacher.pk, "due_on": task.due_on},
    )
    assert "完成任务须填写处理结果。" in r.content.decode()
    r = c.post(
        f"/care/tasks/{task.pk}/",
        {"status": "done", "outcome": "已约谈家长", "owner": teacher.pk, "due_on": task.due_on.isoformat()},
    )
    assert r.status_code == 302
    task.refresh_from_db()
    assert task.status == "done" and task.done_by == leader
