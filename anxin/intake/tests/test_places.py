""" "Where" offers the school's own places (its hazard-point list, R-SCR-5) beside the general
kinds of place and free text (issue 4 item 2); the hazard register counts the reports that
name each place, without showing them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.core.roles import Role
from anxin.intake import services
from anxin.intake.models import EmergencyRequest, Report
from anxin.intake.tests.conftest import FORM, report_url
from anxin.screening.models import HazardPoint


def hazard(school, name, kind="toilet", location="inside"):
    return HazardPoint.objects.create(
        county=school.county, school=school, name=name, kind=kind, location=location
    )


@pytest.fixture
def places(world):
    return (
        hazard(world.school_a1, "教学楼三楼东侧厕所"),
        hazard(world.school_a1, "校门外小卖部", kind="shop", location="around"),
        hazard(world.school_a2, "二号宿舍楼楼梯间", kind="stairs"),
    )


def test_the_form_offers_this_schools_places_first_and_the_general_kinds_after(client, world, places):
    body = client.get(report_url(world.school_a1)).content.decode()
    assert "本校的地点" in body and "常见地点" in body
    assert body.index("教学楼三楼东侧厕所") < body.index("校门外小卖部") < body.index("操场、运动场")
    assert "二号宿舍楼楼梯间" not in body  # another school's place
    assert "待整改" not in body  # names only: no status, risk or owner
    # a school without its own list shows the general kinds only
    plain = client.get(report_url(world.school_b1)).content.decode()
    assert "本校的地点" not in plain and "操场、运动场" in plain


def test_a_report_names_the_place_picked_and_keeps_the_general_kind(submit, world, places, as_user):
    toilet = places[0]
    r = submit(world.school_a1, place_kind=f"spot:{toilet.pk}", place="最里面的隔间")
    assert r.status_code == 201
    report = Report.objects.get()
    assert report.spot == toilet and report.place_kind == "toilet" and report.place == "最里面的隔间"
    assert services.place_text(report) == "教学楼三楼东侧厕所 最里面的隔间"
    page = as_user(world.user[Role.SAFETY_LEADER]).get(f"/intake/reports/{report.pk}/").content.decode()
    assert "教学楼三楼东侧厕所 最里面的隔间" in page


def test_another_schools_place_is_refused_with_a_reason(submit, world, places):
    r = submit(world.school_a1, place_kind=f"spot:{places[2].pk}")
    assert r.status_code == 400 and Report.objects.count() == 0
    assert "在哪里" in r.content.decode()
    # the service checks it too, whatever the caller
    with pytest.raises(Exception) as exc:
        services.submit_report(school=world.school_a1, data={**FORM, "spot": places[2].pk})
    assert "不在本校的地点列表中" in str(exc.value)


def test_the_public_api_lists_the_places_and_takes_one(client, world, places):
    code = world.school_a1.public_code
    listed = client.get(f"/api/v1/public/places/?school={code}").json()
    assert [p["name"] for p in listed] == ["教学楼三楼东侧厕所", "校门外小卖部"]
    assert set(listed[0]) == {"id", "name", "location"}
    assert client.get("/api/v1/public/places/?school=nope").status_code == 404
    body = {"school": code, "reporter_kind": "student", "text": "在小卖部被要钱", "spot": places[1].pk}
    r = client.post("/api/v1/public/reports/", body, content_type="application/json")
    assert r.status_code == 201
    assert Report.objects.get().spot == places[1] and Report.objects.get().place_kind == "off_campus"
    r = client.post(
        "/api/v1/public/reports/", {**body, "spot": places[2].pk}, content_type="application/json"
    )
    assert r.status_code == 400 and "不在本校的地点列表中" in r.json()["errors"]["spot"][0]


def test_the_hazard_page_counts_the_reports_naming_it(world, places, as_user):
    for _ in range(2):
        services.submit_report(school=world.school_a1, data={**FORM, "spot": places[0].pk})
    leader = as_user(world.user[Role.SAFETY_LEADER])
    page = leader.get(f"/screening/hazards/{places[0].pk}/").content.decode()
    assert "举报中提到" in page and "2 次（近 90 天 2 次" in page
    assert FORM["text"] not in page  # counts, never contents
    assert "举报中提到" in leader.get(f"/screening/hazards/{places[1].pk}/").content.decode()
    # a class teacher sees the hazard register but not the reports: no count either
    page = as_user(world.user[Role.CLASS_TEACHER]).get(f"/screening/hazards/{places[0].pk}/")
    assert page.status_code == 200 and "举报中提到" not in page.content.decode()


def test_a_case_opened_from_the_report_carries_the_place_name(world, places):
    report = services.submit_report(
        school=world.school_a1, data={**FORM, "spot": places[0].pk, "place": "门口"}
    ).report
    case = services.open_case(report, by=world.user[Role.SAFETY_LEADER])
    assert case.place == "教学楼三楼东侧厕所 门口"


def test_emergency_help_suggests_the_schools_places_as_the_child_types(client, world, places):
    url = reverse("intake_public:help", args=[world.school_a1.public_code])
    body = client.get(url).content.decode()
    assert 'list="school-places"' in body and '<option value="教学楼三楼东侧厕所">' in body
    assert "二号宿舍楼楼梯间" not in body
    r = client.post(url, {"place": "教学楼三楼东侧厕所"})
    assert r.status_code == 201
    assert EmergencyRequest.objects.get().place == "教学楼三楼东侧厕所"


def test_places_kept_off_the_form_and_camera_blind_spots_are_never_public(client, world, places, as_user):
    blind = hazard(world.school_a1, "后墙监控盲区", kind="blind_spot")
    internal = hazard(world.school_a1, "三楼东侧（王老师负责，整改中）")
    c = as_user(world.user[Role.SAFETY_LEADER])
    r = c.post(
        f"/screening/hazards/{internal.pk}/edit/",
        {
            "name": internal.name,
            "location": "inside",
            "kind": "toilet",
            "risk": "medium",
            "found_on": "2026-11-01",
            "owner": world.user[Role.SAFETY_LEADER].pk,
            "status": "open",
            # listed_for_reporters unticked
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    internal.refresh_from_db()
    assert internal.listed_for_reporters is False
    client.logout()
    names = [
        p["name"] for p in client.get(f"/api/v1/public/places/?school={world.school_a1.public_code}").json()
    ]
    assert names == ["教学楼三楼东侧厕所", "校门外小卖部"]
    body = client.get(report_url(world.school_a1)).content.decode()
    assert blind.name not in body and internal.name not in body
    # and a crafted submission naming them is refused like another school's place
    for spot in (blind, internal):
        with pytest.raises(Exception, match="不在本校的地点列表中"):
            services.submit_report(school=world.school_a1, data={**FORM, "spot": spot.pk})


def test_pressing_emergency_help_does_not_wait_for_the_places_lookup(client, world, places, monkeypatch):
    def not_now(school):
        raise AssertionError("the places are for showing the form, not for sending the call")

    monkeypatch.setattr(services, "school_places", not_now)
    r = client.post(reverse("intake_public:help", args=[world.school_a1.public_code]), {"place": "操场"})
    assert r.status_code == 201 and EmergencyRequest.objects.count() == 1
