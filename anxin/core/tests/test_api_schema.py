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
