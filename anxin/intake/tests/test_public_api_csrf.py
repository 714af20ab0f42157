"""CSRF on the anonymous public API (issue 9): a page on another site cannot post a report,
a follow-up or an emergency call through a visitor's browser; the mini-program still can."""

from __future__ import annotations

import pytest

from anxin.intake.models import EmergencyRequest, Report

pytestmark = pytest.mark.django_db


def _form(world, **extra):
    return {"school": world.school_a1.public_code, "reporter_kind": "parent", "text": "有人推我", **extra}


def test_a_cross_site_multipart_post_is_refused(world, client):
    r = client.post("/api/v1/public/reports/", _form(world), HTTP_ORIGIN="https://evil.example")
    assert r.status_code == 403
    assert "小程序" in r.json()["message"]
    assert Report.objects.count() == 0


def test_a_multipart_post_without_the_client_header_is_refused(world, client):
    # a plain HTML form on another site sends no Origin in some old browsers: the header decides
    r = client.post("/api/v1/public/reports/", _form(world))
    assert r.status_code == 403
    assert Report.objects.count() == 0
    r = client.post("/api/v1/public/emergencies/", {"school": world.school_a1.public_code})
    assert r.status_code == 403
    assert EmergencyRequest.objects.count() == 0


def test_the_mini_program_multipart_post_with_its_header_is_accepted(world, client):
    r = client.post("/api/v1/public/reports/", _form(world), HTTP_X_ANXIN_CLIENT="miniapp")
    assert r.status_code == 201
    assert Report.objects.count() == 1


def test_json_from_the_app_is_accepted_and_json_from_another_origin_refused(world, client):
    ok = client.post("/api/v1/public/reports/", _form(world), content_type="application/json")
    assert ok.status_code == 201
    bad = client.post(
        "/api/v1/public/reports/", _form(world), content_type="application/json", HTTP_ORIGIN="null"
    )
    assert bad.status_code == 403
    same = client.post(
        "/api/v1/public/reports/",
        _form(world, text="同一站点"),
        content_type="application/json",
        HTTP_ORIGIN="http://testserver",
    )
    assert same.status_code == 201
