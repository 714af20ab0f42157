"""A NUL character in a request is a 400 everywhere, never a PostgreSQL 500 (issue 9)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from anxin.core.roles import Role
from anxin.intake.models import Report

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "不允许的控制字符"


def test_public_places_with_nul_in_the_query_is_a_400(world, client):
    r = client.get("/api/v1/public/places/", {"school": "ab\x00cd"})
    assert r.status_code == 400
    assert NUL_MESSAGE in r.json()["detail"]


def test_nul_in_a_query_key_or_the_path_is_a_400(world, client):
    assert client.get("/api/v1/public/places/?sch%00ool=x").status_code == 400
    assert client.get(f"/s/{world.school_a1.public_code}%00/report/").status_code == 400


def test_public_report_json_with_an_escaped_nul_is_refused_and_not_stored(world, client):
    body = json.dumps({"school": world.school_a1.public_code, "reporter_kind": "parent", "text": "推我\x00"})
    assert "\\u0000" in body
    r = client.post("/api/v1/public/reports/", body, content_type="application/json")
    assert r.status_code == 400
    assert Report.objects.count() == 0


def test_public_report_form_with_nul_in_a_field_is_refused(world, client):
    from anxin.intake.tests.conftest import FORM, report_url

    r = client.post(report_url(world.school_a1), {**FORM, "text": "有人\x00推我"})
    assert r.status_code == 400
    assert NUL_MESSAGE in r.content.decode()
    assert Report.objects.count() == 0


def test_a_file_name_with_nul_is_refused(world, client):
    from anxin.intake.tests.conftest import FORM, report_url

    photo = SimpleUploadedFile("a\x00.jpg", b"\xff\xd8\xff" + b"0" * 100, content_type="image/jpeg")
    r = client.post(report_url(world.school_a1), {**FORM, "files": [photo]})
    assert r.status_code == 400
    assert Report.objects.count() == 0


def test_staff_search_and_login_form_with_nul_are_400(world, as_user, client):
    assert client.post("/accounts/login/", {"username": "a\x00b", "password": "x"}).status_code == 400
    c = as_user(world.user[Role.SAFETY_LEADER])
    assert c.get("/roster/students/", {"q": "张\x00"}).status_code == 400
    assert c.get("/api/v1/students/", {"q": "张\x00"}).status_code == 400


def test_nul_in_a_cookie_or_header_is_a_400(world, client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/accounts/login/").status_code == 400
    client.cookies.pop("sessionid")
    assert client.get("/api/v1/students/", HTTP_AUTHORIZATION="Token abc\x00def").status_code == 400


def test_a_clean_request_passes(world, client):
    r = client.get("/api/v1/public/places/", {"school": world.school_a1.public_code})
    assert r.status_code == 200
