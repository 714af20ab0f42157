"""The 全国学籍号 (G/J + the ID number) is personal data like the ID number: encrypted at rest,
matched by blind index, masked in exports and the audit trail, never in a URL. Reads of a
student's record are audited; a staff import's initial passwords are revealed by POST only."""

import importlib
import io

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from openpyxl import load_workbook

from anxin.core.models import AuditEvent
from anxin.roster import services
from anxin.roster.models import Student, student_no_index_for
from anxin.roster.tests.helpers import make_id, student_row, upload, xlsx_bytes

LIST = "roster:student_list"


def _raw(pk: int) -> tuple[str | None, str | None]:
    with connection.cursor() as cur:
        cur.execute("SELECT student_no, student_no_index FROM roster_student WHERE id = %s", [pk])
        return cur.fetchone()


def test_student_no_is_encrypted_at_rest_and_unique_by_blind_index(world):
    st = world.student_own
    no = st.student_no
    raw, index = _raw(st.pk)
    assert raw and no not in raw and no[1:] not in raw  # not in clear
    assert index == student_no_index_for(no) and no not in index
    assert Student.objects.get(pk=st.pk).student_no == no  # decrypted on read
    # the same number again in the county is refused by the database (case and spaces normalised)
    twin = Student(
        county=st.county,
        school=world.school_a2,
        klass=world.class_a2_1,
        name="另一个",
        sex="1",
        birth_date=st.birth_date,
        student_no=" " + no.lower(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()
    # another county may hold the same number
    twin.county, twin.school, twin.klass = (
        world.student_other_county.county,
        world.school_b1,
        world.class_b1_1,
    )
    twin.save()
    assert twin.student_no == no


def test_saving_with_update_fields_keeps_the_index_in_step(world):
    st = world.student_own
    st.student_no = "G" + make_id(55)
    st.save(update_fields=["student_no"])
    assert _raw(st.pk)[1] == student_no_index_for("G" + make_id(55))


def test_reimport_matches_by_student_no_index_and_bulk_writes_fill_it(world):
    principal = world.user["principal"]
    row = student_row(10, 身份证件号="", 身份证件类型="无")
    ri = services.validate_upload(upload(xlsx_bytes([row])), world.school_a1, principal, False)
    services.commit_import(ri, False, principal)
    st = Student.objects.get(name=row["姓名"])
    raw, index = _raw(st.pk)
    assert row["全国学籍号"] not in raw and index == student_no_index_for(row["全国学籍号"])
    assert st.student_no == row["全国学籍号"]
    # the same 学籍号 again (no ID number to match on): the same student is updated
    again = services.validate_upload(
        upload(xlsx_bytes([dict(row, 现住址="贺兰县立岗镇")])), world.school_a1, principal, False
    )
    assert again.errors == []
    services.commit_import(again, False, principal)
    assert Student.objects.filter(name=row["姓名"]).count() == 1
    st.refresh_from_db()
    assert st.address == "贺兰县立岗镇"
    # a corrected 学籍号 (matched by ID number) moves the index with it
    with_id = student_row(11)
    services.commit_import(
        services.validate_upload(upload(xlsx_bytes([with_id])), world.school_a1, principal, False),
        False,
        principal,
    )
    changed = dict(with_id, 全国学籍号="J" + with_id["身份证件号"])
    services.commit_import(
        services.validate_upload(upload(xlsx_bytes([changed])), world.school_a1, principal, False),
        False,
        principal,
    )
    st = Student.objects.get(name=with_id["姓名"])
    assert st.student_no == changed["全国学籍号"]
    assert _raw(st.pk)[1] == student_no_index_for(changed["全国学籍号"])


def test_export_masks_student_no(world, as_user):
    st = world.student_own
    r = as_user(world.user["principal"]).get(reverse(LIST), {"format": "xlsx"})
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content)).active
    header = [c.value for c in ws[1]]
    assert "全国学籍号（脱敏）" in header and "全国学籍号" not in header
    cells = [str(c.value) for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]
    assert st.student_no not in cells and st.student_no_masked in cells
    assert not any(st.student_no[1:] in v for v in cells)


