"""Failed logins and lockouts are recorded in the attacked account's county, so its auditor
sees them (LAW 22); the login name typed is kept, never the password."""

from __future__ import annotations

from anxin.accounts.tests.helpers import post_login
from anxin.core.models import AuditEvent
from anxin.core.roles import Role

WRONG = "Wrong#Pass2026"


def _six_failures(client, login):
    for _ in range(6):
        post_login(client, login, WRONG)


def test_auditor_sees_failed_logins_and_lockout_of_an_account_of_their_county(client, world, as_user):
    teacher = world.user[Role.CLASS_TEACHER]
    _six_failures(client, teacher.username)
    events = AuditEvent.objects.filter(action="login", object_id=str(teacher.pk))
    # every attempt fails (the sixth is refused while locked); the lockout is recorded too
    assert events.filter(result="failed").count() == 6
    assert events.filter(result="denied").count() >= 1
    assert set(events.values_list("county_id", flat=True)) == {world.county_a.pk}

    c = as_user(world.user[Role.AUDITOR])
    page = c.get("/audit/", {"action": "login"})
    assert page.status_code == 200
    shown = list(page.context["page_obj"].object_list)
    assert sum(1 for e in shown if e.result == "failed") == 6
    assert any(e.result == "denied" and e.data.get("reason") == "locked" for e in shown)

    rows = c.get("/api/v1/audit-events/", {"action": "login", "result": "failed"}).json()["results"]
    assert len(rows) == 6
    assert {r["object_id"] for r in rows} == {str(teacher.pk)}
    denied = c.get("/api/v1/audit-events/", {"action": "login", "result": "denied"}).json()["results"]
    assert denied and all(r["data"] == {"login": teacher.username, "reason": "locked"} for r in denied)


def test_failed_login_by_phone_is_attributed_to_the_account(client, world):
    teacher = world.user[Role.CLASS_TEACHER]
    teacher.phone = "13812345678"
    teacher.save(update_fields=["phone"])
    post_login(client, "13812345678", WRONG)
    event = AuditEvent.objects.get(action="login", result="failed")
    assert event.county_id == world.county_a.pk
    assert event.object_id == str(teacher.pk)
    assert event.data == {"login": "13812345678"}


def test_auditor_of_another_county_does_not_see_the_failures(client, world, as_user):
    _six_failures(client, world.user[Role.CLASS_TEACHER].username)
    c = as_user(world.user_b[Role.AUDITOR])
    rows = c.get("/api/v1/audit-events/", {"action": "login", "result": "failed"}).json()["results"]
    assert rows == []


def test_unknown_login_name_has_no_county_when_several_counties_exist(client, world):
    post_login(client, "nobody-here", WRONG)
    event = AuditEvent.objects.get(action="login", result="failed")
    assert event.county_id is None
    assert event.object_id == ""


def test_unknown_login_name_goes_to_the_only_county(client, db, as_user):
    from anxin.core.testing import make_user
    from anxin.org.models import County

    county = County.objects.create(name="贺兰县", code="640122", bureau_name="贺兰县教育体育局")
    auditor = make_user("only_auditor", county, Role.AUDITOR)
    post_login(client, "nobody-here", WRONG)
    event = AuditEvent.objects.get(action="login", result="failed")
    assert event.county_id == county.pk
    rows = as_user(auditor).get("/api/v1/audit-events/", {"action": "login", "result": "failed"}).json()
    assert [r["data"]["login"] for r in rows["results"]] == ["nobody-here"]
