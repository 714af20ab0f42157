"""Holes found in review, each proven closed."""

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from anxin.accounts.models import AccessGrant, ApiToken, Membership
from anxin.core import audit, policy
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.core.testing import login, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.SAFETY_LEADER])
def test_audit_trail_exports_as_xlsx_for_the_auditor_and_safety_leader(client, world, role):
    audit.append("read", county_id=world.county_a.pk, school_id=world.school_a1.pk)
    login(client, world.user[role])
    resp = client.get("/audit/?format=xlsx")
    assert resp.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True))
    assert rows[0][4] == "动作" and any(r[4] == "read" for r in rows[1:])
    assert AuditEvent.objects.filter(action="export", object_type="core.auditevent").exists()


def test_export_reads_through_the_export_scope_not_the_view_scope(client, world):
    """A class teacher who also teaches another class may list its students but not export them."""
    teacher = make_user(
        "ct_and_subject", world.county_a, Role.CLASS_TEACHER, world.school_a1, world.class_a1_1
    )
    Membership.objects.create(
        user=teacher,
        role=Role.SUBJECT_TEACHER,
        county=world.county_a,
        school=world.school_a1,
        klass=world.class_a1_2,
        started_on=dt.date(2024, 1, 1),
    )
    login(client, teacher)
    assert "李小红" in client.get("/roster/students/").content.decode()
    resp = client.get("/roster/students/?format=xlsx")
    cells = {
        str(c)
        for row in openpyxl.load_workbook(io.BytesIO(resp.content)).active.iter_rows(values_only=True)
        for c in row
        if c
    }
    assert "李小红" not in cells, cells
    assert "张小明" in cells, cells


def _token(user, created=None):
    token, key = ApiToken.issue(user)
    if created:
        ApiToken.objects.filter(pk=token.pk).update(created=created)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_api_session_obeys_the_absolute_session_limit(client, world):
    login(client, world.user[Role.CLASS_TEACHER])
    assert client.get("/api/v1/students/").status_code == 200
    session = client.session
    session["login_at"] = (timezone.now() - dt.timedelta(hours=13)).timestamp()
    session.save()
    assert client.get("/api/v1/students/").status_code in (401, 403)


def test_api_token_expires(world):
    teacher = world.user[Role.CLASS_TEACHER]
    assert _token(teacher).get("/api/v1/students/").status_code == 200
    ApiToken.objects.all().delete()
    old = _token(teacher, created=timezone.now() - dt.timedelta(days=31))
    assert old.get("/api/v1/students/").status_code in (401, 403)


def test_api_token_does_not_bypass_a_forced_password_change_and_dies_with_the_password(world):
    teacher = world.user[Role.CLASS_TEACHER]
    api = _token(teacher)
    teacher.must_change_password = True
    teacher.save(update_fields=["must_change_password"])
    assert api.get("/api/v1/students/").status_code in (401, 403)
    teacher.must_change_password = False
    teacher.set_password("Another#Pass2027")
    teacher.save()
    assert api.get("/api/v1/students/").status_code in (401, 403)  # minted before the change


def test_api_token_does_not_stand_in_for_a_missing_second_factor(world):
    user = make_user("moved_to_bureau", world.county_a, Role.BUREAU_SAFETY)
    assert _token(user).get("/api/v1/schools/").status_code in (401, 403)


def test_api_out_of_scope_retrieve_is_audited_as_a_denial(client, world):
    login(client, world.user[Role.CLASS_TEACHER])
    before = AuditEvent.objects.filter(action="denied").count()
    assert client.get(f"/api/v1/students/{world.student_other_class.pk}/").status_code == 404
    assert AuditEvent.objects.filter(action="denied").count() == before + 1


def test_access_grant_never_opens_another_schools_audit_trail(client, world):
    leader = world.user[Role.SAFETY_LEADER]
    AccessGrant.objects.create(
        grantee=leader,
        county=world.county_a,
        school=world.school_a2,
        reason="协助调查跨校事件需要查看档案",
        status="approved",
        expires_at=timezone.now() + dt.timedelta(days=3),
    )
    ev = audit.append("read", county_id=world.county_a.pk, school_id=world.school_a2.pk)
    policy.forget(leader)
    assert not AuditEvent.objects.restrict(leader).filter(pk=ev.pk).exists()
    from anxin.roster.models import Student

    assert Student.objects.restrict(leader).filter(pk=world.student_other_school.pk).exists()


def test_client_supplied_request_id_is_not_trusted_by_default(client, db):
    resp = client.get("/healthz", HTTP_X_REQUEST_ID="forged-request-id-0001")
    assert resp["X-Request-ID"] != "forged-request-id-0001"
