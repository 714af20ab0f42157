"""Roster pages: scope, sensitive reads, export, edit, move, import flow (R-ORG-6)."""

import io

from django.urls import reverse
from openpyxl import load_workbook

from anxin.core.models import AuditEvent
from anxin.core.testing import make_student
from anxin.roster.models import Guardian, RosterImport, Student
from anxin.roster.services import EXPORT_HEADER
from anxin.roster.tests.helpers import make_id, student_row, upload, xlsx_bytes


def test_class_teacher_sees_only_own_class_in_list(world, as_user):
    c = as_user(world.user["class_teacher"])
    r = c.get(reverse("roster:student_list"))
    assert r.status_code == 200
    names = [s.name for s in r.context["object_list"]]
    assert names == [world.student_own.name]
    assert world.student_other_class.name not in r.content.decode()


def test_principal_sees_own_school_only(world, as_user):
    r = as_user(world.user["principal"]).get(reverse("roster:student_list"))
    names = {s.name for s in r.context["object_list"]}
    assert names == {world.student_own.name, world.student_other_class.name}


def test_list_filters_by_name_and_class_never_by_student_no(world, as_user):
    c = as_user(world.user["principal"])
    r = c.get(reverse("roster:student_list"), {"q": world.student_other_class.name})
    assert [s.pk for s in r.context["object_list"]] == [world.student_other_class.pk]
    r = c.get(reverse("roster:student_list"), {"q": world.student_other_class.student_no})
    assert list(r.context["object_list"]) == []  # 学籍号 lookups are posted (按学籍号查找)
    r = c.get(reverse("roster:student_list"), {"klass": world.class_a1_1.pk})
    assert [s.pk for s in r.context["object_list"]] == [world.student_own.pk]


def test_roles_without_roster_access_are_refused(world, as_user):
    for role in ("bureau_admin", "auditor", "legal_vp"):
        assert as_user(world.user[role]).get(reverse("roster:student_list")).status_code == 403


def test_other_school_and_other_county_detail_is_404(world, as_user):
    c = as_user(world.user["principal"])
    assert c.get(reverse("roster:student_detail", args=[world.student_own.pk])).status_code == 200
    for s in (world.student_other_school, world.student_other_county):
        assert c.get(reverse("roster:student_detail", args=[s.pk])).status_code == 404
    assert AuditEvent.objects.filter(action="denied", object_type="roster.student").count() == 2


