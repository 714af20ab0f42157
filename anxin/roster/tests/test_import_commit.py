"""Committing roster imports: all or (explicitly) only valid rows, idempotent re-imports,
placement history (R-ORG-6)."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from anxin.core.models import AuditEvent
from anxin.roster import services
from anxin.roster.models import Guardian, Placement, RosterImport, Student
from anxin.roster.tests.helpers import make_id, student_row, upload, xlsx_bytes


def import_rows(world, rows, user, only_valid=False, create_classes=False):
    ri = services.validate_upload(upload(xlsx_bytes(rows)), world.school_a1, user, create_classes)
    services.commit_import(ri, only_valid, user)
    ri.refresh_from_db()
    return ri


def test_valid_import_creates_students_guardians_and_placements(world, principal):
    rows = [
        student_row(10),
        student_row(
            11,
            male=False,
            成员2姓名="李小花",
            成员2关系="母亲",
            成员2联系电话="0951-7654321",
            成员2是否监护人="否",
            成员2工作单位="银川某厂",
        ),
    ]
    ri = import_rows(world, rows, principal)
    assert ri.status == RosterImport.Status.DONE
    assert (ri.result["students_created"], ri.result["guardians_created"]) == (2, 3)
    s = Student.objects.get(name=rows[1]["姓名"])
    assert (s.school, s.klass, s.county_id) == (world.school_a1, world.class_a1_1, world.county_a.pk)
    assert s.id_number == rows[1]["身份证件号"]
    assert [(g.position, g.relation, g.is_guardian) for g in s.guardians.all()] == [
        (1, "父亲", True),
        (2, "母亲", False),
    ]
    assert s.placements.get().ended_on is None
    event = AuditEvent.objects.filter(action="import").get()
    assert event.data["sha256"] == ri.sha256 and event.data["students_created"] == 2


def test_id_number_is_encrypted_at_rest_and_matched_by_blind_index(world, principal):
    row = student_row(10)
    import_rows(world, [row], principal)
    raw = Student.objects.filter(name=row["姓名"]).values_list("id_number", flat=True)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_index FROM roster_student WHERE name = %s", [row["姓名"]])
        stored, index = cur.fetchone()
    assert row["身份证件号"] not in stored and index and len(index) == 64
    assert list(raw) == [row["身份证件号"]]


def test_commit_refused_when_errors_exist_unless_only_valid_chosen(world, principal):
    rows = [student_row(10), student_row(11, 出生日期="bad")]
    ri = services.validate_upload(upload(xlsx_bytes(rows)), world.school_a1, principal, False)
    with pytest.raises(ValidationError, match="默认不导入"):
        services.commit_import(ri, False, principal)
    assert not Student.objects.filter(name=rows[0]["姓名"]).exists()
    ri.refresh_from_db()
    assert ri.status == RosterImport.Status.VALIDATED


def test_import_only_valid_rows_when_explicitly_chosen(world, principal):
    rows = [student_row(10), student_row(11, 出生日期="bad"), student_row(12)]
    ri = import_rows(world, rows, principal, only_valid=True)
    assert ri.only_valid and ri.result["students_created"] == 2 and ri.result["skipped_rows"] == 1
    assert not Student.objects.filter(name=rows[1]["姓名"]).exists()


def test_an_import_is_committed_once(world, principal):
    ri = import_rows(world, [student_row(10)], principal)
    with pytest.raises(ValidationError, match="已经导入"):
        services.commit_import(ri, False, principal)


def test_reimporting_the_same_file_changes_nothing(world, principal):
    rows = [student_row(n) for n in range(10, 15)]
    with time_machine.travel(dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)):
        import_rows(world, rows, principal)
    stamps = dict(Student.objects.values_list("pk", "updated_at"))
    placements = Placement.objects.count()
    updates_before = AuditEvent.objects.filter(action="update").count()
    with time_machine.travel(dt.datetime(2025, 3, 2, 9, tzinfo=dt.UTC)):
        again = import_rows(world, rows, principal)
    r = again.result
    assert (r["students_created"], r["students_updated"], r["students_unchanged"]) == (0, 0, 5)
    assert (r["guardians_created"], r["guardians_updated"], r["guardians_deleted"]) == (0, 0, 0)
    assert dict(Student.objects.values_list("pk", "updated_at")) == stamps
    assert Placement.objects.count() == placements
    assert AuditEvent.objects.filter(action="update").count() == updates_before


def test_changed_row_updates_only_that_student_and_its_guardian(world, principal):
    rows = [student_row(10), student_row(11)]
    import_rows(world, rows, principal)
    untouched = Student.objects.get(name=rows[0]["姓名"]).updated_at
    rows[1]["现住址"] = "贺兰县立岗镇"
    rows[1]["成员1联系电话"] = "13811112222"
    ri = import_rows(world, rows, principal)
    assert (
        ri.result["students_updated"],
        ri.result["students_unchanged"],
        ri.result["guardians_updated"],
    ) == (1, 1, 1)
    assert ri.result["changed_fields"] == {"address": 1}
    s = Student.objects.get(name=rows[1]["姓名"])
    assert s.address == "贺兰县立岗镇" and s.guardians.get().phone == "13811112222"
    assert Student.objects.get(name=rows[0]["姓名"]).updated_at == untouched


def test_rows_without_student_no_match_by_id_number(world, principal):
    row = student_row(10, 全国学籍号="")
    import_rows(world, [row], principal)
    row["全国学籍号"] = "G" + row["身份证件号"]  # the 学籍号 arrives later
    ri = import_rows(world, [row], principal)
    assert (ri.result["students_created"], ri.result["students_updated"]) == (0, 1)
    assert Student.objects.get(name=row["姓名"]).student_no == row["全国学籍号"]


def test_class_change_in_file_keeps_placement_history(world, principal):
    row = student_row(10)
    with time_machine.travel(dt.datetime(2024, 9, 1, 9, tzinfo=dt.UTC)):
        import_rows(world, [row], principal)
    row["班级"] = "2班"
    with time_machine.travel(dt.datetime(2025, 2, 20, 9, tzinfo=dt.UTC)):
        ri = import_rows(world, [row], principal)
    assert ri.result["students_moved"] == 1
    s = Student.objects.get(name=row["姓名"])
    assert s.klass == world.class_a1_2
    history = list(s.placements.order_by("started_on").values_list("klass_id", "started_on", "ended_on"))
    assert history == [
        (world.class_a1_1.pk, dt.date(2024, 9, 1), dt.date(2025, 2, 20)),
        (world.class_a1_2.pk, dt.date(2025, 2, 20), None),
    ]


def test_student_transferred_out_elsewhere_is_taken_over_with_history(world):
    other = world.student_other_school
    other.status = "transferred"
    other.student_no = "G" + make_id(77)
    other.save()
    user = world.user["principal"]
    row = student_row(10, 全国学籍号=other.student_no, 姓名=other.name)
    ri = import_rows(world, [row], user)
    assert ri.result["students_moved"] == 1
    other.refresh_from_db()
    assert (other.school, other.klass, other.status) == (world.school_a1, world.class_a1_1, "enrolled")
    assert list(other.guardians.values_list("school_id", flat=True).distinct()) == [world.school_a1.pk]
    assert other.placements.count() == 2 and other.placements.filter(ended_on__isnull=True).count() == 1


def test_member_2_removed_from_file_is_removed(world, principal):
    row = student_row(
        10, 成员2姓名="李小花", 成员2关系="母亲", 成员2联系电话="13900000009", 成员2是否监护人="是"
    )
    import_rows(world, [row], principal)
    row.update({"成员2姓名": "", "成员2关系": "", "成员2联系电话": "", "成员2是否监护人": ""})
    ri = import_rows(world, [row], principal)
    assert ri.result["guardians_deleted"] == 1
    assert Guardian.objects.filter(student__name=row["姓名"]).count() == 1


def test_move_student_keeps_history_and_is_audited(world):
    s = world.student_own
    user = world.user["principal"]
    with time_machine.travel(dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)):
        services.move_student(s, world.class_a1_2, user, "分班调整")
    s.refresh_from_db()
    assert s.klass == world.class_a1_2
    rows = list(s.placements.order_by("id").values_list("klass_id", "ended_on", "reason"))
    assert rows == [(world.class_a1_1.pk, dt.date(2025, 3, 3), ""), (world.class_a1_2.pk, None, "分班调整")]
    assert AuditEvent.objects.filter(
        action="update", object_type="roster.student", object_id=str(s.pk)
    ).exists()


def test_move_target_must_be_within_the_users_change_scope(world):
    from django.core.exceptions import PermissionDenied

    teacher = world.user["class_teacher"]  # changes students of 初一1班 only
    with pytest.raises(PermissionDenied):
        services.move_student(world.student_own, world.class_a1_2, teacher, "调班")
    with pytest.raises(PermissionDenied):
        services.move_student(world.student_own, world.class_a2_1, world.user["principal"], "转学")
    with pytest.raises(ValidationError):
        services.move_student(world.student_own, world.class_a1_2, world.user["principal"], "  ")


def test_import_needs_the_import_permission_for_that_school(world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.validate_upload(
            upload(xlsx_bytes([student_row(10)])), world.school_a1, world.user["class_teacher"], False
        )
    with pytest.raises(PermissionDenied):
        services.validate_upload(
            upload(xlsx_bytes([student_row(10)])), world.school_a2, world.user["principal"], False
        )


def test_failed_import_is_marked_failed_and_writes_nothing(world, principal, monkeypatch):
    rows = [student_row(10), student_row(11)]
    ri = services.validate_upload(upload(xlsx_bytes(rows)), world.school_a1, principal, False)
    real = services.audit.record

    def failing_record(action, *args, **kwargs):
        if action == "import":  # after every row is written, inside the transaction
            raise RuntimeError("disk full")
        return real(action, *args, **kwargs)

    monkeypatch.setattr(services.audit, "record", failing_record)
    ri = services.queue_commit(ri, False, principal)
    assert ri.status == RosterImport.Status.FAILED and "未写入任何数据" in ri.result["error"]
    assert not Student.objects.filter(name__in=[r["姓名"] for r in rows]).exists()
    assert not Guardian.objects.filter(phone=rows[0]["成员1联系电话"]).exists()


def test_commit_when_the_stored_file_is_gone_fails_with_a_message(world, principal):
    ri = services.validate_upload(upload(xlsx_bytes([student_row(10)])), world.school_a1, principal, False)
    services.stored_file(ri).unlink()
    ri = services.queue_commit(ri, False, principal)
    assert (
        ri.status == RosterImport.Status.FAILED and ri.result["error"] == "原上传文件已不存在，请重新上传。"
    )


def test_uploaded_roster_files_are_purged_once_no_import_needs_them(world, principal):
    """The uploaded file carries ID numbers: it lives only while an import still needs it."""
    from anxin.roster.tasks import purge_uploaded_rosters

    done = services.validate_upload(upload(xlsx_bytes([student_row(1)])), world.school_a1, principal, False)
    services.commit_import(done, False, principal)
    pending = services.validate_upload(
        upload(xlsx_bytes([student_row(2)])), world.school_a1, principal, False
    )
    assert services.stored_file(done).exists() and services.stored_file(pending).exists()
    assert purge_uploaded_rosters.call_local() == 1  # the committed one goes, the pending one stays
    assert not services.stored_file(done).exists() and services.stored_file(pending).exists()
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=25)):
        assert purge_uploaded_rosters.call_local() == 1
    assert not services.stored_file(pending).exists()
