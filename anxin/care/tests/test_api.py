"""The API goes through the same services and policy as the pages (R-Q-3)."""

import pytest

from anxin.care.models import CarePlan, ContactLog, InterventionTask
from anxin.core.models import Notification


@pytest.mark.django_db
def test_api_logs_a_contact_with_defaults_and_anomaly_opens_a_task(world, plan, teacher, leader, as_user):
    c = as_user(teacher)
    r = c.post(
        "/api/v1/care-contacts/",
        {
            "plan": plan.pk,
            "summary": "家访：家中无人照看",
            "kind": "home_visit",
            "anomaly": True,
            "anomaly_note": "长期独居",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["student"], body["staff"], body["kind"]) == (world.student_own.pk, teacher.pk, "home_visit")
    task = InterventionTask.objects.get(source_id=body["id"])
    assert Notification.objects.filter(recipient=leader, kind="care_anomaly").exists()
    r = c.patch(f"/api/v1/care-tasks/{task.pk}/", {"status": "done"}, content_type="application/json")
    assert r.status_code == 400 and "outcome" in r.json()
    r = c.patch(
        f"/api/v1/care-tasks/{task.pk}/",
        {"status": "done", "outcome": "已联系村委会"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "done"


@pytest.mark.django_db
def test_api_validation_messages_are_chinese(plan, teacher, as_user):
    r = as_user(teacher).post(
        "/api/v1/care-contacts/",
        {"plan": plan.pk, "summary": " ", "anomaly": True},
        content_type="application/json",
    )
    assert r.status_code == 400
    text = r.content.decode()
    assert "请填写情况摘要。" in text or "不能为空" in text or "该字段不能为空" in text


@pytest.mark.django_db
def test_api_class_teacher_cannot_log_for_another_class(other_plan, world, teacher, as_user):
    c = as_user(teacher)
    r = c.post(
        "/api/v1/care-contacts/", {"plan": other_plan.pk, "summary": "x"}, content_type="application/json"
    )
    assert r.status_code == 400
    r = c.post(
        "/api/v1/care-contacts/",
        {"student": world.student_other_class.pk, "summary": "x"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert not ContactLog.objects.exists()


@pytest.mark.django_db
def test_api_safety_leader_opens_a_watch_plan(world, leader, as_user):
    r = as_user(leader).post(
        "/api/v1/care-plans/",
        {"student": world.student_other_class.pk, "kind": "watch", "level": "orange"},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    plan = CarePlan.objects.get(pk=r.json()["id"])
    assert plan.kind == "watch" and r.json()["cadence"] == 7
