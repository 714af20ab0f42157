"""Hazard points with 人防/物防/技防 measures, cameras and coverage (R-SCR-5), the monitoring
duty roster and logs where a 苗头 becomes a concern (R-SCR-6), rectification (R-SCR-7)."""

import datetime as dt
import sys
import types

import pytest
from django.core.exceptions import ValidationError

from anxin.core import clock
from anxin.core.models import Notification
from anxin.screening import services
from anxin.screening.models import CameraCover, DutyLog, HazardPoint, Rectification


@pytest.fixture
def hazard(world):
    return services.save_hazard(
        by=world.user["safety_leader"],
        school=world.school_a1,
        data={
            "name": "东侧厕所",
            "location": "inside",
            "kind": "toilet",
            "time_windows": "课间",
            "risk": "high",
            "owner": world.user["middle_manager"],
            "due_date": clock.today() + dt.timedelta(days=10),
        },
    )


def test_safety_leader_records_a_hazard_point_with_owner_and_due_date(world, as_user):
    r = as_user(world.user["safety_leader"]).post(
        "/screening/hazards/new/",
        {
            "name": "器材室后侧",
            "location": "inside",
            "kind": "playground",
            "time_windows": "午休",
            "risk": "high",
            "found_on": clock.today().isoformat(),
            "owner": world.user["middle_manager"].pk,
            "due_date": (clock.today() + dt.timedelta(days=5)).isoformat(),
            "status": "open",
        },
    )
    assert r.status_code == 302
    h = HazardPoint.objects.get()
    assert (h.school, h.owner, h.kind) == (world.school_a1, world.user["middle_manager"], "playground")


def test_hazard_owner_must_be_staff_of_the_school(world):
    with pytest.raises(ValidationError, match="本校在岗教职工"):
        services.save_hazard(
            by=world.user["safety_leader"],
            school=world.school_a1,
            data={"name": "x", "kind": "toilet", "owner": world.user_b["safety_leader"]},
        )


def test_an_open_hazard_needs_an_owner(world):
    with pytest.raises(ValidationError, match="责任人"):
        services.save_hazard(
            by=world.user["safety_leader"], school=world.school_a1, data={"name": "x", "kind": "toilet"}
        )


@pytest.mark.parametrize(
    "role",
    ["security_staff", "class_teacher", "subject_teacher", "counsellor", "bureau_safety", "supervisor"],
)
def test_security_staff_and_others_see_hazards_but_do_not_change_them(world, as_user, hazard, role):
    c = as_user(world.user[role])
    assert c.get("/screening/hazards/").status_code == 200
    assert c.get(f"/screening/hazards/{hazard.pk}/").status_code == 200
    assert c.get(f"/screening/hazards/{hazard.pk}/edit/").status_code == 403


def test_measures_are_typed_and_shown_in_the_overview(world, as_user, hazard):
    c = as_user(world.user["safety_leader"])
    r = c.post(
        f"/screening/hazards/{hazard.pk}/",
        {"type": "tech", "description": "加装摄像头", "owner": world.user["security_staff"].pk},
    )
    assert r.status_code == 302
    services.add_measure(by=world.user["safety_leader"], hazard=hazard, type="people", description="课间巡查")
    m = hazard.measures.get(type="tech")
    c.post(f"/screening/measures/{m.pk}/done/")
    m.refresh_from_db()
    assert m.done_on == clock.today()
    body = c.get("/screening/hazards/overview/").content.decode()
    assert "1 / 1" in body  # 技防: one measure, done


def test_coverage_lists_points_without_camera_or_measure(world, as_user, hazard):
    covered = services.save_hazard(
        by=world.user["safety_leader"],
        school=world.school_a1,
        data={"name": "食堂后门", "kind": "canteen", "owner": world.user["middle_manager"]},
    )
    services.add_measure(by=world.user["safety_leader"], hazard=covered, type="physical", description="加锁")
    services.save_camera(
        by=world.user["safety_leader"],
        school=world.school_a1,
        data={"name": "1号", "covers": [covered], "working": True},
    )
    body = as_user(world.user["safety_leader"]).get("/screening/hazards/coverage/").content.decode()
    assert "东侧厕所" in body and "食堂后门" not in body
    broken = services.save_camera(
        by=world.user["safety_leader"],
        school=world.school_a1,
        data={"name": "2号", "covers": [hazard], "working": False},
    )
    assert broken.covers.count() == 1
    # the join rows carry the camera's county and school keys (GUIDE principle 7)
    assert set(CameraCover.objects.filter(camera=broken).values_list("county_id", "school_id")) == {
        (world.school_a1.county_id, world.school_a1.pk)
    }
    body = as_user(world.user["safety_leader"]).get("/screening/hazards/coverage/").content.decode()
    assert "东侧厕所" in body  # a broken camera does not cover


def test_camera_cannot_cover_another_schools_hazard(world, hazard):
    with pytest.raises(ValidationError):
        services.save_camera(
            by=world.user_b["safety_leader"], school=world.school_b1, data={"name": "x", "covers": [hazard]}
        )


