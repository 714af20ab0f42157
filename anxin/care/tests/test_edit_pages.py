"""The care create/edit pages (ServiceFormViews): the plan edit page shows the plan's values,
saves through the service with the same message and redirect, and keeps scope (404) and the
change right (403); without ``?student=`` the create pages ask for a class, then a student."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from anxin.core.roles import Role


@pytest.mark.django_db
def test_plan_edit_page_shows_the_plan_and_saves_it(world, plan, leader, as_user):
    c = as_user(leader)
    r = c.get(f"/care/plans/{plan.pk}/edit/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "调整关爱计划" in body and plan.reason in body and world.student_own.name in body
    r = c.post(
        f"/care/plans/{plan.pk}/edit/",
        {"level": "yellow", "measures": ["talk"], "owner": plan.owner_id, "reason": "情绪好转"},
    )
    assert r.status_code == 302 and r["Location"] == f"/care/plans/{plan.pk}/"
    assert [str(m) for m in get_messages(r.wsgi_request)] == ["关爱计划已保存。"]
    plan.refresh_from_db()
    assert (plan.level, plan.measures, plan.reason) == ("yellow", ["talk"], "情绪好转")


@pytest.mark.django_db
def test_plan_edit_page_keeps_scope_and_the_change_right(world, plan, teacher, as_user):
    assert as_user(world.user_b[Role.SAFETY_LEADER]).get(f"/care/plans/{plan.pk}/edit/").status_code == 404
    c = as_user(teacher)  # sees the plan of their class, may not change it
    assert c.get(f"/care/plans/{plan.pk}/").status_code == 200
    assert c.get(f"/care/plans/{plan.pk}/edit/").status_code == 403
    assert c.post(f"/care/plans/{plan.pk}/edit/", {"level": "yellow"}).status_code == 403


@pytest.mark.django_db
def test_plan_edit_page_shows_refusals_on_the_form_and_changes_nothing(world, plan, leader, as_user):
    r = as_user(leader).post(
        f"/care/plans/{plan.pk}/edit/", {"level": "red", "measures": [], "owner": plan.owner_id}
    )
    assert r.status_code == 200 and "请至少选择一项帮扶措施。" in r.content.decode()
    plan.refresh_from_db()
    assert plan.measures != []


@pytest.mark.django_db
def test_create_pages_without_a_student_pick_a_class_first(world, leader, counsellor, as_user):
    r = as_user(leader).get("/care/plans/new/?kind=watch")
    assert r.status_code == 200
    assert 'name="klass"' in r.content.decode() and 'name="kind" value="watch"' in r.content.decode()
    r = as_user(counsellor).get(f"/care/counselling/new/?klass={world.student_own.klass_id}")
    assert r.status_code == 200 and world.student_own.name in r.content.decode()
