"""Who may see and do what (ROLES.md; LAW 18, 19): the school's leaders and middle managers
triage; other staff raise concerns; the bureau sees counts and ages, never contents; every
read of a report's content is audited."""

from __future__ import annotations

import pytest

from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.intake import services
from anxin.intake.models import Report
from anxin.intake.tests.conftest import FORM

TRIAGERS = {Role.PRINCIPAL, Role.SAFETY_LEADER, Role.MIDDLE_MANAGER}


@pytest.mark.parametrize("role", list(Role))
def test_only_the_school_triagers_open_the_inbox_and_a_report(world, as_user, submitted, role):
    c = as_user(world.user[role])
    inbox = c.get("/intake/")
    detail = c.get(f"/intake/reports/{submitted.report.pk}/")
    if role in TRIAGERS:
        assert inbox.status_code == 200 and f"#{submitted.report.pk}" in inbox.content.decode()
        assert detail.status_code == 200 and FORM["text"] in detail.content.decode()
    else:
        assert inbox.status_code == 403
        assert detail.status_code == 403
        assert FORM["text"] not in detail.content.decode()


def test_a_safety_leader_of_another_school_gets_404_and_the_attempt_is_audited(world, as_user, submitted):
    c = as_user(world.user_b[Role.SAFETY_LEADER])
    assert c.get(f"/intake/reports/{submitted.report.pk}/").status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", object_type="intake.report", object_id=str(submitted.report.pk)
    ).exists()
    assert f"#{submitted.report.pk}" not in c.get("/intake/").content.decode()
    assert (
        c.post(
            f"/intake/reports/{submitted.report.pk}/close/", {"kind": "resolved", "reason": "越权办结尝试"}
        ).status_code
        == 404
    )
    submitted.report.refresh_from_db()
    assert submitted.report.status == "new"


def test_every_read_of_a_report_is_audited(world, as_user, submitted):
    c = as_user(world.user[Role.MIDDLE_MANAGER])
    before = AuditEvent.objects.filter(action="read", object_type="intake.report").count()
    c.get(f"/intake/reports/{submitted.report.pk}/")
    c.get(f"/intake/reports/{submitted.report.pk}/")
    reads = AuditEvent.objects.filter(
        action="read", object_type="intake.report", object_id=str(submitted.report.pk)
    )
    assert reads.count() == before + 2
    assert reads.first().actor == world.user[Role.MIDDLE_MANAGER].username


def test_the_inbox_list_shows_no_content(world, as_user, submitted):
    body = as_user(world.user[Role.SAFETY_LEADER]).get("/intake/").content.decode()
    assert FORM["text"] not in body and FORM["people"] not in body and FORM["contact"] not in body
    assert not AuditEvent.objects.filter(action="read", object_type="intake.report").exists()


def test_evidence_is_served_only_in_scope_and_each_open_is_audited(world, as_user, photo):
    result = services.submit_report(school=world.school_a1, data=dict(FORM), files=[photo()])
    att = result.report.attachments.get()
    c = as_user(world.user[Role.SAFETY_LEADER])
    r = c.get(f"/intake/attachments/{att.pk}/")
    assert r.status_code == 200 and r["Content-Type"] == "image/jpeg"
    assert r["X-Content-Type-Options"] == "nosniff" and "no-store" in r["Cache-Control"]
    assert AuditEvent.objects.filter(action="read", object_type="intake.reportattachment").count() == 1
    assert as_user(world.user_b[Role.SAFETY_LEADER]).get(f"/intake/attachments/{att.pk}/").status_code == 404
    assert as_user(world.user[Role.CLASS_TEACHER]).get(f"/intake/attachments/{att.pk}/").status_code == 403


def test_the_bureau_sees_counts_and_ages_not_contents(world, as_user, submitted):
    services.submit_report(school=world.school_a2, data={**FORM, "text": "小学的举报"})
    services.submit_report(school=world.school_b1, data={**FORM, "text": "别县的举报"})
    c = as_user(world.user[Role.BUREAU_SAFETY])
    r = c.get("/intake/county/")
    assert r.status_code == 200
    body = r.content.decode()
    rows = {row.school_name: row for row in r.context["rows"]}
    assert rows[world.school_a1.name].new == 1 and rows[world.school_a2.name].new == 1
    assert rows[world.school_a1.name].oldest_age_hours is not None
    assert world.school_b1.name not in rows  # another county
    assert FORM["text"] not in body and "小学的举报" not in body and FORM["people"] not in body
    # and no way to the contents
    assert c.get(f"/intake/reports/{submitted.report.pk}/").status_code == 403
    assert c.get("/api/v1/intake/reports/").status_code == 403
    assert c.get("/intake/").status_code == 403


def test_the_system_administrator_reads_no_report_contents(world, as_user, submitted):
    c = as_user(world.user[Role.BUREAU_ADMIN])
    assert c.get(f"/intake/reports/{submitted.report.pk}/").status_code == 403
    assert c.get("/intake/county/").status_code == 403
    assert c.get("/intake/posters/").status_code == 200  # posters hold public contacts only


