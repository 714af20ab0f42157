"""The API runs every step through the same forms, services and rights as the pages."""

from __future__ import annotations

from anxin.cases import scenarios
from anxin.cases.models import BullyingCase, CaseState, PartyRole
from anxin.core import clock

S = CaseState
API = "/api/v1/cases/"


def test_open_advance_and_record_steps_through_the_api(cw, mm, as_user):
    c = as_user(mm)
    now = clock.local_now().isoformat()
    resp = c.post(
        API,
        {
            "school": cw.school_a1.pk,
            "source": "hotline",
            "discovered_at": now,
            "summary": "家长来电反映孩子被同学勒索零花钱",
            "behaviour_types": ["property"],
            "students": [
                {"student": cw.student_own.pk, "role": "victim"},
                {"student": cw.student_other_class.pk, "role": "alleged_bully"},
            ],
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    case = BullyingCase.objects.get(pk=resp.json()["id"])
    assert case.first_responder_id == mm.pk and case.parties.count() == 2
    resp = c.post(
        f"{API}{case.pk}/advance/",
        {"name": "begin", "version": case.version},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["state"] == S.STOPPED
    resp = c.post(f"{API}{case.pk}/advance/", {"name": "to_notifying"}, content_type="application/json")
    assert resp.status_code == 400 and "尚未记录制止与初步处置措施" in resp.content.decode()
    resp = c.post(
        f"{API}{case.pk}/immediate/", {"kind": "stop", "taken_at": now}, content_type="application/json"
    )
    assert resp.status_code == 200, resp.content
    victim = case.parties.get(role=PartyRole.VICTIM)
    resp = c.post(
        f"{API}{case.pk}/notice/",
        {
            "party": victim.pk,
            "purpose": "initial",
            "method": "phone",
            "notified_at": now,
            "participated": True,
            "participation": "面谈",
        },
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    timeline = c.get(f"{API}{case.pk}/timeline/").json()
    assert [e["kind"] for e in timeline][:2] == ["opened", "party.added"] and timeline[-1]["kind"] == "notice"


def test_stale_version_and_form_errors_answer_400(new_case, mm, as_user):
    case = new_case()
    c = as_user(mm)
    resp = c.post(
        f"{API}{case.pk}/advance/",
        {"name": "begin", "version": case.version - 1},
        content_type="application/json",
    )
    assert resp.status_code == 400 and "刚被其他人更新" in resp.content.decode()
    resp = c.post(f"{API}{case.pk}/note/", {}, content_type="application/json")
    assert resp.status_code == 400 and "text" in resp.json()


def test_api_keeps_the_page_rights(cw, new_case, as_user):
    case = new_case()
    teacher = as_user(cw.user["class_teacher"])
    assert (
        teacher.post(
            f"{API}{case.pk}/note/", {"text": "班主任补充"}, content_type="application/json"
        ).status_code
        == 200
    )
    assert (
        teacher.post(
            f"{API}{case.pk}/immediate/",
            {"kind": "stop", "taken_at": clock.now().isoformat()},
            content_type="application/json",
        ).status_code
        == 403
    )
    other = new_case(victim=cw.student_other_class, bully=None)
    assert (
        teacher.post(f"{API}{other.pk}/note/", {"text": "x"}, content_type="application/json").status_code
        == 404
    )
    assert teacher.get(f"{API}{other.pk}/").status_code == 404
    outsider = as_user(cw.user_b["safety_leader"])
    assert outsider.get(f"{API}{case.pk}/").status_code == 404


def test_bureau_register_has_no_names_and_reports_are_acknowledged(cw, new_case, drive, as_user):
    case = new_case(source="public_opinion")
    drive(case, S.INVESTIGATING)
    bureau = as_user(cw.user["bureau_safety"])
    rows = bureau.get(API).json()["results"]
    assert {r["number"] for r in rows} == {case.number}
    assert "张小明" not in str(rows)
    report = case.bureau_reports.get()
    resp = bureau.post(
        f"/api/v1/case-reports/{report.pk}/acknowledge/", {"note": "收到"}, content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["acknowledged_at"]
    docx = bureau.get(f"/api/v1/case-reports/{report.pk}/docx/")
    assert docx.status_code == 200 and docx.content[:2] == b"PK"


def test_determination_through_the_api_uses_the_committee_rules(cw, new_case, drive, mm, as_user):
    case = new_case()
    drive(case, S.DETERMINING)
    members = [m.pk for m in scenarios.services.committee_for(cw.school_a1).members.all()]
    c = as_user(mm)
    body = {
        "meeting_at": clock.now().isoformat(),
        "members_present": members,
        "votes_for": len(members),
        "votes_against": 0,
        "votes_abstain": 0,
        "result": "minor",
        "record": "会议记录",
    }
    resp = c.post(f"{API}{case.pk}/determination/", body, content_type="application/json")
    assert resp.status_code == 400 and "学生之间" in resp.content.decode()
    body.update(
        between_students=True,
        deliberate=True,
        means="推搡",
        harm_types=["bodily"],
        advantage_bases=["numbers"],
    )
    resp = c.post(f"{API}{case.pk}/determination/", body, content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["case"]["state"] == S.HANDLING


def test_supervisor_lists_the_register_of_assigned_schools(cw, new_case, as_user):
    case = new_case()
    rows = as_user(cw.user["supervisor"]).get(API).json()["results"]
    assert [r["number"] for r in rows] == [case.number] and "parties" not in rows[0]
    assert as_user(cw.user["supervisor"]).get(f"{API}{case.pk}/").status_code in (403, 404)
    assert as_user(cw.user["bureau_admin"]).get(API).status_code == 403


def test_the_api_register_decrypts_only_what_it_shows_in_fixed_queries(cw, mm, as_user, monkeypatch):
    """A row of the API's register shows the place, never the narratives: those are left unread
    (each would cost a decryption per row), and reading the rows takes the same queries for one
    case as for three (no row loads a deferred field on its own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anxin.core.testing import decryptions

    def opened():
        case = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
        BullyingCase.objects.filter(pk=case.pk).update(injuries="左臂擦伤")
        return case

    opened()
    c = as_user(mm)
    c.get(API)
    plain = decryptions(monkeypatch)
    with CaptureQueriesContext(connection) as one:
        rows = c.get(API).json()["results"]
    assert [r["place"] for r in rows] == ["教学楼二楼走廊"]
    assert plain == ["教学楼二楼走廊"]  # not the summary, cause, process or injuries
    opened(), opened()
    c.get(API)  # (the total is counted again once)
    with CaptureQueriesContext(connection) as three:
        assert len(c.get(API).json()["results"]) == 3
    assert len(three) == len(one)
    # a case of its own still shows its narrative
    case = BullyingCase.objects.order_by("id").first()
    assert c.get(f"{API}{case.pk}/").json()["summary"] == case.summary


def test_plain_rows_give_drf_own_output(cw, new_case, drive, mm):
    """``core.api.PlainRows`` reads the columns directly: the register's rows and a whole case
    (nested parties, ids of foreign keys, empty ones, times, choices, properties) come out
    exactly as DRF's own ``to_representation`` gives them, for a case just opened and one closed."""
    from anxin.cases.api import CaseListSerializer, CaseSerializer
    from anxin.core.testing import assert_plain_rows_match_drf

    closed = drive(new_case(), S.CLOSED, result="serious")
    opened = new_case()
    cases = list(BullyingCase.objects.filter(pk__in=[closed.pk, opened.pk]).select_related("school"))
    for cls in (CaseListSerializer, CaseSerializer):
        rows = assert_plain_rows_match_drf(cls, cases)
        assert {row["school"] for row in rows} == {closed.school_id} and None in {
            r["closed_at"] for r in rows
        }
        assert {row["state"] for row in rows} == {S.CLOSED, opened.state}


def test_plain_rows_leave_a_field_that_reads_its_own_way_to_it(cw, new_case):
    """A field class that reads its value its own way (its ``get_attribute``, or a key field's
    ``to_representation``) is not read directly: the row is still DRF's own output."""
    from rest_framework import serializers as drf

    from anxin.cases.api import CaseListSerializer
    from anxin.core.testing import assert_plain_rows_match_drf

    class Shouted(drf.CharField):
        def get_attribute(self, instance):
            return f"{super().get_attribute(instance)}（加注）"

    class SchoolCode(drf.PrimaryKeyRelatedField):
        def to_representation(self, value):
            return f"school-{value.pk}"

    class Custom(CaseListSerializer):
        number = Shouted(read_only=True)
        school = SchoolCode(read_only=True)

    case = new_case()
    rows = assert_plain_rows_match_drf(Custom, [case])
    assert rows[0]["number"] == f"{case.number}（加注）" and rows[0]["school"] == f"school-{case.school_id}"