def test_audit_history_masks_student_no(world, as_user):
    st = world.student_own
    old = st.student_no
    st.student_no = "G" + make_id(42)
    st.save()
    ev = AuditEvent.objects.filter(
        action="update", object_type="roster.student", object_id=str(st.pk)
    ).latest("seq")
    text = str(ev.data)
    assert "student_no" in text  # logged as changed …
    assert old not in text and st.student_no not in text and make_id(42) not in text  # … not shown
    created = AuditEvent.objects.filter(action="create", object_type="roster.student").values_list(
        "data", flat=True
    )
    assert not any(s.student_no in str(d) for d in created for s in Student.objects.all())


def test_lookup_by_student_no_never_puts_it_in_a_url(world, as_user):
    c = as_user(world.user["principal"])
    page = c.get(reverse(LIST)).content.decode()
    assert "按学籍号查找" in page and 'method="post"' in page
    st = world.student_other_class
    r = c.post(reverse(LIST), {"student_no": st.student_no.lower()})
    assert r.status_code == 302 and r.url == reverse("roster:student_detail", args=[st.pk])
    assert st.student_no not in r.url and st.student_no[1:] not in r.url
    # not in the user's scope (another school): not found, and the page says so without a redirect
    other = world.student_other_school
    r = c.post(reverse(LIST), {"student_no": other.student_no})
    assert r.status_code == 400 and "未找到该学籍号的学生" in r.content.decode()
    # partial numbers are refused: no guessing by prefix
    r = c.post(reverse(LIST), {"student_no": st.student_no[:10]})
    assert r.status_code == 400 and "完整的19位" in r.content.decode()
    # the GET search (names) does not match a 学籍号, so an export's filters never carry one
    c.get(reverse(LIST), {"q": st.student_no})
    assert not any(st.student_no in str(d) for d in AuditEvent.objects.values_list("data", flat=True))


def test_lookup_needs_the_view_permission(world, as_user):
    r = as_user(world.user["auditor"]).post(reverse(LIST), {"student_no": world.student_own.student_no})
    assert r.status_code == 403


def test_edit_form_does_not_show_the_full_student_no(world, as_user):
    st = world.student_own
    page = as_user(world.user["class_teacher"]).get(reverse("roster:student_edit", args=[st.pk]))
    body = page.content.decode()
    assert st.student_no not in body and st.student_no_masked in body


def test_student_detail_read_is_audited(world, as_user):
    st = world.student_own
    c = as_user(world.user["class_teacher"])
    reads = AuditEvent.objects.filter(action="read", object_type="roster.student", object_id=str(st.pk))
    assert c.get(reverse("roster:student_detail", args=[st.pk])).status_code == 200
    assert reads.count() == 1
    assert c.get(f"/api/v1/students/{st.pk}/").status_code == 200
    assert reads.count() == 2 and reads.latest("seq").data["via"] == "api"
    # guardians through the API: one read event per request, not one per row
    guardian_reads = AuditEvent.objects.filter(action="read", object_type="roster.guardian")
    data = c.get("/api/v1/guardians/").json()
    assert guardian_reads.count() == 1
    assert guardian_reads.get().data["ids"] == [g["id"] for g in data["results"]]
    g = st.guardians.get()
    assert c.get(f"/api/v1/guardians/{g.pk}/").status_code == 200
    assert guardian_reads.count() == 2


def test_staff_passwords_revealed_only_by_post(world, as_user):
    from anxin.roster.tests.test_staff_import import validate

    principal = world.user["principal"]
    ri = validate(world, [["马老师", "13700000001", "班主任", "初一", "2班"]], principal)
    services.commit_import(ri, False, principal)
    c = as_user(principal)
    url = reverse("roster:import_detail", args=[ri.pk])
    for _ in range(2):  # a reload or a prefetch does not use them up
        page = c.get(url).content.decode()
        assert "<code>" not in page and "显示初始密码（仅显示一次）" in page
    ri.refresh_from_db()
    assert ri.result.get("secret")
    shown = c.post(url).content.decode()
    assert "<code>" in shown and "13700000001" in shown
    assert "显示初始密码（仅显示一次）" not in c.get(url).content.decode()
    ri.refresh_from_db()
    assert "secret" not in ri.result


