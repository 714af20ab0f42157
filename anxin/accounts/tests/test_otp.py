"""TOTP second factor for bureau and admin roles (LAW 21), with real codes."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from anxin.accounts.tests.helpers import code_for, post_login
from anxin.core.models import AuditEvent
from anxin.core.roles import Role

PAGE = "/accounts/token/"


@pytest.mark.parametrize("role", [Role.BUREAU_ADMIN, Role.BUREAU_SAFETY, Role.AUDITOR, Role.SUPERVISOR])
def test_second_factor_is_required_for_bureau_and_admin_roles(client, world, role):
    post_login(client, world.user[role].username)
    r = client.get(PAGE)
    assert r.status_code == 302
    assert r["Location"] == "/accounts/otp/setup/"


@pytest.mark.parametrize("role", [Role.CLASS_TEACHER, Role.COUNSELLOR])
def test_second_factor_is_not_required_for_school_staff(client, world, role):
    post_login(client, world.user[role].username)
    assert client.get(PAGE).status_code == 200


def test_enrol_totp_with_a_real_code_then_verify_at_next_login(client, world):
    admin = world.user[Role.BUREAU_ADMIN]
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post_login(client, admin.username)
        page = client.get("/accounts/otp/setup/")
        assert page.status_code == 200
        assert "<svg" in page.content.decode()
        device = TOTPDevice.objects.get(user=admin, confirmed=False)
        r = client.post(
            "/accounts/otp/setup/", {"token": "000000" if code_for(device) != "000000" else "111111"}
        )
        assert "验证码不正确" in r.content.decode()
        traveller.shift(timedelta(seconds=3))  # django-otp throttles after a wrong code
        r = client.post("/accounts/otp/setup/", {"token": code_for(device)})
        assert r.status_code == 302
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(PAGE).status_code == 200
        assert AuditEvent.objects.filter(action="otp.enrol", object_id=str(admin.pk)).exists()

        client.post("/accounts/logout/")
        traveller.shift(timedelta(minutes=2))  # a new time step: codes are single use
        post_login(client, admin.username)
        r = client.get(PAGE)
        assert r["Location"] == "/accounts/otp/verify/"
        r = client.post("/accounts/otp/verify/", {"token": "12345"})
        assert "6位数字" in r.content.decode()
        r = client.post("/accounts/otp/verify/", {"token": code_for(device)})
        assert r.status_code == 302
        assert client.get(PAGE).status_code == 200


def test_wrong_code_keeps_the_user_out_and_is_audited(client, world):
    auditor = world.user[Role.AUDITOR]
    device = TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    post_login(client, auditor.username)
    wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
    r = client.post("/accounts/otp/verify/", {"token": wrong})
    assert r.status_code == 200
    assert client.get(PAGE)["Location"] == "/accounts/otp/verify/"
    assert AuditEvent.objects.filter(action="otp.verify", result="failed").exists()


def test_api_token_page_needs_the_second_factor_first(client, world):
    post_login(client, world.user[Role.BUREAU_SAFETY].username)
    r = client.post(PAGE, {"action": "rotate"})
    assert r.status_code == 302
    from anxin.accounts.models import ApiToken

    assert not ApiToken.objects.exists()


def test_a_code_used_once_is_refused_with_its_own_message_and_the_page_has_no_menu(client, world):
    auditor = world.user[Role.AUDITOR]
    device = TOTPDevice.objects.create(user=auditor, name="phone", confirmed=True)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        post_login(client, auditor.username)
        page = client.get("/accounts/otp/verify/").content.decode()
        assert 'id="sidenav"' not in page and "/accounts/logout/" in page  # the code form, and a way out
        code = code_for(device)
        assert client.post("/accounts/otp/verify/", {"token": code}).status_code == 302
        client.post("/accounts/logout/")
        traveller.shift(timedelta(seconds=5))  # the same 30-second step
        post_login(client, auditor.username)
        r = client.post("/accounts/otp/verify/", {"token": code})
        assert r.status_code == 200
        assert "该验证码已使用，请等待下一个" in r.content.decode()
        assert client.get(PAGE)["Location"] == "/accounts/otp/verify/"
        traveller.shift(timedelta(seconds=40))  # a wrong code still reads as wrong
        wrong = f"{(int(code_for(device)) + 1) % 1000000:06d}"
        r = client.post("/accounts/otp/verify/", {"token": wrong}).content.decode()
        assert "验证码不正确" in r and "已使用" not in r
