"""Rotating the field key (issue 9): with ``ANXIN_FIELD_KEYS=new,old`` old data decrypts *and*
is still found by its blind index (re-import matching, duplicate detection, 按学籍号查找) until
``manage.py rotate_keys`` has brought everything under the new key; then the old key can go."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from anxin.core import crypto, filecrypt
from anxin.core.models import AuditEvent
from anxin.intake import services as intake_services
from anxin.intake.models import Report
from anxin.intake.tests.conftest import FORM, jpeg_with_exif
from anxin.roster import services
from anxin.roster.models import STUDENT_ID_PURPOSE, STUDENT_NO_PURPOSE, Student
from anxin.roster.tests.helpers import student_row, upload, xlsx_bytes

OLD, NEW = "the-old-field-key", "the-new-field-key"


@pytest.fixture(autouse=True)
def old_key(settings):
    """Everything the test world writes is encrypted and indexed with the old key."""
    settings.FIELD_ENCRYPTION_KEYS = [OLD]
    return settings


def _import(world, row):
    principal = world.user["principal"]
    ri = services.validate_upload(upload(xlsx_bytes([row])), world.school_a1, principal, False)
    assert ri.errors == []
    services.commit_import(ri, False, principal)
    return ri


def _raw(table: str, columns: str, pk: int):
    with connection.cursor() as cur:
        cur.execute(f"SELECT {columns} FROM {table} WHERE id = %s", [pk])  # noqa: S608 — test constants
        return cur.fetchone()


def _under(key: str, value: str, purpose: str) -> str:
    return crypto._blind(value, purpose, key)


def test_rotation_keeps_matching_then_moves_everything_to_the_new_key(world, old_key, as_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    row = student_row(30)
    ri = _import(world, row)
    st = Student.objects.get(name=row["姓名"])
    no, id_number = row["全国学籍号"], row["身份证件号"]
    assert _raw("roster_student", "student_no_index", st.pk)[0] == _under(OLD, no, STUDENT_NO_PURPOSE)
    ri.result = {**ri.result, "secret": crypto.encrypt('["初始密码"]')}
    ri.save(update_fields=["result"])
    result = intake_services.submit_report(
        school=world.school_a1,
        data=dict(FORM),
        files=[SimpleUploadedFile("p.jpg", jpeg_with_exif(), "image/jpeg")] * 2,
    )
    legacy, encrypted = result.report.attachments.order_by("pk")
    legacy_path = Path(old_key.MEDIA_ROOT) / legacy.file.name
    legacy_plain = filecrypt.read_plain(legacy.file)
    legacy_path.write_bytes(legacy_plain)  # as a file stored before uploads were encrypted

    # --- the new key in front, the old one behind: nothing rotated yet ----------------------
    old_key.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    assert Student.objects.get(pk=st.pk).id_number == id_number  # old data decrypts
    # 按学籍号查找 finds the student indexed with the old key
    r = as_user(world.user["principal"]).post(reverse("roster:student_list"), {"student_no": no})
    assert r.status_code == 302 and r.url == reverse("roster:student_detail", args=[st.pk])
    # re-import matches by 学籍号: the same student is updated, not a second one created
    _import(world, dict(row, 现住址="贺兰县立岗镇"))
    assert Student.objects.filter(name=row["姓名"]).count() == 1
    st.refresh_from_db()
    assert st.address == "贺兰县立岗镇"
    # ... and by ID number when the 学籍号 changed: still one student with this ID number
    _import(world, dict(row, 全国学籍号="J" + id_number))
    assert Student.objects.filter(name=row["姓名"]).count() == 1
    st.refresh_from_db()
    assert st.student_no == "J" + id_number
    no = st.student_no

    # --- rotate ----------------------------------------------------------------------------
    out = io.StringIO()
    call_command("rotate_keys", "--batch", "2", stdout=out)
    text = out.getvalue()
    assert "0 unreadable" in text and "0 conflicts" in text and "1 encrypted" in text and "1 re-keyed" in text
    assert AuditEvent.objects.filter(action="keys.rotated").count() == 1

    # everything is under the new key: the old key can be removed
    old_key.FIELD_ENCRYPTION_KEYS = [NEW]
    raw_no, raw_index, raw_id, raw_id_index = _raw(
        "roster_student", "student_no, student_no_index, id_number, id_index", st.pk
    )
    assert crypto.is_current(raw_no) and crypto.is_current(raw_id)
    assert raw_index == _under(NEW, no, STUDENT_NO_PURPOSE)
    assert raw_id_index == _under(NEW, id_number, STUDENT_ID_PURPOSE)
    for other in Student.objects.exclude(student_no=None):  # the world's students too
        assert _raw("roster_student", "student_no_index", other.pk)[0] == _under(
            NEW, other.student_no, STUDENT_NO_PURPOSE
        )
    st = Student.objects.get(pk=st.pk)
    assert st.student_no == no and st.id_number == id_number
    report = Report.objects.get(pk=result.report.pk)
    assert report.text == FORM["text"] and crypto.is_current(_raw("intake_report", "text", report.pk)[0])
    ri.refresh_from_db()
    assert crypto.is_current(ri.result["secret"])
    assert services.take_passwords(ri, world.user["principal"]) == ["初始密码"]
    assert legacy_path.read_bytes().startswith(filecrypt.MAGIC)
    assert filecrypt.read_plain(legacy.file) == legacy_plain
    assert filecrypt.read_plain(encrypted.file).startswith(b"\xff\xd8\xff")
    r = as_user(world.user["principal"]).post(reverse("roster:student_list"), {"student_no": no})
    assert r.status_code == 302 and r.url == reverse("roster:student_detail", args=[st.pk])
    _import(world, dict(row, 全国学籍号=no, 现住址="贺兰县习岗镇"))
    assert Student.objects.filter(name=row["姓名"]).count() == 1

    # --- idempotent: a second run changes nothing --------------------------------------------
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    text = out.getvalue()
    assert "0 re-encrypted" in text and "0 rebuilt" in text
    assert "0 encrypted" in text and "0 re-keyed" in text and "2 already current" in text


def test_a_value_no_configured_key_opens_is_reported_and_the_command_fails(world, old_key):
    from django.core.management.base import CommandError

    old_key.FIELD_ENCRYPTION_KEYS = ["a-key-nobody-has"]
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError):
        call_command("rotate_keys", stdout=out, stderr=err)
    assert "unreadable" in out.getvalue() and "roster.Student #" in err.getvalue()
    for st in Student.objects.all():  # names and numbers are never printed
        assert st.name not in err.getvalue() + out.getvalue()
