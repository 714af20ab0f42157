"""The published API schema: served as JSON at its .json address, and it states the error
answers the operations really give (issue 9)."""

from __future__ import annotations

import json

import pytest

from anxin.core.roles import Role

pytestmark = pytest.mark.django_db


def test_openapi_json_is_json_without_asking(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/") and "json" in r["Content-Type"]
    schema = json.loads(r.content)
    assert schema["openapi"].startswith("3.")


def test_openapi_json_stays_json_when_a_browser_asks_for_anything(client):
    r = client.get("/api/v1/openapi.json", HTTP_ACCEPT="text/html,application/yaml;q=0.9,*/*;q=0.8")
    assert r.status_code == 200
    json.loads(r.content)


def test_signed_in_operations_document_their_error_answers(world, as_user):
    schema = as_user(world.user[Role.SAFETY_LEADER]).get("/api/v1/openapi.json").json()
    students = schema["paths"]["/api/v1/students/"]["get"]["responses"]
    assert {"200", "400", "401", "403", "404"} <= set(students)
    detail = schema["paths"]["/api/v1/students/{id}/"]["get"]["responses"]
    assert detail["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorDetail")
    # public operations keep their own declared error bodies
    public = schema["paths"]["/api/v1/public/reports/"]["post"]["responses"]
    assert public["400"]["content"]["application/json"]["schema"]["$ref"].endswith("/PublicError")
    assert "403" not in schema["paths"]["/api/v1/public/places/"]["get"]["responses"]


def test_schema_matches_what_the_fuzzer_found_the_api_really_answers(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths, components = schema["paths"], schema["components"]["schemas"]
    # a case step answers {id, case}, not the case
    step = paths["/api/v1/cases/{id}/facts/"]["post"]["responses"]["200"]
    assert step["content"]["application/json"]["schema"]["$ref"].endswith("/CaseStepResult")
    # a step without a body can still be refused by a rule
    assert "400" in paths["/api/v1/case-reports/{id}/submit/"]["post"]["responses"]
    # one case's timeline and one round's coverage are plain lists, not pages
    for path in ("/api/v1/cases/{id}/timeline/", "/api/v1/screening/rounds/{id}/coverage/"):
        ok = paths[path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        assert ok["type"] == "array", path
    # a report without a school place has spot_name null
    assert components["ReportDetail"]["properties"]["spot_name"].get("nullable") is True
    # times of day are HH:MM[:SS] without an offset
    start = components["Shift"]["properties"]["start_time"]
    assert "format" not in start and start["pattern"].startswith("^")
