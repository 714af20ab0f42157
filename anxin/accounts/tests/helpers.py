"""Shared helpers of the accounts tests: the real login POST (axes needs a request)."""

from __future__ import annotations

from django_otp.oath import totp

from anxin.core.testing import PASSWORD

LOGIN_URL = "/accounts/login/"
ADDR = "10.20.30.40"


def post_login(client, login: str, password: str = PASSWORD):
    return client.post(LOGIN_URL, {"username": login, "password": password}, REMOTE_ADDR=ADDR)


def logged_in_as(client):
    return client.session.get("_auth_user_id")


def code_for(device) -> str:
    """The current TOTP code of a device, computed from its key like an authenticator app."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{value:0{device.digits}d}"