def test_the_camera_form_saves_the_points_it_covers_with_their_keys(world, as_user, hazard):
    c = as_user(world.user["safety_leader"])
    r = c.post(
        "/screening/cameras/new/", {"name": "3号", "location": "东侧", "working": "on", "covers": [hazard.pk]}
    )
    assert r.status_code == 302
    cover = CameraCover.objects.get(hazardpoint=hazard)
    assert (cover.camera.name, cover.county_id, cover.school_id) == (
        "3号",
        world.county_a.pk,
        world.school_a1.pk,
    )
    r = c.post(f"/screening/cameras/{cover.camera_id}/", {"name": "3号", "working": "on"})  # covers none now
    assert r.status_code == 302 and not CameraCover.objects.exists()


def test_duty_roster_assigns_a_person_to_a_key_period(world, as_user):
    c = as_user(world.user["safety_leader"])
    r = c.post(
        "/screening/duty/new/",
        {
            "period": "break",
            "weekdays": "135",
            "start_time": "09:40",
            "end_time": "10:00",
            "person": world.user["security_staff"].pk,
            "active": "on",
        },
    )
    assert r.status_code == 302
    body = as_user(world.user["security_staff"]).get("/screening/duty/").content.decode()
    assert "周一、周三、周五" in body and "课间" in body
    assert as_user(world.user["security_staff"]).get("/screening/duty/new/").status_code == 403


def test_security_staff_sees_no_student_records(world, as_user):
    c = as_user(world.user["security_staff"])
    for url in (
        "/screening/vulnerable/",
        "/screening/tendency/",
        "/screening/risk/",
        "/screening/rounds/",
        "/screening/surveys/",
        "/screening/counts/",
    ):
        assert c.get(url).status_code == 403, url


def test_a_duty_log_flagged_as_sign_becomes_a_concern(world, as_user, monkeypatch):
    calls = []
    fake = types.ModuleType("anxin.intake.services")

    def raise_concern(**kw):
        calls.append(kw)
        return types.SimpleNamespace(pk=77)

    fake.raise_concern = raise_concern
    monkeypatch.setitem(sys.modules, "anxin.intake.services", fake)
    r = as_user(world.user["security_staff"]).post(
        "/screening/duty/logs/new/",
        {"summary": "厕所门口三人围堵一名学生", "place": "东侧厕所", "is_sign": "on"},
    )
    assert r.status_code == 302
    log = DutyLog.objects.get()
    assert log.is_sign and log.concern_id == 77
    assert calls[0]["source"] == "monitoring" and calls[0]["school"] == world.school_a1
    assert calls[0]["flagged_from"] == log and calls[0]["place"] == "东侧厕所"
    assert calls[0]["by"] == world.user["security_staff"]


def test_without_intake_a_sign_alerts_the_safety_leader(world, monkeypatch):
    monkeypatch.setitem(sys.modules, "anxin.intake.services", types.ModuleType("anxin.intake.services"))
    log = services.log_duty(
        by=world.user["security_staff"], school=world.school_a1, summary="推搡", is_sign=True
    )
    n = Notification.objects.get(kind="monitoring_sign")
    assert n.recipient == world.user["safety_leader"] and str(log.pk) in n.body


def test_an_ordinary_log_raises_nothing(world):
    services.log_duty(by=world.user["security_staff"], school=world.school_a1, summary="未发现异常")
    assert not Notification.objects.exists()


def test_rectification_is_done_only_with_evidence(world, as_user):
    item = services.save_rectification(
        by=world.user["safety_leader"],
        school=world.school_a1,
        data={
            "problem": "围墙监控盲区",
            "measure": "加装摄像头",
            "owner": world.user["middle_manager"],
            "due_date": clock.today() + dt.timedelta(days=7),
        },
    )
    with pytest.raises(ValidationError, match="完成佐证"):
        services.save_rectification(
            by=world.user["safety_leader"], school=world.school_a1, item=item, data={"status": "done"}
        )
    c = as_user(world.user["principal"])
    r = c.post(
        f"/screening/problems/{item.pk}/",
        {
            "found_on": item.found_on.isoformat(),
            "source": "self",
            "problem": item.problem,
            "measure": item.measure,
            "owner": world.user["middle_manager"].pk,
            "due_date": item.due_date.isoformat(),
            "status": "done",
            "evidence": "已安装2台摄像头，验收单存档",
        },
    )
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.done_on == clock.today()


def test_bureau_reads_rectification_but_cannot_edit(world, as_user):
    item = services.save_rectification(
        by=world.user["safety_leader"],
        school=world.school_a1,
        data={
            "problem": "台账不全",
            "measure": "补齐",
            "owner": world.user["middle_manager"],
            "due_date": clock.today(),
        },
    )
    c = as_user(world.user["bureau_safety"])
    assert "台账不全" in c.get("/screening/problems/").content.decode()
    r = c.post(f"/screening/problems/{item.pk}/", {"status": "done", "evidence": "x"})
    assert r.status_code == 200
    item.refresh_from_db()
    assert item.status == "open"
    assert Rectification.objects.count() == 1


def test_hazard_register_exports(world, as_user, hazard):
    r = as_user(world.user["safety_leader"]).get("/screening/hazards/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