def test_inbox_queries_are_bounded(world, as_user, django_assert_max_num_queries):
    for i in range(25):
        services.submit_report(school=world.school_a1, data={**FORM, "text": f"第{i}条"})
    c = as_user(world.user[Role.SAFETY_LEADER])
    with django_assert_max_num_queries(14):
        r = c.get("/intake/")
    assert r.status_code == 200 and len(r.context["rows"]) == 25


def test_the_inbox_reads_its_rows_as_values(world, as_user, submitted, monkeypatch):
    """举报受理 reads its rows as values: no report or user object per row (and so no content
    that could be shown by mistake), and a row still links the report and says its state."""

    def no_instances(*args, **kwargs):
        raise AssertionError("the inbox built a report for a row")

    monkeypatch.setattr(Report, "from_db", classmethod(no_instances))
    body = as_user(world.user[Role.SAFETY_LEADER]).get("/intake/").content.decode()
    assert f'href="/intake/reports/{submitted.report.pk}/">#{submitted.report.pk}</a>' in body
    assert '<span class="badge bad">待受理</span>' in body and "未研判" in body


def test_county_page_queries_do_not_grow_with_schools(world, as_user, django_assert_max_num_queries):
    from anxin.core.testing import make_school

    for i in range(6):
        make_school(world.county_a, f"测试学校{i}", f"21640122{i + 10}")
    c = as_user(world.user[Role.BUREAU_SAFETY])
    with django_assert_max_num_queries(14):
        assert c.get("/intake/county/").status_code == 200


def test_staff_api_lists_without_content_and_audits_each_retrieve(world, as_user, submitted):
    c = as_user(world.user[Role.SAFETY_LEADER])
    listing = c.get("/api/v1/intake/reports/").json()
    assert listing["count"] == 1 and "text" not in listing["results"][0]
    one = c.get(f"/api/v1/intake/reports/{submitted.report.pk}/").json()
    assert one["text"] == FORM["text"] and one["contact"] == FORM["contact"]
    assert AuditEvent.objects.filter(action="read", object_type="intake.report", data__via="api").exists()
    r = c.post(
        f"/api/v1/intake/reports/{submitted.report.pk}/close/",
        {"close_kind": "resolved", "reason": "短"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "至少" in r.json()["message"]
    r = c.post(
        f"/api/v1/intake/reports/{submitted.report.pk}/urgency/",
        {"urgency": "high"},
        content_type="application/json",
    )
    assert r.status_code == 200 and Report.objects.get().urgency == "high"
    teacher = as_user(world.user[Role.CLASS_TEACHER])
    assert teacher.get("/api/v1/intake/reports/").status_code == 403
    r = teacher.post(
        "/api/v1/intake/concerns/",
        {"student": world.student_own.pk, "text": "被起绰号"},
        content_type="application/json",
    )
    assert r.status_code == 201


def test_openapi_schema_documents_the_public_endpoints(world, as_user):
    import json

    r = as_user(world.user[Role.SAFETY_LEADER]).get("/api/v1/openapi.json", {"format": "json"})
    schema = json.loads(r.content)
    for path in (
        "/api/v1/public/reports/",
        "/api/v1/public/followup/",
        "/api/v1/public/followup/messages/",
        "/api/v1/public/emergencies/",
        "/api/v1/intake/reports/{id}/close/",
    ):
        assert path in schema["paths"], path
    op = schema["paths"]["/api/v1/public/reports/"]["post"]
    assert {"201", "400", "429", "503"} <= set(op["responses"])
    assert op["security"] == [{}] or not op.get("security")  # no login needed


def test_menu_shows_the_section_by_role(world, as_user):
    body = as_user(world.user[Role.SAFETY_LEADER]).get("/notifications/").content.decode()
    assert "举报与求助" in body and "举报受理" in body
    body = as_user(world.user[Role.CLASS_TEACHER]).get("/notifications/").content.decode()
    assert "反映情况" in body and "举报受理" not in body


def test_evidence_is_encrypted_at_rest_owner_only_and_decrypted_for_an_allowed_reader(
    world, as_user, photo, settings
):
    import stat
    from pathlib import Path

    from anxin.core import filecrypt

    result = services.submit_report(school=world.school_a1, data=dict(FORM), files=[photo()])
    att = result.report.attachments.get()
    path = Path(settings.MEDIA_ROOT) / att.file.name
    raw = path.read_bytes()
    assert raw.startswith(filecrypt.MAGIC) and b"\xff\xd8\xff" not in raw[:64]
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    r = as_user(world.user[Role.SAFETY_LEADER]).get(f"/intake/attachments/{att.pk}/")
    body = b"".join(r.streaming_content)
    assert r.status_code == 200 and body.startswith(b"\xff\xd8\xff") and len(body) == att.size
    assert r["Content-Length"] == str(att.size) and body == filecrypt.read_plain(att.file)
    # a file stored in clear before encryption is still served
    path.write_bytes(body)
    r = as_user(world.user[Role.SAFETY_LEADER]).get(f"/intake/attachments/{att.pk}/")
    assert b"".join(r.streaming_content) == body
    # a file no configured key opens is not served (and not half-served)
    path.write_bytes(raw)
    settings.FIELD_ENCRYPTION_KEYS = ["another-key"]
    assert as_user(world.user[Role.SAFETY_LEADER]).get(f"/intake/attachments/{att.pk}/").status_code == 404