def test_migration_encrypts_existing_student_numbers(world):
    st = world.student_own
    plain = "G" + make_id(33)
    with connection.cursor() as cur:  # a row as stored before the migration: in clear, no index
        cur.execute(
            "UPDATE roster_student SET student_no = %s, student_no_index = NULL WHERE id = %s", [plain, st.pk]
        )
    migration = importlib.import_module("anxin.roster.migrations.0003_student_no_encrypted")

    class _Editor:
        pass

    editor = _Editor()
    editor.connection = connection
    migration.encrypt_student_numbers(None, editor)
    raw, index = _raw(st.pk)
    assert plain not in raw and index == student_no_index_for(plain)
    assert Student.objects.get(pk=st.pk).student_no == plain
    migration.encrypt_student_numbers(None, editor)  # a re-run leaves it readable
    assert Student.objects.get(pk=st.pk).student_no == plain
    migration.decrypt_student_numbers(None, editor)
    assert _raw(st.pk) == (plain, None)


def test_the_lists_decrypt_the_shown_student_no_only_in_fixed_queries(world, as_user, monkeypatch):
    """The student list (page and API) shows the 学籍号 masked and nothing else encrypted: the
    ID number and health data are left unread (each a decryption per row), and one student or
    three take the same queries (no row loads them on its own). The export still masks the ID
    number it reads."""
    from django.test.utils import CaptureQueriesContext

    from anxin.core.testing import decryptions, make_student

    secret = "640122201101010011"
    Student.objects.filter(pk=world.student_own.pk).update(id_number=secret, health="哮喘")
    c = as_user(world.user["class_teacher"])
    page, api = reverse(LIST), "/api/v1/students/"

    def read():
        plain.clear()
        with CaptureQueriesContext(connection) as ctx:
            body = c.get(page).content.decode()
            rows = c.get(api).json()["results"]
        return body, rows, len(ctx)

    c.get(page), c.get(api)
    plain = decryptions(monkeypatch)
    body, rows, queries = read()
    st = world.student_own
    assert st.student_no_masked in body and [r["student_no"] for r in rows] == [st.student_no_masked]
    assert secret not in plain and "哮喘" not in plain
    assert plain == [st.student_no, st.student_no]
    make_student(world.class_a1_1, "学生甲", 51), make_student(world.class_a1_1, "学生乙", 52)
    _b, rows, more = read()
    assert len(rows) == 3 and more == queries
    monkeypatch.undo()
    ws = load_workbook(io.BytesIO(c.get(page, {"format": "xlsx"}).content)).active
    header = [cell.value for cell in ws[1]]
    masked = {str(row[header.index("身份证件号（脱敏）")].value) for row in ws.iter_rows(min_row=2)}
    assert secret not in masked and any(m.startswith("6401") and m.endswith("11") for m in masked)


def test_the_student_list_reads_its_rows_as_values(world, as_user, monkeypatch):
    """学生名单 reads its rows as values: no student object per row (nor its school, class and
    grade), and each row still links the student and shows the class and the masked 学籍号."""
    st = world.student_own
    c = as_user(world.user["class_teacher"])

    def no_instances(*args, **kwargs):
        raise AssertionError("the list built an object for a row")

    monkeypatch.setattr(Student, "from_db", classmethod(no_instances))
    body = c.get(reverse(LIST)).content.decode()
    assert f'href="{reverse("roster:student_detail", args=[st.pk])}">{st.name}</a>' in body
    assert f'data-label="全国学籍号">{st.student_no_masked}</td>' in body and st.student_no not in body
    assert f'data-label="班级">{world.class_a1_1.grade.name}{world.class_a1_1.name}</td>' in body


def test_the_api_rows_are_drf_own(world):
    """The student list's serializer reads its columns directly (``core.api.PlainRows``) and
    gives what DRF's own ``to_representation`` gives, 学籍号 masked."""
    from anxin.core.testing import assert_plain_rows_match_drf
    from anxin.roster.api import StudentDetailSerializer, StudentListSerializer

    students = list(Student.objects.select_related("school", "klass__grade").order_by("pk"))
    for cls in (StudentListSerializer, StudentDetailSerializer):
        rows = assert_plain_rows_match_drf(cls, students)
        assert {r["student_no"] for r in rows} == {s.student_no_masked for s in students}
