"""Issue 9: the attacks that switched a school's public channel off for about an hour, rerun
against the limits a stranger cannot spend for others. Each test floods the channel the way
the attack did, then checks that a real student is still served at once. Time moves with
time-machine (device tokens need their warm-up), never with sleep."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from anxin.core.models import Notification
from anxin.core.notify import ConsoleSmsBackend
from anxin.intake import codes, limits
from anxin.intake.models import EmergencyRequest, Report
from anxin.intake.tests.conftest import FORM, followup_url, report_url

START = dt.datetime(2025, 5, 12, 2, 0, tzinfo=dt.UTC)  # a Monday morning in Shanghai


@pytest.fixture(autouse=True)
def _windows_without_jitter(monkeypatch):
    """django-ratelimit ends each counter's window at the period's edge plus crc32(key) % period,
    and the keys hold random parts (the school's public code, device ids): by chance a window
    could end during a test's own time steps and refill a budget, so the tests failed now and
    then. Here every window ends half a period after the edge, the same in every run (an hour's
    window at 02:30, after every step these tests take from START)."""
    import time

    import django_ratelimit.core as rl

    def window_end(value, period):
        ts = int(time.time())
        if period == 1:
            return ts
        end = ts - ts % period + period // 2
        return end + period if end < ts else end

    monkeypatch.setattr(rl, "_get_window", window_end)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def paged(world, monkeypatch):
    """The duty leaders (safety leader, principal) can be reached by SMS; the log is cleared;
    messages go out at once (the test's transaction never commits)."""
    from types import SimpleNamespace

    from django.db import transaction

    from anxin.core import delivery

    monkeypatch.setattr(
        delivery, "transaction", SimpleNamespace(atomic=transaction.atomic, on_commit=lambda fn, **_kw: fn())
    )
    for i, role in enumerate(("safety_leader", "principal")):
        u = world.user[role]
        u.phone = f"1380000{i:04d}"
        u.save()
    ConsoleSmsBackend.sent.clear()
    return world.user["safety_leader"]


def _sms_to(user) -> int:
    return sum(1 for phone, _text in ConsoleSmsBackend.sent if phone == user.phone)


def _forged(c: Client, i: int) -> dict:
    """A script keeping no cookie and sending a made-up device header, new every time."""
    c.cookies.clear()
    return {"HTTP_X_ANXIN_DEVICE": f"forged-device-{i:012d}"}


def _api(c: Client, path: str, body: dict, **extra):
    return c.post(path, body, content_type="application/json", **extra)


# --- attack 1: fake emergencies switch off the emergency button and page the leaders ---------
def test_emergency_flood_cannot_refuse_a_real_students_emergency_or_page_leaders_each_time(
    world, clock, paged
):
    school = world.school_a1
    attacker = Client()
    # 30 fake emergencies with made-up device headers, 30 more from one browser whose token is
    # old enough to have a budget of its own
    for i in range(30):
        r = _api(
            attacker, "/api/v1/public/emergencies/", {"school": school.public_code}, **_forged(attacker, i)
        )
        assert r.status_code == 201
    browser = Client()
    browser.get(f"/s/{school.public_code}/help/")
    clock.shift(dt.timedelta(seconds=61))
    for _ in range(30):
        assert browser.post(f"/s/{school.public_code}/help/", {"place": "假的"}).status_code == 201
    flood_sms = _sms_to(paged)
    # new devices: 5 an hour page at once; the device: 3 in ten minutes; the rest page once
    assert flood_sms <= 5 + 3 + 1
    assert EmergencyRequest.objects.filter(suspect=True).count() == 60 - 8

    # a real student who opened the help page earlier (an established device): sent, unflagged,
    # paged individually
    earlier = Client()
    earlier.get(f"/s/{school.public_code}/help/")
    clock.shift(dt.timedelta(seconds=61))
    r = earlier.post(f"/s/{school.public_code}/help/", {"place": "二楼女厕所"})
    assert r.status_code == 201 and "tel:110" in r.content.decode()
    em = EmergencyRequest.objects.get(place="二楼女厕所")
    assert em.suspect is False
    assert _sms_to(paged) == flood_sms + 1
    assert Notification.objects.filter(recipient=paged, url__endswith=f"/emergencies/{em.pk}/").exists()

    # a real student on a phone that never opened the page before: still sent at once, reaches
    # the duty leader in the app (flagged, since every new device of the school is over its
    # pool), covered by the one page of this window
    fresh = Client()
    fresh.get(f"/s/{school.public_code}/help/")
    r = fresh.post(f"/s/{school.public_code}/help/", {"place": "操场东北角"})
    assert r.status_code == 201
    em = EmergencyRequest.objects.get(place="操场东北角")
    assert em.suspect is True
    note = Notification.objects.get(recipient=paged, url__endswith=f"/emergencies/{em.pk}/")
    assert "疑似恶意刷屏" in note.title
    assert _sms_to(paged) == flood_sms + 1  # no page per flagged request …
    assert (
        Notification.objects.filter(recipient=paged, dedupe_key__startswith="intake:emergency-flood:").count()
        == 1
    )

    # … and the next window pages once again for whatever is flagged then
    clock.shift(dt.timedelta(minutes=11))
    r = _api(attacker, "/api/v1/public/emergencies/", {"school": school.public_code}, **_forged(attacker, 99))
    assert r.status_code == 201
    assert _sms_to(paged) == flood_sms + 2


def test_flagged_emergencies_escalate_in_the_app_with_one_page_per_window(world, clock, paged, settings):
    settings.ANXIN_INTAKE_RATE_EMERGENCY_NEW = "1/h"
    c = Client()
    for i in range(10):
        assert (
            _api(
                c, "/api/v1/public/emergencies/", {"school": world.school_a1.public_code}, **_forged(c, i)
            ).status_code
            == 201
        )
    principal = world.user["principal"]
    before = _sms_to(principal)
    clock.shift(dt.timedelta(minutes=11))
    from anxin.intake import services

    assert services.escalate_emergencies() == 10
    assert _sms_to(principal) == before + 2  # the one unflagged request, and one batch page
    assert Notification.objects.filter(recipient=principal, title__contains="升级至校长").count() >= 10


# --- attack 2: wrong follow-up codes lock out the reporter holding the right code ------------
def test_wrong_code_flood_never_locks_out_the_holder_of_the_right_code(world, clock, client, submitted):
    school = world.school_a1
    attacker = Client()
    for i in range(60):  # the attack: 60 wrong codes, a made-up device each time
        r = attacker.post(
            followup_url(school), {"code": codes.display(codes.new_code())}, **_forged(attacker, i)
        )
        assert r.status_code == 400
    for i in range(20):  # and the same wrong code from many "devices": that code is stopped
        r = attacker.post(followup_url(school), {"code": "0000-0000-0000-0001"}, **_forged(attacker, 100 + i))
    assert r.status_code == 429
    # one browser keeps its cookie: its own budget is spent after 5 wrong codes
    attacker.cookies.clear()
    attacker.get(followup_url(school))
    statuses = [
        attacker.post(followup_url(school), {"code": codes.display(codes.new_code())}).status_code
        for _ in range(8)
    ]
    assert statuses == [400] * 5 + [429] * 3

    # the holder on a fresh phone, at once: served (page and API, with or without a device)
    holder = Client()
    holder.get(followup_url(school))
    r = holder.post(followup_url(school), {"code": submitted.code})
    assert r.status_code == 200 and "我的举报" in r.content.decode()
    r = _api(Client(), "/api/v1/public/followup/", {"school": school.public_code, "code": submitted.code})
    assert r.status_code == 200 and r.json()["reference"] == submitted.report.pk
    r = holder.post(followup_url(school), {"code": submitted.code, "action": "message", "body": "又发生了"})
    assert r.status_code == 200 and "补充已提交" in r.content.decode()


# --- attack 3: posts from one device switch off the report form for everybody ------------------
def test_301_posts_from_one_device_spend_only_that_devices_budget(world, clock):
    school = world.school_a1
    attacker = Client()
    token = limits.issue_token()
    clock.shift(dt.timedelta(seconds=61))
    statuses = [
        _api(
            attacker,
            "/api/v1/public/reports/",
            {"school": school.public_code, "reporter_kind": "other", "text": f"刷屏{i}"},
            HTTP_X_ANXIN_DEVICE=token,
        ).status_code
        for i in range(301)
    ]
    assert statuses.count(201) == 6 and statuses.count(429) == 295
    # a fresh phone, at once (a new device) and after its warm-up: both accepted
    student = Client()
    student.get(report_url(school))
    r = student.post(report_url(school), {**FORM, "token": codes.new_token()})
    assert r.status_code == 201
    clock.shift(dt.timedelta(seconds=61))
    r = student.post(report_url(school), {**FORM, "token": codes.new_token()})
    assert r.status_code == 201
    assert Report.objects.count() == 8


def test_made_up_device_headers_spend_only_the_new_device_pool_for_minutes_not_an_hour(world, clock):
    school = world.school_a1
    attacker = Client()
    statuses = []
    for i in range(301):
        r = _api(
            attacker,
            "/api/v1/public/reports/",
            {"school": school.public_code, "reporter_kind": "other", "text": f"刷屏{i}"},
            **_forged(attacker, i),
        )
        statuses.append(r.status_code)
    assert statuses.count(201) == 20  # the school's new-device pool, not its 300 an hour
    # a student whose phone opened the form a while ago: accepted at once
    regular = Client()
    regular.get(report_url(school))
    clock.shift(dt.timedelta(seconds=61))
    assert regular.post(report_url(school), {**FORM, "token": codes.new_token()}).status_code == 201
    # a phone opening the form now waits at most the warm-up, told so, and what it typed stays
    fresh = Client()
    fresh.get(report_url(school))
    r = fresh.post(report_url(school), {**FORM, "token": codes.new_token()})
    assert r.status_code == 429 and int(r["Retry-After"]) <= 60
    assert FORM["text"] in r.content.decode() and school.antibullying_phone in r.content.decode()
    clock.shift(dt.timedelta(seconds=int(r["Retry-After"])))
    assert fresh.post(report_url(school), {**FORM, "token": codes.new_token()}).status_code == 201


def test_a_forged_or_tampered_device_token_counts_as_a_new_device(world, clock, rf):
    token = limits.issue_token()
    clock.shift(dt.timedelta(seconds=61))
    good = rf.get("/", HTTP_X_ANXIN_DEVICE=token)
    assert limits.device(good).established
    value, stamp, _sig = token.split(":")
    for bad in (
        f"{value}x:{stamp}:{_sig}",
        f"{value}:{stamp}:{'A' * len(_sig)}",
        "forged-device-000000000001",
        "",
    ):
        assert limits.device(rf.get("/", HTTP_X_ANXIN_DEVICE=bad)) == limits.Device(None, False, 0)
    young = limits.issue_token()
    dev = limits.device(rf.get("/", HTTP_X_ANXIN_DEVICE=young))
    assert dev.id and not dev.established and 0 < dev.wait <= 60


def test_the_mini_program_gets_a_signed_device_token(world, clock):
    r = Client().post("/api/v1/public/device/")
    assert r.status_code == 201 and r["Cache-Control"] == "no-store"
    token = r.json()["device_token"]
    assert r.json()["established_in"] == 60
    clock.shift(dt.timedelta(seconds=61))
    from django.test import RequestFactory

    assert limits.device(RequestFactory().get("/", HTTP_X_ANXIN_DEVICE=token)).established
