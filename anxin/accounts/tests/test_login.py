"""Login by username or phone, lockout after 5 failures for 15 minutes (LAW 21), audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from anxin.accounts import services
from anxin.accounts.backends import lock_state
from anxin.accounts.tests.helpers import logged_in_as, post_login
from anxin.core.models import AuditEvent
from anxin.core.roles import Role

WRONG = "Wrong#Pass2026"


@pytest.fixture
def teacher(world):
    u = world.user[Role.CLASS_TEACHER]
    u.phone = "13812345678"
    u.save(update_fields=["phone"])
    return u


def test_login_by_username(client, teacher):
    r = post_login(client, teacher.username)
    assert r.status_code == 302
    assert r["Location"] == "/home/"
    assert logged_in_as(client) == str(teacher.pk)


def test_login_by_phone(client, teacher):
    r = post_login(client, "13812345678")
    assert r.status_code == 302
    assert logged_in_as(client) == str(teacher.pk)


def test_wrong_password_shows_chinese_message_and_warns_of_lockout(client, teacher):
    r = post_login(client, teacher.username, WRONG)
    assert r.status_code == 200
    body = r.content.decode()
    assert "用户名（手机号）或密码错误" in body
    assert "锁定15分钟" in body
    assert logged_in_as(client) is None


def test_unknown_login_name_gives_the_same_message(client, world):
    r = post_login(client, "nobody-here", WRONG)
    assert "用户名（手机号）或密码错误" in r.content.decode()


def test_account_locks_after_5_failures_for_15_minutes(client, teacher):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(4):
            assert post_login(client, teacher.username, WRONG).status_code == 200
        r = post_login(client, teacher.username, WRONG)
        assert r.status_code == 429
        assert "账号已锁定" in r.content.decode()
        # the right password does not help while locked
        r = post_login(client, teacher.username)
        assert r.status_code == 429
        assert logged_in_as(client) is None
        traveller.shift(timedelta(minutes=14))
        assert post_login(client, teacher.username).status_code == 429
        traveller.shift(timedelta(minutes=2))
        r = post_login(client, teacher.username)
        assert r.status_code == 302
        assert logged_in_as(client) == str(teacher.pk)


def test_four_failures_do_not_lock(client, teacher):
    for _ in range(4):
        post_login(client, teacher.username, WRONG)
    assert post_login(client, teacher.username).status_code == 302


def test_lockout_counts_per_account_whether_username_or_phone_is_typed(client, teacher):
    for login in ("13812345678", teacher.username, "13812345678", teacher.username):
        post_login(client, login, WRONG)
    r = post_login(client, "13812345678", WRONG)
    assert r.status_code == 429
    # locked under both names: it is one account
    assert post_login(client, teacher.username).status_code == 429
    assert post_login(client, "13812345678").status_code == 429
    assert set(AccessAttempt.objects.values_list("username", flat=True)) == {teacher.username}


def test_lockout_of_one_account_does_not_lock_others_at_the_same_address(client, world, teacher):
    for _ in range(5):
        post_login(client, teacher.username, WRONG)
    other = world.user[Role.SUBJECT_TEACHER]
    assert post_login(client, other.username).status_code == 302


def test_bureau_admin_unlock_clears_the_lockout(client, world, teacher):
    for _ in range(5):
        post_login(client, teacher.username, WRONG)
    assert lock_state(teacher)["locked"]
    services.unlock(world.user[Role.BUREAU_ADMIN], teacher)
    assert not lock_state(teacher)["locked"]
    assert post_login(client, teacher.username).status_code == 302
    ev = AuditEvent.objects.get(action="unlock")
    assert ev.object_id == str(teacher.pk)


def test_unlock_page_for_bureau_admin(client, world, as_user, teacher):
    for _ in range(5):
        post_login(client, teacher.username, WRONG)
    c = as_user(world.user[Role.BUREAU_ADMIN])
    page = c.get(f"/accounts/users/{teacher.pk}/")
    assert "已锁定" in page.content.decode()
    r = c.post(f"/accounts/users/{teacher.pk}/unlock/")
    assert r.status_code == 302
    assert not AccessAttempt.objects.filter(username=teacher.username).exists()


def test_logins_failures_and_lockouts_are_in_the_audit_trail(client, teacher):
    post_login(client, teacher.username)
    ok = AuditEvent.objects.filter(action="login", result="ok", object_id=str(teacher.pk))
    assert ok.count() == 1
    assert ok.get().actor == teacher.username
    client.post("/accounts/logout/")
    assert AuditEvent.objects.filter(action="logout", object_id=str(teacher.pk)).exists()
    for _ in range(5):
        post_login(client, "13812345678", WRONG)
    failed = AuditEvent.objects.filter(action="login", result="failed")
    assert failed.count() == 5
    assert all(e.data["login"] == "13812345678" for e in failed)
    assert all("password" not in e.data for e in failed)
    post_login(client, teacher.username)  # while locked
    locked = AuditEvent.objects.filter(action="login", result="denied")
    assert locked.exists()
    assert locked.first().data["reason"] == "locked"


def test_deactivated_account_cannot_log_in(client, world, teacher):
    services.deactivate(world.user[Role.BUREAU_ADMIN], teacher)
    r = post_login(client, teacher.username)
    assert r.status_code == 200
    assert logged_in_as(client) is None
