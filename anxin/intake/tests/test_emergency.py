"""Emergency help (R-RPT-2; seed 二(六) 紧急求救): one tap alerts the on-duty leaders at once
on every channel; unacknowledged after 10 minutes it escalates to the principal, then to the
bureau's safety staff; the sweep is idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core import mail

from anxin.core.models import Notification
from anxin.core.notify import ConsoleSmsBackend
from anxin.intake import services
from anxin.intake.models import DutyLeader, EmergencyRequest
from anxin.intake.tasks import escalate_emergencies

START = dt.datetime(2025, 5, 12, 10, 0, tzinfo=dt.UTC)  # a Monday, 18:00 in Shanghai


@pytest.fixture
def reachable(world):
    """Leaders with e-mail and mobile numbers, so every channel can be checked."""
    for i, role in enumerate(("safety_leader", "principal", "bureau_safety", "middle_manager")):
        u = world.user[role]
        u.email = f"{role}@example.cn"
        u.phone = f"1380000{i:04d}"
        u.save()
    ConsoleSmsBackend.sent.clear()
    return world


def _kinds(user):
    return list(Notification.objects.filter(recipient=user, kind="emergency").values_list("title", flat=True))


@pytest.mark.django_db(transaction=True)
def test_one_tap_alerts_the_on_duty_leaders_at_once_on_every_channel(reachable, client):
    world = reachable
    r = client.post(f"/s/{world.school_a1.public_code}/help/", {"place": "操场东边"})
    assert r.status_code == 201
    assert "已通知学校值班领导" in r.content.decode()
    em = EmergencyRequest.objects.get()
    assert em.place == "操场东边" and em.level == 0
    # no roster configured: the safety leader and the principal
    for role in ("safety_leader", "principal"):
        titles = _kinds(world.user[role])
        assert titles and "紧急求救" in titles[0]
    assert not _kinds(world.user["middle_manager"])
    assert {m.to[0] for m in mail.outbox} == {"safety_leader@example.cn", "principal@example.cn"}
    assert {p for p, _t in ConsoleSmsBackend.sent} == {"13800000000", "13800000001"}
    # the status link shows whether someone has responded
    token_url = r.context["token"]
    status = client.get(f"/s/{world.school_a1.public_code}/help/{token_url}/")
    assert "等待响应" in status.content.decode()
    services.acknowledge_emergency(em, by=world.user["safety_leader"], note="已到场")
    assert "已响应" in client.get(f"/s/{world.school_a1.public_code}/help/{token_url}/").content.decode()
    assert client.get(f"/s/{world.school_a1.public_code}/help/not-the-token/").status_code == 404


def test_the_roster_decides_who_is_on_duty(world):
    mm = world.user["middle_manager"]
    DutyLeader.objects.create(
        county=world.county_a,
        school=world.school_a1,
        user=mm,
        weekday=0,
        starts_at=dt.time(17, 0),
        ends_at=dt.time(22, 0),
    )
    assert services.on_duty_leaders(world.school_a1, START) == [mm]  # Monday 18:00 local
    # outside the roster's hours the safety leader and principal are alerted
    later = START + dt.timedelta(hours=5)  # 23:00
    assert set(services.on_duty_leaders(world.school_a1, later)) == {
        world.user["safety_leader"],
        world.user["principal"],
    }
    overnight = DutyLeader(weekday=0, starts_at=dt.time(22, 0), ends_at=dt.time(6, 0))
    assert overnight.covers(dt.datetime(2025, 5, 13, 3, 0))  # Tuesday 03:00 belongs to Monday night
    assert not overnight.covers(dt.datetime(2025, 5, 14, 3, 0))


def test_roster_page_adds_a_duty_leader(world, as_user):
    c = as_user(world.user["safety_leader"])
    r = c.post(
        "/intake/duty/",
        {
            "user": world.user["middle_manager"].pk,
            "weekday": "",
            "starts_at": "07:00",
            "ends_at": "19:00",
            "note": "白班",
        },
    )
    assert r.status_code == 302
    assert DutyLeader.objects.get().user == world.user["middle_manager"]
    assert as_user(world.user["class_teacher"]).get("/intake/duty/").status_code == 403


def test_unacknowledged_emergency_escalates_to_the_principal_then_the_bureau(reachable):
    world = reachable
    with time_machine.travel(START, tick=False):
        em, _token = services.raise_emergency(school=world.school_a1, place="三楼厕所")
        DutyLeader.objects.create(
            county=world.county_a,
            school=world.school_a1,
            user=world.user["middle_manager"],
            starts_at=dt.time(0, 0),
            ends_at=dt.time(23, 59),
        )
    with time_machine.travel(START + dt.timedelta(minutes=9, seconds=59), tick=False):
        assert escalate_emergencies.call_local() == 0
    with time_machine.travel(START + dt.timedelta(minutes=10), tick=False):
        assert escalate_emergencies.call_local() == 1
    em.refresh_from_db()
    assert em.level == 1
    assert any("升级至校长" in t for t in _kinds(world.user["principal"]))
    assert not _kinds(world.user["bureau_safety"])
    with time_machine.travel(START + dt.timedelta(minutes=20), tick=False):
        assert escalate_emergencies.call_local() == 1
    em.refresh_from_db()
    assert em.level == 2
    titles = _kinds(world.user["bureau_safety"])
    assert len(titles) == 1 and "升级至教体局" in titles[0]
    assert not _kinds(world.user_b["bureau_safety"])  # another county's bureau is not told


def test_the_sweep_run_twice_sends_nothing_twice(reachable):
    world = reachable
    with time_machine.travel(START, tick=False):
        services.raise_emergency(school=world.school_a1)
    with time_machine.travel(START + dt.timedelta(minutes=11), tick=False):
        assert escalate_emergencies.call_local() == 1
        assert escalate_emergencies.call_local() == 0
    assert (
        Notification.objects.filter(recipient=world.user["principal"], kind="emergency").count() == 2
    )  # alert + escalation
    with time_machine.travel(START + dt.timedelta(minutes=25), tick=False):
        services.escalate_emergencies()
        services.escalate_emergencies()
    assert Notification.objects.filter(recipient=world.user["bureau_safety"], kind="emergency").count() == 1


def test_an_acknowledged_emergency_does_not_escalate(world, as_user):
    with time_machine.travel(START, tick=False):
        em, _t = services.raise_emergency(school=world.school_a1)
    c = as_user(world.user["security_staff"])
    r = c.post(f"/intake/emergencies/{em.pk}/acknowledge/", {"note": "保安已到场"})
    assert r.status_code == 302
    em.refresh_from_db()
    assert em.status == "acknowledged" and em.acknowledged_by == world.user["security_staff"]
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False):
        assert services.escalate_emergencies() == 0
    assert not _kinds(world.user["bureau_safety"])


def test_emergency_taps_over_the_limit_are_still_sent_flagged_and_phones_stay_on_the_page(
    world, client, settings
):
    settings.ANXIN_INTAKE_RATE_EMERGENCY_DEVICE = "1/10m"
    settings.ANXIN_INTAKE_DEVICE_WARMUP_SECONDS = 0  # the browser's device token counts at once
    client.get(f"/s/{world.school_a1.public_code}/help/")
    assert client.post(f"/s/{world.school_a1.public_code}/help/", {}).status_code == 201
    r = client.post(f"/s/{world.school_a1.public_code}/help/", {})
    assert r.status_code == 201  # never refused (issue 9)
    assert "110" in r.content.decode() and "tel:13900000001" in r.content.decode()
    assert list(EmergencyRequest.objects.order_by("pk").values_list("suspect", flat=True)) == [False, True]
