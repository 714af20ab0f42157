"""R-CARE-4: counselling notes are read only by the school's counsellors and its safety leader
(page and API); others see that counselling happened. Notes are encrypted at rest and every
read is audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from anxin.care import services
from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.core.roles import Role

NOTES = "学生谈到被同学孤立，有失眠情况。"
ALLOWED = [Role.COUNSELLOR, Role.SAFETY_LEADER]
NOT_ALLOWED = [Role.PRINCIPAL, Role.MIDDLE_MANAGER, Role.CLASS_TEACHER]


def _note_reads(session):
    return AuditEvent.objects.filter(
        action="read", object_type="care.counsellingsession", object_id=str(session.pk), data__field="notes"
    )


@pytest.mark.django_db
def test_counselling_notes_are_encrypted_at_rest(session):
    with connection.cursor() as cur:
        cur.execute("SELECT notes FROM care_counsellingsession WHERE id = %s", [session.pk])
        raw = cur.fetchone()[0]
    assert raw and NOTES not in raw and "孤立" not in raw
    assert raw.startswith("gAAAA")  # a Fernet token


@pytest.mark.django_db
def test_audit_history_of_a_session_masks_the_notes(session):
    created = AuditEvent.objects.get(action="create", object_type="care.counsellingsession")
    assert created.data["after"]["notes"].startswith("hmac:")


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.django_db
def test_counsellor_and_safety_leader_read_notes_on_the_page(world, session, as_user, role):
    r = as_user(world.user[role]).get(f"/care/counselling/{session.pk}/")
    assert r.status_code == 200 and NOTES in r.content.decode()
    assert _note_reads(session).count() == 1


@pytest.mark.parametrize("role", NOT_ALLOWED)
@pytest.mark.django_db
def test_others_see_counselling_happened_but_not_notes_on_the_page(world, session, as_user, role):
    c = as_user(world.user[role])
    html = c.get(f"/care/counselling/{session.pk}/").content.decode()
    assert NOTES not in html and "孤立" not in html
    assert clock.local_date(session.held_at).isoformat() in html and "a_counsellor" in html
    listing = c.get("/care/counselling/").content.decode()
    assert "张小明" in listing and "孤立" not in listing
    plan_page = c.get(f"/care/plans/{session.plan_id}/").content.decode()
    assert "心理辅导" in plan_page and "孤立" not in plan_page
    assert not _note_reads(session).exists()


@pytest.mark.parametrize("role", ALLOWED)
@pytest.mark.django_db
def test_api_notes_field_present_for_allowed_roles_and_audited(world, session, as_user, role):
    data = as_user(world.user[role]).get(f"/api/v1/counselling-sessions/{session.pk}/").json()
    assert data["notes"] == NOTES
    assert _note_reads(session).filter(data__via="api").count() == 1


@pytest.mark.parametrize("role", NOT_ALLOWED)
@pytest.mark.django_db
def test_api_notes_field_absent_for_other_roles(world, session, as_user, role):
    c = as_user(world.user[role])
    data = c.get(f"/api/v1/counselling-sessions/{session.pk}/").json()
    assert "notes" not in data and data["counsellor"] == world.user[Role.COUNSELLOR].pk
    listed = c.get("/api/v1/counselling-sessions/").json()["results"]
    assert [s["id"] for s in listed] == [session.pk] and "notes" not in listed[0]
    contacts = c.get("/api/v1/care-contacts/").json()["results"]
    assert all("孤立" not in (x["summary"] + x["anomaly_note"]) for x in contacts)


@pytest.mark.django_db
def test_api_list_never_carries_notes_even_for_counsellor(world, session, as_user):
    listed = as_user(world.user[Role.COUNSELLOR]).get("/api/v1/counselling-sessions/").json()["results"]
    assert "notes" not in listed[0]


@pytest.mark.django_db
def test_read_notes_service_refuses_principal(world, session):
    with pytest.raises(PermissionDenied):
        services.read_notes(world.user[Role.PRINCIPAL], session)
    assert AuditEvent.objects.filter(action="denied", object_type="care.counsellingsession").exists()


@pytest.mark.django_db
def test_counsellor_of_another_school_cannot_read_notes(world, session, as_user):
    from anxin.core.testing import make_user

    other = make_user("b_counsellor", world.county_b, Role.COUNSELLOR, world.school_b1)
    c = as_user(other)
    assert c.get(f"/care/counselling/{session.pk}/").status_code == 404
    assert c.get(f"/api/v1/counselling-sessions/{session.pk}/").status_code == 404


@pytest.mark.django_db
def test_counselling_counts_as_a_contact_of_the_plan(session, plan):
    plan.refresh_from_db()
    assert plan.last_contact_at == session.held_at
    contact = session.contact
    assert contact.kind == "counselling" and NOTES not in contact.summary


@pytest.mark.django_db
def test_only_counsellor_and_safety_leader_record_counselling(world, as_user):
    assert as_user(world.user[Role.PRINCIPAL]).get("/care/counselling/new/").status_code == 403
    assert as_user(world.user[Role.CLASS_TEACHER]).get("/care/counselling/new/").status_code == 403
    c = as_user(world.user[Role.COUNSELLOR])
    r = c.post(f"/care/counselling/new/?student={world.student_own.pk}", {"form": "individual", "notes": ""})
    assert "请填写辅导记录。" in r.content.decode()
    r = c.post(
        "/api/v1/counselling-sessions/",
        {"student": world.student_own.pk, "notes": "团体辅导记录"},
        content_type="application/json",
    )
    assert r.status_code == 201 and "notes" not in r.json()


@pytest.mark.django_db
def test_register_export_never_contains_notes(world, session, leader, as_user):
    import io

    from openpyxl import load_workbook

    r = as_user(leader).get("/care/register.xlsx")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row]
    assert "张小明" in cells and not any("孤立" in c for c in cells)
    assert {"关爱计划", "联系记录", "干预任务", "心理辅导", "同学互助", "师生联系"} <= set(wb.sheetnames)
    assert AuditEvent.objects.filter(action="export", object_type="care.careplan").exists()
