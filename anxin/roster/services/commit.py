"""The second step of an import: queueing and checking the commit, then writing the classes and
students (all rows of a clean file, or only the valid ones when the user chose so).
"""

from __future__ import annotations

import json
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import audit, clock, crypto
from anxin.roster.importer import StudentParse
from anxin.roster.models import (
    RosterImport,
)

from .bulk import _COMPARE, _batched, _create_classes, _write_chunk
from .staff import _write_staff
from .uploads import CHUNK, _parse_staff, _parse_students, _require_import

# --- committing ---------------------------------------------------------------------------------


def queue_commit(ri: RosterImport, only_valid: bool, by) -> RosterImport:
    """Mark the import queued and hand it to the task queue (the report page shows the
    status). Refusals that need no parsing are made here, so the user sees them at once."""
    _check_committable(ri, only_valid, by)
    ri.status = RosterImport.Status.QUEUED
    ri.only_valid = only_valid
    ri.save(update_fields=["status", "only_valid"])
    from anxin.roster.tasks import run_import

    run_import(ri.pk, only_valid, by.pk)
    ri.refresh_from_db()
    return ri


def _check_committable(ri: RosterImport, only_valid: bool, by) -> None:
    _require_import(by, ri.school, ri.kind)
    if ri.status == RosterImport.Status.DONE:
        raise ValidationError(_("该文件已经导入过了。如需再次导入，请重新上传。"))
    if ri.errors and not only_valid:
        count = (ri.result or {}).get("error_count") or len(ri.errors)
        raise ValidationError(
            _("文件中有 %(n)s 处错误，默认不导入任何数据。请改正后重新上传，或明确选择“仅导入有效的行”。")
            % {"n": count}
        )
    if only_valid and ri.valid_rows == 0:
        raise ValidationError(_("没有可导入的有效行。"))


def commit_import(ri: RosterImport, only_valid: bool, by) -> dict:
    """Import a validated file: all rows, or (``only_valid``, chosen explicitly) the valid
    ones. The stored file is parsed and checked again, so what is written is what the data
    looks like now; then one transaction writes it. (Parsing stays outside the transaction:
    on SQLite a transaction holds the database's write lock. A concurrent change the parse
    did not see is caught by the unique constraints and fails the whole import.) Returns
    the counts, also stored in ``ri.result``."""
    _check_committable(ri, only_valid, by)
    if ri.kind == RosterImport.Kind.STUDENTS:
        parsed = _parse_students(ri)
        report = parsed.report
    else:
        staff = _parse_staff(ri, by)
        report = staff.report
    if report.file_errors:
        raise ValidationError(report.file_errors)
    if report.row_errors and not only_valid:
        raise ValidationError(
            _("重新校验发现 %(n)s 处错误，未导入。请重新上传后查看报告。") % {"n": report.error_count}
        )
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=ri.pk)
        if locked.status == RosterImport.Status.DONE:
            raise ValidationError(_("该文件已经导入过了。"))
        if ri.kind == RosterImport.Kind.STUDENTS:
            counts = _write_students(ri, parsed)
        else:
            counts, passwords = _write_staff(ri, staff, by)
            if passwords:
                counts["secret"] = crypto.encrypt(json.dumps(passwords, ensure_ascii=False))
        counts["skipped_rows"] = report.total_rows - report.valid_rows if only_valid else 0
        ri.status = RosterImport.Status.DONE
        ri.only_valid = only_valid
        ri.finished_at = timezone.now()
        ri.result = {**(ri.result or {}), **counts, "error_count": report.error_count}
        ri.errors = report.error_lines()
        ri.save(update_fields=["status", "only_valid", "finished_at", "result", "errors"])
        public = {k: v for k, v in counts.items() if k != "secret"}
        audit.record(
            "import", ri, data={"sha256": ri.sha256, "kind": ri.kind, "only_valid": only_valid, **public}
        )
    return ri.result


def _write_students(ri: RosterImport, parsed: StudentParse) -> dict:
    """Write the valid rows in chunks: new students (with guardians and a first placement),
    changed ones (only the changed fields), unchanged ones not at all."""
    school = ri.school
    now = timezone.now()
    today = clock.today()
    made, n_classes = _create_classes(school, parsed.classes_to_create)
    for row in parsed.rows:
        if row.class_key is not None:
            row.klass_id = made[row.class_key]
    counts: Counter = Counter()
    counts["classes_created"] = n_classes
    compare = [f for f in _COMPARE if f in parsed.present]
    changed_fields: Counter = Counter()
    for chunk in _batched(parsed.rows, CHUNK):
        _write_chunk(chunk, school, parsed, compare, now, today, counts, changed_fields)
    out = {
        k: counts[k]
        for k in (
            "students_created",
            "students_updated",
            "students_unchanged",
            "students_moved",
            "guardians_created",
            "guardians_updated",
            "guardians_deleted",
            "classes_created",
        )
    }
    out["changed_fields"] = dict(changed_fields)
    return out
