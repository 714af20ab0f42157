"""The audit log as a person reads it: names, Chinese role and action labels, an object-type
chooser, and the object's own name — in a fixed number of queries whatever the rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anxin.core import audit
from anxin.core.roles import Role

pytestmark = pytest.mark.django_db


def _events(world, n):
    teacher = world.user[Role.CLASS_TEACHER]
    ctx = audit.context_for_user(teacher)
    token = audit.set_context(ctx)
    try:
        for _i in range(n):
            audit.append(
                "read",
                object_type="roster.student",
                object_id=str(world.student_own.pk),
                county_id=world.county_a.pk,
                school_id=world.school_a1.pk,
            )
            audit.append(
                "update",
                object_type="accounts.user",
                object_id=str(teacher.pk),
                county_id=world.county_a.pk,
                school_id=world.school_a1.pk,
            )
    finally:
        audit.reset_context(token)


def test_rows_read_as_names_and_chinese_labels(world, as_user):
    _events(world, 1)
    c = as_user(world.user[Role.AUDITOR])
    body = c.get("/audit/").content.decode()
    assert "查看敏感记录" in body and "修改" in body
    assert f"学生 {world.student_own.name}" in body or f"学生 {world.student_own}" in body
    assert "roster.student" not in body.split("<tbody>")[1]  # no raw labels in the rows
    assert "accounts.user " not in body
    # the chooser offers object types by their Chinese names and filters by them
    assert '<option value="roster.student">学生</option>' in body
    only_users = c.get("/audit/?object_type=accounts.user").content.decode().split("<tbody>")[1]
    assert "查看敏感记录" not in only_users and "修改" in only_users


def test_audit_page_queries_do_not_grow_with_rows(world, as_user):
    """One name query per object type on the page (and one for the actors), not per row."""
    c = as_user(world.user[Role.AUDITOR])
    _events(world, 1)
    page = "/audit/?object_type=roster.student"
    c.get(page)  # the first request of a session does its own one-off work
    with CaptureQueriesContext(connection) as few:
        assert c.get(page).status_code == 200
    _events(world, 20)
    with CaptureQueriesContext(connection) as many:
        assert c.get(page).status_code == 200
    assert len(many) == len(few)
