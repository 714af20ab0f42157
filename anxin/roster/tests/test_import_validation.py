"""The row-by-row validation report of student roster imports (R-ORG-6; FORMATS.md)."""

import datetime as dt
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError

from anxin.roster import services
from anxin.roster.importer import STUDENT_TEMPLATE_HEADERS
from anxin.roster.models import RosterImport, Student, student_no_index_for
from anxin.roster.tests.helpers import excel_style_xlsx, make_id, student_row, upload, xlsx_bytes


def validate(world, rows, user=None, create_classes=False, headers=None, school=None):
    return services.validate_upload(
        upload(xlsx_bytes(rows, headers)),
        school or world.school_a1,
        user or world.user["principal"],
        create_classes,
    )


def refusal(world, content: bytes, name="名册.xlsx") -> str:
    with pytest.raises(ValidationError) as exc:
        services.validate_upload(upload(content, name), world.school_a1, world.user["principal"], False)
    return "".join(exc.value.messages)


def test_valid_file_is_validated_without_writing_students(world):
    before = Student.objects.count()
    ri = validate(world, [student_row(10), student_row(11, male=False)])
    assert ri.status == RosterImport.Status.VALIDATED
    assert (ri.total_rows, ri.valid_rows, ri.errors) == (2, 2, [])
    assert ri.result["preview"]["new"] == 2
    assert Student.objects.count() == before
    assert (services.stored_file(ri)).exists()
    assert ri.stored_path == f"imports/{ri.sha256}.xlsx"


def test_wrong_columns_refused_naming_the_missing_ones(world):
    headers = ["姓名", "性别", "出生日期", "年级", "班级"]
    message = refusal(world, xlsx_bytes([["张三", "男", "20120501", "初一", "1班"]], headers))
    assert "缺少必需的列" in message
    assert "身份证件号" in message and "成员1姓名" in message


def test_file_without_recognised_header_refused(world):
    message = refusal(world, xlsx_bytes([["a", "b"], ["c", "d"]], ["列1", "列2"]))
    assert "未找到可识别的表头" in message


def test_empty_file_refused(world):
    assert "空" in refusal(world, b"")
    assert "空" in refusal(world, xlsx_bytes([], headers=[]))


def test_header_without_data_rows_refused(world):
    assert "没有学生数据" in refusal(world, xlsx_bytes([]))