def test_class_teacher_cannot_open_other_class_student(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert c.get(reverse("roster:student_detail", args=[world.student_own.pk])).status_code == 200
    assert c.get(reverse("roster:student_detail", args=[world.student_other_class.pk])).status_code == 404


def test_subject_teacher_sees_list_but_not_record(world, as_user):
    c = as_user(world.user["subject_teacher"])
    assert c.get(reverse("roster:student_list")).status_code == 200
    assert c.get(reverse("roster:student_detail", args=[world.student_own.pk])).status_code == 404


def _with_id(student, n=1):
    student.id_number = make_id(n)
    student.health = "有慢性病"
    student.save()
    return student


def test_id_number_masked_by_default_and_sensitive_read_audited(world, as_user):
    s = _with_id(world.student_own)
    c = as_user(world.user["class_teacher"])
    page = c.get(reverse("roster:student_detail", args=[s.pk])).content.decode()
    assert s.id_number not in page and s.id_masked in page and "有慢性病" not in page
    assert "查看敏感信息" in page
    reads = AuditEvent.objects.filter(
        action="read",
        object_type="roster.student",
        object_id=str(s.pk),
        data__view="roster:student_sensitive",
    )
    assert not reads.exists()  # the record's read is audited as such (roster:student_detail)
    assert c.post(reverse("roster:student_detail", args=[s.pk])).status_code == 405
    page = c.post(reverse("roster:student_sensitive", args=[s.pk])).content.decode()
    assert s.id_number in page and "有慢性病" in page
    assert reads.count() == 1
    assert c.get(reverse("roster:student_sensitive", args=[s.pk])).status_code == 405
    other = _with_id(world.student_other_class, 2)
    assert c.post(reverse("roster:student_sensitive", args=[other.pk])).status_code == 404
    assert reads.count() == 1


def test_sensitive_read_refused_without_permission(world, as_user):
    s = _with_id(world.student_own)
    c = as_user(world.user["counsellor"])  # sees records, not ID numbers or health data
    page = c.get(reverse("roster:student_detail", args=[s.pk])).content.decode()
    assert "查看敏感信息" not in page
    assert c.post(reverse("roster:student_sensitive", args=[s.pk])).status_code == 403
    reads = AuditEvent.objects.filter(action="read", object_type="roster.student")
    assert [e.data["view"] for e in reads] == ["roster:student_detail"]  # the page, not the sensitive read


def test_student_list_query_count_is_bounded(world, as_user, django_assert_max_num_queries):
    c = as_user(world.user["principal"])
    c.get(reverse("roster:student_list"))  # warm the session
    with django_assert_max_num_queries(14) as few:
        c.get(reverse("roster:student_list"))
    for n in range(30):
        make_student(world.class_a1_1 if n % 2 else world.class_a1_2, f"学生{n}", 100 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        r = c.get(reverse("roster:student_list"))
    assert len(r.context["object_list"]) == 32


def test_export_has_guardian_columns_and_formula_text_stays_text(world, as_user):
    Guardian.objects.filter(student=world.student_own).update(employer='=HYPERLINK("http://x","y")')
    c = as_user(world.user["class_teacher"])
    r = c.get(reverse("roster:student_list"), {"format": "xlsx"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb.active
    header = [cell.value for cell in ws[1]]
    assert header == EXPORT_HEADER
    assert {"成员1姓名", "成员1关系", "成员1联系电话", "成员1工作单位"} <= set(header)
    assert ws.max_row == 2  # the class teacher's one student
    cell = ws.cell(row=2, column=header.index("成员1工作单位") + 1)
    assert cell.data_type == "s"
    assert cell.value.lstrip("'") == '=HYPERLINK("http://x","y")' and not cell.value.startswith("=")
    assert ws.cell(row=2, column=header.index("姓名") + 1).value == world.student_own.name
    assert AuditEvent.objects.filter(action="export", object_type="roster.student").exists()


def test_export_needs_export_permission(world, as_user):
    c = as_user(world.user["subject_teacher"])
    assert c.get(reverse("roster:student_list"), {"format": "xlsx"}).status_code == 403


def test_edit_student_and_guardian_is_saved_and_audited(world, as_user):
    s = world.student_own
    g = s.guardians.get()
    c = as_user(world.user["class_teacher"])
    url = reverse("roster:student_edit", args=[s.pk])
    assert c.get(url).status_code == 200
    data = {
        "student_no": s.student_no,
        "name": s.name,
        "sex": "1",
        "birth_date": "2012-05-01",
        "ethnicity": "03",
        "attendance": "2",
        "enrolled_month": "202409",
        "left_behind": "1",
        "address": "习岗镇",
        "phone": "",
        "status": "enrolled",
        "g-TOTAL_FORMS": "2",
        "g-INITIAL_FORMS": "1",
        "g-MIN_NUM_FORMS": "0",
        "g-MAX_NUM_FORMS": "6",
        "g-0-id": g.pk,
        "g-0-student": s.pk,
        "g-0-name": g.name,
        "g-0-relation": "父亲",
        "g-0-phone": "13912345678",
        "g-0-is_guardian": "on",
        "g-0-lives_with": "on",
        "g-0-employer": "",
        "g-1-student": s.pk,
        "g-1-name": "",
        "g-1-relation": "",
        "g-1-phone": "",
        "g-1-employer": "",
    }
    r = c.post(url, data)
    assert r.status_code == 302, (r.context["form"].errors, r.context["guardians"].errors) if r.context else r
    s.refresh_from_db()
    g.refresh_from_db()
    assert (s.attendance, s.left_behind, s.ethnicity, g.phone) == ("2", "1", "03", "13912345678")
    assert AuditEvent.objects.filter(
        action="update", object_type="roster.student", object_id=str(s.pk)
    ).exists()
    assert AuditEvent.objects.filter(
        action="update", object_type="roster.guardian", object_id=str(g.pk)
    ).exists()


def test_edit_rejects_bad_phone_and_other_class(world, as_user):
    c = as_user(world.user["class_teacher"])
    s = world.student_own
    r = c.post(
        reverse("roster:student_edit", args=[s.pk]),
        {
            "name": s.name,
            "sex": "1",
            "birth_date": "2012-05-01",
            "attendance": "1",
            "left_behind": "0",
            "status": "enrolled",
            "phone": "12345",
            "g-TOTAL_FORMS": "0",
            "g-INITIAL_FORMS": "0",
        },
    )
    assert r.status_code == 200 and "电话号码格式错误" in r.content.decode()
    assert c.get(reverse("roster:student_edit", args=[world.student_other_class.pk])).status_code == 404


def test_move_view_is_post_only_and_keeps_history(world, as_user):
    c = as_user(world.user["principal"])
    url = reverse("roster:student_move", args=[world.student_own.pk])
    assert c.get(url).status_code == 405
    r = c.post(url, {"klass": world.class_a1_2.pk, "reason": "分班调整"})
    assert r.status_code == 302
    s = Student.objects.get(pk=world.student_own.pk)
    assert s.klass == world.class_a1_2 and s.placements.count() == 2
    r = c.post(url, {"klass": world.class_a2_1.pk, "reason": "转学"})  # not in the principal's scope
    assert Student.objects.get(pk=s.pk).klass == world.class_a1_2


def test_import_pages_need_an_import_permission(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert c.get(reverse("roster:import_list")).status_code == 403
    assert c.get(reverse("roster:template")).status_code == 403


def test_upload_report_and_only_valid_rows_need_explicit_confirmation(world, as_user):
    c = as_user(world.user["principal"])
    assert c.get(reverse("roster:import_list")).status_code == 200
    rows = [student_row(10), student_row(11, 出生日期="2012/02/30"), student_row(12)]
    r = c.post(
        reverse("roster:import_list"),
        {"kind": "students", "school": world.school_a1.pk, "file": upload(xlsx_bytes(rows))},
    )
    assert r.status_code == 302
    ri = RosterImport.objects.get()
    page = c.get(r["Location"]).content.decode()
    assert "第3行：出生日期格式错误（应为YYYYMMDD或YYYY-MM-DD）" in page
    assert "仅导入有效的2行" in page
    commit = reverse("roster:import_commit", args=[ri.pk])
    c.post(commit, {"only_valid": "1"})  # not confirmed
    c.post(commit, {})
    ri.refresh_from_db()
    assert (
        ri.status == RosterImport.Status.VALIDATED
        and not Student.objects.filter(name=rows[0]["姓名"]).exists()
    )
    c.post(commit, {"only_valid": "1", "confirm": "1"})
    ri.refresh_from_db()
    assert ri.status == RosterImport.Status.DONE and ri.result["students_created"] == 2
    assert "新增学生" in c.get(reverse("roster:import_detail", args=[ri.pk])).content.decode()


def test_upload_of_a_non_excel_file_shows_the_reason(world, as_user):
    c = as_user(world.user["principal"])
    r = c.post(
        reverse("roster:import_list"),
        {"kind": "students", "school": world.school_a1.pk, "file": upload(b"not a workbook at all")},
    )
    assert r.status_code == 400
    assert "不是 Excel" in r.content.decode()


def test_import_report_of_another_school_is_404(world, as_user):
    from anxin.roster import services

    ri = services.validate_upload(
        upload(xlsx_bytes([student_row(10)])), world.school_b1, world.user_b["safety_leader"], False
    )
    c = as_user(world.user["principal"])
    assert c.get(reverse("roster:import_detail", args=[ri.pk])).status_code == 404
    assert c.post(reverse("roster:import_commit", args=[ri.pk])).status_code == 404


def test_template_has_headers_and_instructions_sheet(world, as_user):
    from anxin.roster.importer import STUDENT_TEMPLATE_HEADERS

    r = as_user(world.user["principal"]).get(reverse("roster:template"))
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["学生名册", "说明"]
    assert [c.value for c in wb["学生名册"][1]] == STUDENT_TEMPLATE_HEADERS
    assert wb["说明"]["A1"].value == "列名"


def test_failed_import_report_shows_the_reason(world, as_user):
    from anxin.roster import services

    principal = world.user["principal"]
    ri = services.validate_upload(upload(xlsx_bytes([student_row(10)])), world.school_a1, principal, False)
    services.stored_file(ri).unlink()
    c = as_user(principal)
    c.post(reverse("roster:import_commit", args=[ri.pk]))
    page = c.get(reverse("roster:import_detail", args=[ri.pk])).content.decode()
    assert "原上传文件已不存在，请重新上传。" in page and "导入失败" in page


def test_filled_template_round_trips_through_validation(world):
    """The downloadable template, filled with the example of its 说明 sheet, validates
    cleanly; the 说明 sheet itself is never read as data."""
    from anxin.roster import services

    wb = load_workbook(io.BytesIO(services.template_bytes("students")))
    example = [c.value for c in list(wb["说明"].iter_rows())[-1]]
    assert example[1] == "张小明"
    data = wb["学生名册"]
    for i, v in enumerate(example, start=1):
        cell = data.cell(row=2, column=i, value=v)
        cell.data_type = "s"
    buf = io.BytesIO()
    wb.save(buf)
    ri = services.validate_upload(upload(buf.getvalue()), world.school_a1, world.user["principal"], False)
    assert (ri.total_rows, ri.valid_rows, ri.errors) == (1, 1, [])


def test_student_number_which_carries_the_id_number_is_masked_in_lists_and_api(world, as_user):
    st = world.student_own
    c = as_user(world.user["class_teacher"])
    page = c.get("/roster/students/").content.decode()
    assert st.student_no not in page and st.student_no_masked in page
    api = c.get("/api/v1/students/").json()["results"]
    assert [row["student_no"] for row in api] == [st.student_no_masked]