def test_non_excel_file_named_xlsx_refused_by_content(world):
    assert "不是 Excel" in refusal(world, "姓名,性别\n张三,男\n".encode())
    assert ".xls" in refusal(world, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    assert "不是有效的 Excel" in refusal(world, buf.getvalue())
    assert not RosterImport.objects.exists()


def test_file_over_the_size_limit_refused(world, settings):
    settings.ANXIN_ROSTER_MAX_BYTES = 1000
    assert "文件过大" in refusal(world, xlsx_bytes([student_row(10)]))


def test_bad_birth_date_reported_in_chinese_with_row_number(world):
    rows = [student_row(10), student_row(11, 出生日期="2012-13-45")]
    ri = validate(world, rows)
    assert "第3行：出生日期格式错误（应为YYYYMMDD或YYYY-MM-DD）" in ri.errors
    assert ri.valid_rows == 1


def test_birth_date_must_match_id_and_age_3_to_25(world):
    rows = [
        student_row(10, 出生日期="20120502"),
        student_row(11, birth=dt.date(1990, 1, 1)),
    ]
    ri = validate(world, rows)
    assert "第2行：出生日期与身份证件号中的出生日期不符" in ri.errors
    assert any(e.startswith("第3行：出生日期不合理") for e in ri.errors)


def test_id_check_digit_and_sex_digit_checked(world):
    good = make_id(12)
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [student_row(10, 身份证件号=wrong_check, 全国学籍号=""), student_row(11, 性别="女")]
    ri = validate(world, rows)
    assert "第2行：身份证件号校验位错误，请核对" in ri.errors
    assert "第3行：性别与身份证件号第17位不符（奇数为男，偶数为女）" in ri.errors


def test_lower_case_x_in_id_number_is_accepted(world):
    for n in range(10, 60):
        if make_id(n).endswith("X"):
            break
    ri = validate(world, [student_row(n, 身份证件号=make_id(n).lower())])
    assert ri.errors == []


def test_student_no_format_checked(world):
    rows = [
        student_row(
            10,
            全国学籍号="G" + make_id(10)[:17] + "0"
            if not make_id(10).endswith("0")
            else "G" + make_id(10)[:17] + "1",
        ),
        student_row(11, 全国学籍号="L" + "1" * 18),
        student_row(12, 全国学籍号="X" + make_id(12)),
    ]
    ri = validate(world, rows)
    assert "第2行：全国学籍号校验位错误" in ri.errors
    assert not any(e.startswith("第3行") for e in ri.errors)
    assert "第4行：全国学籍号应以G、J或L开头" in ri.errors


def test_duplicate_student_no_in_file_marks_both_rows(world):
    a = student_row(10)
    b = student_row(11, 全国学籍号=a["全国学籍号"])
    ri = validate(world, [a, b, student_row(12)])
    assert "第2行：全国学籍号与第3行重复" in ri.errors
    assert "第3行：全国学籍号与第2行重复" in ri.errors
    assert ri.valid_rows == 1


def test_duplicate_id_number_in_file_is_error(world):
    a = student_row(10, 全国学籍号="")
    b = student_row(10, 姓名="另一人", 全国学籍号="")
    ri = validate(world, [a, b])
    assert "第3行：身份证件号与第2行重复" in ri.errors


def test_duplicate_id_number_in_file_reported_at_both_rows_even_when_one_row_is_invalid(world):
    """The same 身份证件号 pasted under another student (other sex and birth date): both rows are
    named as duplicates of each other, not a sex/birth mismatch at one and nothing at the other."""
    a = student_row(10, 全国学籍号="")
    b = student_row(11, 姓名="另一人", 全国学籍号="", male=False, birth=dt.date(2011, 3, 2))
    b["身份证件号"] = a["身份证件号"]
    ri = validate(world, [a, b, student_row(12)])
    assert any(e.startswith("第2行：身份证件号与第3行重复") for e in ri.errors), ri.errors
    assert any(e.startswith("第3行：身份证件号与第2行重复") for e in ri.errors), ri.errors
    assert ri.valid_rows == 1


def test_duplicate_student_no_in_file_reported_at_both_rows_even_when_one_row_is_invalid(world):
    a = student_row(10)
    b = student_row(11, 全国学籍号=a["全国学籍号"], 性别="")
    ri = validate(world, [a, b])
    assert any(e.startswith("第2行：全国学籍号与第3行重复") for e in ri.errors), ri.errors
    assert any(e.startswith("第3行：全国学籍号与第2行重复") for e in ri.errors), ri.errors
    assert ri.valid_rows == 0


def test_student_no_of_another_schools_student_in_county_is_row_error(world):
    no = "G" + make_id(77)
    Student.objects.filter(pk=world.student_other_school.pk).update(
        student_no=no, student_no_index=student_no_index_for(no)
    )
    row = student_row(10, 全国学籍号="G" + make_id(77))
    ri = validate(world, [row])
    assert ri.errors == ["第2行：全国学籍号已被本县其他学校的在读学生使用（转学须由原学校先办理转出）"]


def test_same_student_no_in_another_county_is_allowed(world):
    no = "G" + make_id(77)
    Student.objects.filter(pk=world.student_other_county.pk).update(
        student_no=no, student_no_index=student_no_index_for(no)
    )
    row = student_row(10, 全国学籍号="G" + make_id(77))
    assert validate(world, [row]).errors == []


def test_columns_matched_by_header_in_any_order_unknown_ignored_with_warning(world):
    row = student_row(10)
    headers = ["政治面貌", *reversed(STUDENT_TEMPLATE_HEADERS), "学校标识码"]
    values = ["群众", *[row[h] for h in reversed(STUDENT_TEMPLATE_HEADERS)], world.school_a1.code]
    ri = validate(world, [values], headers=headers)
    assert ri.errors == []
    assert any("政治面貌" in w and "忽略" in w for w in ri.warnings)


def test_school_code_must_be_the_importing_schools(world):
    headers = ["学校标识码", *STUDENT_TEMPLATE_HEADERS]
    row = student_row(10)
    ri = validate(world, [["2164012202", *[row[h] for h in STUDENT_TEMPLATE_HEADERS]]], headers=headers)
    assert ri.errors == ["第2行：学校标识码2164012202与导入学校的标识码2164012201不一致"]


def test_option_columns_accept_labels_or_codes_and_store_codes(world, principal):
    rows = [
        student_row(10, 性别="1", 民族="03", 就读方式="2", 是否留守儿童="2", 身份证件类型="1", 是否孤儿="1"),
        student_row(11, male=False, 性别="女", 民族="回", 就读方式="住校", 是否留守儿童="单亲留守"),
        student_row(12, 民族="汉子"),
    ]
    ri = validate(world, rows)
    assert ri.errors == ["第4行：民族“汉子”无法识别（应为56个民族名称或代码01–56）"]
    services.commit_import(ri, True, principal)
    a = Student.objects.get(name=rows[0]["姓名"])
    b = Student.objects.get(name=rows[1]["姓名"])
    assert (a.sex, a.ethnicity, a.attendance, a.left_behind, a.orphan) == ("1", "03", "2", "2", True)
    assert (b.sex, b.ethnicity, b.attendance, b.left_behind) == ("2", "03", "2", "1")


def test_phone_formats_checked(world):
    rows = [
        student_row(10, 联系电话="0951-1234567"),
        student_row(11, 成员1联系电话="12345"),
        student_row(12, 联系电话="139 0000 1111"),
    ]
    ri = validate(world, rows)
    assert ri.errors == ["第3行：成员1联系电话格式错误（手机号为1开头的11位数字，固定电话如0951-1234567）"]


def test_at_least_one_member_must_be_marked_guardian(world):
    ri = validate(world, [student_row(10, 成员1是否监护人="否")])
    assert ri.errors == ["第2行：至少须有一名成员标记为监护人（是否监护人填“是”）"]


def test_unknown_class_is_an_error_unless_creating_classes_was_ticked(world, principal):
    row = student_row(10, 班级="(3)班")
    ri = validate(world, [row])
    assert ri.errors == ["第2行：本校没有“初一3班”，请先建立该班级，或勾选“自动创建缺少的班级”"]
    ri = validate(world, [row], create_classes=True)
    assert ri.errors == []
    assert any("初一3班" in w for w in ri.warnings)
    result = services.commit_import(ri, False, principal)
    assert result["classes_created"] == 1
    assert Student.objects.get(name=row["姓名"]).klass.name == "3班"


def test_class_written_as_national_grade_code_and_number_resolves(world):
    ri = validate(
        world, [student_row(10, 年级="21", 班级="初一（1）班"), student_row(11, 年级="七年级", 班级="1")]
    )
    assert ri.errors == []


def test_cells_are_read_as_text_keeping_exact_digits(world, principal):
    """Number cells (as Excel stores them) come back digit for digit: an 18-digit ID number,
    a date typed as 20120501, 入学年月 202409; text keeps its leading zeros (民族 01)."""
    row = student_row(10, male=False)
    values = []
    for h in STUDENT_TEMPLATE_HEADERS:
        v = row[h]
        if h in ("身份证件号", "出生日期", "入学年月", "成员1联系电话") and v and v.isdigit():
            v = int(v)
        if h == "民族":
            v = "01"
        values.append(v)
    assert isinstance(values[STUDENT_TEMPLATE_HEADERS.index("身份证件号")], int) or row[
        "身份证件号"
    ].endswith("X")
    content = excel_style_xlsx(STUDENT_TEMPLATE_HEADERS, [values])
    ri = services.validate_upload(upload(content), world.school_a1, principal, False)
    assert ri.errors == []
    services.commit_import(ri, False, principal)
    s = Student.objects.get(name=row["姓名"])
    assert s.id_number == row["身份证件号"]
    assert (s.birth_date, s.enrolled_month, s.ethnicity) == (dt.date(2012, 5, 1), "202409", "01")
    assert s.guardians.get().phone == row["成员1联系电话"]


def test_report_lines_do_not_leak_personal_data(world):
    rows = [student_row(10, 身份证件号="98765", 全国学籍号=""), student_row(11, 成员1联系电话="99999")]
    ri = validate(world, rows)
    joined = "".join(ri.errors)
    assert len(ri.errors) == 2
    for secret in ("98765", "99999", rows[0]["姓名"], rows[1]["姓名"], rows[1]["身份证件号"]):
        assert secret not in joined


def test_unusual_sheet_xml_is_read_the_same(world, principal):
    """Sheets as other tools write them — namespace prefixes, rich-text inline strings,
    entities, attributes in another order — are read by the general (lxml) path."""
    row = student_row(10)
    headers = [
        "姓名",
        "性别",
        "出生日期",
        "身份证件号",
        "年级",
        "班级",
        "成员1姓名",
        "成员1关系",
        "成员1联系电话",
        "成员1是否监护人",
        "成员1工作单位",
    ]
    values = [row[h] for h in headers[:-1]] + ["A&B <公司>"]

    def cell(col, r, text, rich=False):
        body = (
            f"<x:r><x:t>{text[:1]}</x:t></x:r><x:r><x:t>{text[1:]}</x:t></x:r>"
            if rich
            else f"<x:t>{text}</x:t>"
        )
        return f'<x:c t="inlineStr" r="{col}{r}"><x:is>{body}</x:is></x:c>'

    from xml.sax.saxutils import escape

    from openpyxl.utils import get_column_letter

    sheet_rows = []
    for r, vals in enumerate([headers, values], start=1):
        cells = "".join(
            cell(get_column_letter(i), r, escape(v), rich=(i == 1 and r == 2)) for i, v in enumerate(vals, 1)
        )
        sheet_rows.append(f'<x:row r="{r}">{cells}</x:row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8"?><x:worksheet '
        'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        + "".join(sheet_rows)
        + "</x:sheetData></x:worksheet>"
    )
    base = io.BytesIO(xlsx_bytes([], headers=["x"]))
    out = io.BytesIO()
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = sheet.encode() if item.filename == "xl/worksheets/sheet1.xml" else src.read(item.filename)
            dst.writestr(item, data)
    ri = services.validate_upload(upload(out.getvalue()), world.school_a1, principal, False)
    assert (ri.total_rows, ri.errors) == (1, [])
    services.commit_import(ri, False, principal)
    s = Student.objects.get(name=row["姓名"])
    assert s.guardians.get().employer == "A&B <公司>"


def test_date_cells_are_read_as_dates(world):
    """A birth date typed into Excel as a date is a number with a date format; it reads as
    the date, not as the serial number."""
    row = student_row(10)
    row["出生日期"] = dt.datetime(2012, 5, 1)
    ri = validate(world, [row])
    assert ri.errors == []
