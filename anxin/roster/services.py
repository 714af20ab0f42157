"""Roster operations (R-ORG-6): importing students, guardians and staff from .xlsx, moving a
student between classes and schools with the history kept, and the export.

Import is two steps. :func:`validate_upload` stores the file (``MEDIA_ROOT/imports/<sha256>.xlsx``)
and its row-by-row report; nothing else is written. :func:`commit_import` parses the stored file
again and writes, in one transaction, either everything (a file without errors) or, when the
user explicitly chose it, only the valid rows. Writes are bulk operations, so the per-row audit
signals are skipped on purpose; one ``import`` audit event records the counts and the file's
sha256. Re-importing the same file changes nothing: unchanged rows are not written at all.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import audit, clock, crypto, policy
from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel
from anxin.org.models import Grade, School, SchoolClass, Stage
from anxin.roster import importer
from anxin.roster.importer import GRADE_NAMES, StudentContext, StudentParse
from anxin.roster.models import (
    Guardian,
    Placement,
    RosterImport,
    StaffImport,
    Student,
    StudentStatus,
)

PERM_FOR_KIND = {
    RosterImport.Kind.STUDENTS: "roster.student.import",
    RosterImport.Kind.STAFF: "roster.staff.import",
}
CHUNK = 2000  # rows written per round of bulk operations (bounded memory, bounded SQL)


# --- permissions --------------------------------------------------------------------------------


def import_schools(user, kind: str):
    """Schools the user may import ``kind`` into (a county-level holder: every active school
    of their county)."""
    ids = policy.schools_for(user, PERM_FOR_KIND[kind])
    qs = School.objects.filter(active=True)
    if ids is None:
        return qs.filter(county_id=user.county_id) if user.county_id else qs.none()
    return qs.filter(pk__in=ids)


def visible_imports(user):
    """Imports the user may see: student imports where they hold roster.student.import,
    staff imports where they hold roster.staff.import (both through the policy)."""
    from django.db.models import Q

    parts = []
    q = policy.scope_q(user, RosterImport, "import")
    if q is not None:
        parts.append(q & Q(kind=RosterImport.Kind.STUDENTS))
    q = policy.scope_q(user, StaffImport, "import")
    if q is not None:
        parts.append(q & Q(kind=RosterImport.Kind.STAFF))
    if not parts:
        return RosterImport.objects.none()
    combined = parts[0]
    for extra in parts[1:]:
        combined |= extra
    return RosterImport.objects.filter(combined)


def _require_import(user, school, kind: str) -> None:
    if not import_schools(user, kind).filter(pk=school.pk).exists():
        raise PermissionDenied("roster import")


# --- storing and validating an upload -----------------------------------------------------------


def _store(file) -> tuple[str, str, int]:
    """Save the upload under MEDIA_ROOT/imports/<sha256>.xlsx (once per content); returns
    (sha256, path relative to MEDIA_ROOT, size). Refuses files over ANXIN_ROSTER_MAX_BYTES."""
    limit = settings.ANXIN_ROSTER_MAX_BYTES
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("文件过大（%(size).1f MB），最大允许 %(limit).0f MB。请分年级或分班拆成几个文件上传。")
            % {"size": size / 1048576, "limit": limit / 1048576}
        )
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    total = 0
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(1 << 20), b"")
            for chunk in chunks:
                total += len(chunk)
                if total > limit:
                    raise ValidationError(
                        _("文件过大，最大允许 %(limit).0f MB。") % {"limit": limit / 1048576}
                    )
                digest.update(chunk)
                out.write(chunk)
        if total == 0:
            raise ValidationError(_("文件是空的（0 字节），请选择填好的 Excel（.xlsx）文件。"))
        sha = digest.hexdigest()
        final = folder / f"{sha}.xlsx"
        os.replace(tmp, final)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return sha, f"imports/{sha}.xlsx", total


def stored_file(ri: RosterImport) -> Path:
    return Path(settings.MEDIA_ROOT) / ri.stored_path


def _open_stored(ri: RosterImport) -> tuple[Path, int]:
    path = stored_file(ri)
    if not path.is_file():
        raise ValidationError(_("原上传文件已不存在，请重新上传。"))
    return path, path.stat().st_size


def _parse_students(ri: RosterImport) -> StudentParse:
    path, size = _open_stored(ri)
    ctx = StudentContext.load(ri.school, ri.create_classes)
    with open(path, "rb") as fh:
        return importer.parse_students(fh, size, ctx)


def _phone_owners(phones: Iterable[str]) -> dict[str, tuple[str, int | None, set[str]]]:
    from anxin.accounts.models import Membership, User

    users = list(
        User.objects.filter(phone__in=[p for p in phones if p]).values_list(
            "pk", "phone", "real_name", "county_id"
        )
    )
    roles: dict[int, set[str]] = {}
    for uid, role in Membership.objects.filter(
        user_id__in=[u[0] for u in users], ended_on__isnull=True
    ).values_list("user_id", "role"):
        roles.setdefault(uid, set()).add(role)
    return {phone: (name, county, roles.get(pk, set())) for pk, phone, name, county in users}


def _parse_staff(ri: RosterImport, by) -> importer.StaffParse:
    path, size = _open_stored(ri)
    may_lead = Role.BUREAU_ADMIN in policy.user_roles(by)
    with open(path, "rb") as fh:
        return importer.parse_staff(fh, size, ri.school, ri.create_classes, may_lead, _phone_owners)


def validate_upload(
    file, school: School, user, create_classes: bool = False, kind: str = RosterImport.Kind.STUDENTS
) -> RosterImport:
    """Store an uploaded roster and its validation report (status ``validated``).

    A file that cannot be a roster at all — empty, too large, not an .xlsx by content
    (whatever its name), no recognisable header, required columns missing, no data rows —
    is refused with a ValidationError carrying the Chinese reason; nothing is kept. Otherwise
    the report (errors ``第N行：…`` and warnings) is stored for the user to decide."""
    _require_import(user, school, kind)
    sha, rel, _size = _store(file)
    ri = RosterImport(
        county_id=school.county_id,
        school=school,
        kind=kind,
        uploaded_by=user,
        filename=os.path.basename(getattr(file, "name", "") or "roster.xlsx")[:200],
        sha256=sha,
        stored_path=rel,
        create_classes=create_classes,
    )
    if kind == RosterImport.Kind.STUDENTS:
        parsed = _parse_students(ri)
        report = parsed.report
        matched = sum(1 for r in parsed.rows if r.match_pk)
        ri.result = {
            "preview": {
                "new": len(parsed.rows) - matched,
                "matched": matched,
                "classes": sorted(parsed.classes_to_create.values()),
            }
        }
    else:
        parsed_staff = _parse_staff(ri, user)
        report = parsed_staff.report
        ri.result = {
            "preview": {
                "rows": len(parsed_staff.rows),
                "classes": sorted(parsed_staff.classes_to_create.values()),
            }
        }
    if report.file_errors:
        _forget_file(sha)
        raise ValidationError(report.file_errors)
    ri.total_rows = report.total_rows
    ri.valid_rows = report.valid_rows
    ri.errors = report.error_lines()
    ri.warnings = report.warnings
    ri.result["error_count"] = report.error_count  # the stored list stops at MAX_REPORTED_ERRORS
    ri.save()
    audit.record(
        "import.validate",
        ri,
        data={"sha256": sha, "kind": kind, "rows": ri.total_rows, "valid": ri.valid_rows},
    )
    return ri


def _forget_file(sha: str) -> None:
    """Remove a refused upload unless an earlier import refers to the same content."""
    if not RosterImport.objects.filter(sha256=sha).exists():
        path = Path(settings.MEDIA_ROOT) / "imports" / f"{sha}.xlsx"
        path.unlink(missing_ok=True)


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


def _batched(items: Sequence, n: int) -> Iterator[list]:
    it = iter(items)
    while batch := list(islice(it, n)):
        yield batch


def _create_classes(school: School, wanted: dict[tuple, str]) -> tuple[dict[tuple, int], int]:
    """Create the classes (and grades) a confirmed import needs; audited like any class."""
    if not wanted:
        return {}, 0
    grades = {g.year: g for g in Grade.objects.filter(school=school)}
    out: dict[tuple, int] = {}
    created = 0
    for key in sorted(wanted, key=lambda k: (k[0], str(k[1]))):
        year, c = key
        grade = grades.get(year)
        if grade is None:
            stage = Stage.PRIMARY if year <= 6 else (Stage.JUNIOR if year <= 9 else Stage.SENIOR)
            grade = Grade.objects.create(
                county_id=school.county_id, school=school, name=GRADE_NAMES[year], stage=stage, year=year
            )
            grades[year] = grade
        name = f"{c}班" if isinstance(c, int) else str(c)
        klass, made = SchoolClass.objects.get_or_create(
            grade=grade, name=name, defaults={"county_id": school.county_id, "school": school}
        )
        created += int(made)
        out[key] = klass.pk
    return out, created


# Student fields compared on re-import (the ID number and the 学籍号 through their blind
# indexes, never decrypted)
_COMPARE = (
    "name",
    "sex",
    "birth_date",
    "ethnicity",
    "id_type",
    "enrolled_month",
    "attendance",
    "left_behind",
    "migrant",
    "orphan",
    "only_child",
    "needs_aid",
    "health",
    "disability",
    "address",
    "phone",
)
_GUARDIAN_FIELDS = ("name", "relation", "phone", "is_guardian", "lives_with", "employer")


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


# --- fast bulk writes -----------------------------------------------------------------------------
# Django's bulk_create spends ~8 µs compiling each value (2.6 million values for 50,000
# students with two guardians and a placement each: ~20 s on SQLite). Rows are therefore
# written with executemany, values prepared once per field the way the field itself would
# (dates, encryption at rest), primary keys allocated up front so guardians and placements
# can point at their student. Other database engines use bulk_create.


def _allocate_ids(model, n: int) -> list[int] | None:
    """``n`` fresh primary keys for ``model`` inside the current transaction (SQLite holds
    the write lock from BEGIN IMMEDIATE; PostgreSQL draws them from the sequence)."""
    table = model._meta.db_table
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
            )
            return [r[0] for r in cur.fetchall()]
        if connection.vendor == "sqlite":
            qn = connection.ops.quote_name
            cur.execute("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0)", [table])
            seq = cur.fetchone()[0]
            cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table)}")  # noqa: S608 (a table name, quoted)
            start = max(seq, cur.fetchone()[0]) + 1
            return list(range(start, start + n))
    return None


def _preparers(model, names: Sequence[str]) -> list:
    """Per column: None when the Python value is what the driver takes (text, ints, bools),
    else the field's own get_db_prep_save (dates and datetimes memoised: an import writes a
    few hundred distinct ones; encrypted text, where empty stays empty)."""
    from django.db.models import DateField, DateTimeField

    from anxin.core.crypto import EncryptedTextField

    out = []
    for name in names:
        f = model._meta.get_field(name)
        if isinstance(f, DateField | DateTimeField):
            memo: dict = {}

            def prep(v, f=f, memo=memo):
                if v not in memo:
                    memo[v] = f.get_db_prep_save(v, connection)
                return memo[v]

            out.append(prep)
        elif isinstance(f, EncryptedTextField):
            out.append(lambda v, f=f: f.get_db_prep_save(v, connection) if v else v)
        else:
            out.append(None)
    return out


def _insert(model, names: Sequence[str], rows: list[tuple]) -> None:
    """INSERT ``rows`` (values in the order of field ``names``) with executemany."""
    if not rows:
        return
    preps = _preparers(model, names)
    if any(preps):
        rows = [tuple(v if p is None else p(v) for v, p in zip(row, preps, strict=True)) for row in rows]
    qn = connection.ops.quote_name
    cols = ", ".join(qn(model._meta.get_field(n).column) for n in names)
    # identifiers come from the model's metadata, quoted; every value is a parameter
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({cols}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
    with connection.cursor() as cur:
        for batch in _batched(rows, 5000):
            cur.executemany(sql, batch)


def _update(model, changes: list[tuple[int, dict]]) -> None:
    """UPDATE rows by primary key, grouped by the set of changed fields, with executemany."""
    groups: dict[tuple[str, ...], list[tuple]] = {}
    for pk, values in changes:
        names = tuple(sorted(values))
        groups.setdefault(names, []).append((*(values[n] for n in names), pk))
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        for names, rows in groups.items():
            preps = _preparers(model, names)
            if any(preps):
                rows = [
                    tuple(v if p is None else p(v) for v, p in zip(row, [*preps, None], strict=True))
                    for row in rows
                ]
            sets = ", ".join(f"{qn(model._meta.get_field(n).column)} = %s" for n in names)
            sql = f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE id = %s"  # noqa: S608
            for batch in _batched(rows, 5000):
                cur.executemany(sql, batch)


def _create(model, names: Sequence[str], rows: list[tuple]) -> list[int]:
    """Create rows (without id) and return their new ids, in order."""
    if not rows:
        return []
    ids = _allocate_ids(model, len(rows))
    if ids is None:  # another engine: let Django do it
        objs = model.objects.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=500
        )
        return [o.pk for o in objs]
    _insert(model, ["id", *names], [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
    return ids


_STUDENT_DEFAULTS = {
    f.name: f.get_default()
    for f in Student._meta.concrete_fields
    if f.name
    not in ("id", "county", "school", "klass", "created_at", "updated_at", "id_index", "student_no_index")
}
_STUDENT_NEW = [
    "county_id",
    "school_id",
    "klass_id",
    "id_index",
    "student_no_index",
    "created_at",
    "updated_at",
    *_STUDENT_DEFAULTS,
]
_GUARDIAN_NEW = ["county_id", "school_id", "student_id", "position", *_GUARDIAN_FIELDS]
_PLACEMENT_NEW = ["county_id", "school_id", "klass_id", "student_id", "started_on", "reason"]


def _guardian_row(student_id: int, county_id: int, school_id: int, m: importer.Member) -> tuple:
    return (
        county_id,
        school_id,
        student_id,
        m.position,
        m.name,
        m.relation,
        m.phone,
        m.is_guardian,
        True if m.lives_with is None else m.lives_with,
        m.employer or "",
    )


def _write_chunk(chunk, school, parsed, compare, now, today, counts, changed_fields) -> None:
    """One chunk of valid rows: compare with what is stored (one query for the students,
    one for their guardians), then insert, update and delete in bulk."""
    county_id = school.county_id
    matched = {r.match_pk: r for r in chunk if r.match_pk}
    existing = {}
    if matched:
        existing = {
            d["id"]: d
            for d in Student.objects.filter(pk__in=list(matched)).values(
                "id", "school_id", "klass_id", "status", "id_index", "student_no_index", *compare
            )
        }
    new_rows = []
    updates: list[tuple[int, dict]] = []
    moved: dict[int, tuple[int, int, str]] = {}  # pk -> (school, class, reason)
    school_moved: list[int] = []
    for row in chunk:
        ex = existing.get(row.match_pk) if row.match_pk else None
        if ex is None:
            new_rows.append(row)
            continue
        change = {f: row.values[f] for f in compare if ex[f] != row.values[f]}
        if "id_number" in row.values and ex["id_index"] != row.id_index:
            change["id_number"] = row.values["id_number"]
            change["id_index"] = row.id_index
        if "student_no" in row.values and ex["student_no_index"] != row.student_no_index:
            change["student_no"] = row.values["student_no"]
            change["student_no_index"] = row.student_no_index
        if ex["school_id"] != school.pk:
            # a student the other school has transferred out (转出) arrives here (转入)
            change.update(school_id=school.pk, klass_id=row.klass_id, status=StudentStatus.ENROLLED)
            school_moved.append(ex["id"])
            moved[ex["id"]] = (school.pk, row.klass_id, "转入（名册导入）")
        elif ex["klass_id"] != row.klass_id:
            change["klass_id"] = row.klass_id
            moved[ex["id"]] = (school.pk, row.klass_id, "调班（名册导入）")
        if not change:
            counts["students_unchanged"] += 1
            continue
        changed_fields.update(list(change))  # field names only: no personal data in the audit
        change["updated_at"] = now
        updates.append((ex["id"], change))
    new_ids = _create(
        Student,
        _STUDENT_NEW,
        [
            (
                county_id,
                school.pk,
                r.klass_id,
                r.id_index,
                r.student_no_index,
                now,
                now,
                *(r.values.get(f, d) for f, d in _STUDENT_DEFAULTS.items()),
            )
            for r in new_rows
        ],
    )
    counts["students_created"] += len(new_ids)
    if updates:
        _update(Student, updates)
        counts["students_updated"] += len(updates)
    if school_moved:
        Guardian.objects.filter(student_id__in=school_moved).update(school_id=school.pk)
    # placements: a first one for new students; a move closes the open one and opens the next
    placements = [
        (county_id, school.pk, r.klass_id, pk, today, "名册导入")
        for pk, r in zip(new_ids, new_rows, strict=True)
    ]
    if moved:
        Placement.objects.filter(student_id__in=list(moved), ended_on__isnull=True).update(ended_on=today)
        placements += [(county_id, s, k, pk, today, reason) for pk, (s, k, reason) in moved.items()]
        counts["students_moved"] += len(moved)
    _create(Placement, _PLACEMENT_NEW, placements)
    # guardians (成员1/成员2): the positions the file carries belong to the import
    new_guardians = [
        _guardian_row(pk, county_id, school.pk, m)
        for pk, r in zip(new_ids, new_rows, strict=True)
        for m in r.members
    ]
    positions = parsed.member_positions
    g_updates: list[tuple[int, dict]] = []
    g_delete: list[int] = []
    if existing and positions:
        have = {
            (g["student_id"], g["position"]): g
            for g in Guardian.objects.filter(student_id__in=list(existing), position__in=positions).values(
                "id", "student_id", "position", *_GUARDIAN_FIELDS
            )
        }
        for pk in existing:
            given = {m.position: m for m in matched[pk].members}
            for pos in positions:
                g = have.get((pk, pos))
                m = given.get(pos)
                if m is None:
                    if g is not None and pos > 1:
                        g_delete.append(g["id"])
                    continue
                if g is None:
                    new_guardians.append(_guardian_row(pk, county_id, school.pk, m))
                    continue
                want = {
                    "name": m.name,
                    "relation": m.relation,
                    "phone": m.phone,
                    "is_guardian": m.is_guardian,
                }
                if m.lives_with is not None:
                    want["lives_with"] = m.lives_with
                if m.employer is not None:
                    want["employer"] = m.employer
                change = {f: v for f, v in want.items() if g[f] != v}
                if change:
                    g_updates.append((g["id"], change))
    _create(Guardian, _GUARDIAN_NEW, new_guardians)
    counts["guardians_created"] += len(new_guardians)
    if g_updates:
        _update(Guardian, g_updates)
        counts["guardians_updated"] += len(g_updates)
    if g_delete:
        Guardian.objects.filter(pk__in=g_delete).delete()
        counts["guardians_deleted"] += len(g_delete)


# --- staff --------------------------------------------------------------------------------------


def _write_staff(ri: RosterImport, parsed: importer.StaffParse, by) -> tuple[dict, list]:
    """Accounts (must change the initial password) and posts for the valid rows. Existing
    accounts (same phone, same name) only get the missing posts. Returns counts and the
    initial passwords of new accounts, shown once on the report."""
    from anxin.accounts.models import Membership, User
    from anxin.accounts.services import check_separation_of_duties, generate_password

    school = ri.school
    made, n_classes = _create_classes(school, parsed.classes_to_create)
    counts: Counter = Counter()
    counts["classes_created"] = n_classes
    users = {u.phone: u for u in User.objects.filter(phone__in={r.phone for r in parsed.rows})}
    passwords = []
    today = clock.today()
    for row in parsed.rows:
        klass_id = made[row.class_key] if row.class_key is not None else row.klass_id
        user = users.get(row.phone)
        if user is None:
            username = row.phone
            n = 1
            while User.objects.filter(username__iexact=username).exists():
                n += 1
                username = f"{row.phone}-{n}"
            user = User(
                username=username,
                real_name=row.name,
                phone=row.phone,
                county_id=school.county_id,
                must_change_password=True,
            )
            user.set_unusable_password()  # never a default password, even for an instant
            password = generate_password(user)
            user.set_password(password)
            user.save()
            users[row.phone] = user
            passwords.append({"name": row.name, "username": username, "password": password})
            counts["users_created"] += 1
        open_posts = Membership.objects.filter(
            user=user, role=row.role, school=school, klass_id=klass_id, ended_on__isnull=True
        )
        if open_posts.exists():
            counts["posts_unchanged"] += 1
            continue
        check_separation_of_duties(user, row.role)
        level = ROLE_SCOPE[row.role]
        Membership.objects.create(
            user=user,
            role=row.role,
            county_id=school.county_id,
            school=school,
            klass_id=klass_id if level == ScopeLevel.CLASS else None,
            started_on=today,
        )
        counts["posts_created"] += 1
    counts["users_existing"] = len({r.phone for r in parsed.rows}) - counts["users_created"]
    keys = ("users_created", "users_existing", "posts_created", "posts_unchanged", "classes_created")
    return {k: counts[k] for k in keys}, passwords


def take_passwords(ri: RosterImport, user) -> list[dict]:
    """The initial passwords of a staff import, for its uploader, once: they are removed
    from the record as they are read."""
    secret = (ri.result or {}).get("secret")
    if not secret or ri.uploaded_by_id != user.pk:
        return []
    with transaction.atomic():
        locked = RosterImport.objects.select_for_update().get(pk=ri.pk)
        secret = (locked.result or {}).pop("secret", None)
        if not secret:
            return []
        locked.save(update_fields=["result"])
    ri.result = locked.result
    audit.record("import.passwords_shown", ri)
    try:
        return json.loads(crypto.decrypt(secret) or "[]")
    except ValueError:
        return []


# --- editing and moving a student -----------------------------------------------------------------


@transaction.atomic
def save_student(form, guardians, by) -> Student:
    """Save the edit form and its guardians (both validated by the caller). Each write is
    audited by the models' signals with before/after values."""
    student: Student = form.instance
    if not policy.allows(by, student, "change"):
        raise PermissionDenied("roster.student.change")
    form.save()
    taken = set(student.guardians.values_list("position", flat=True))
    for g in guardians.save(commit=False):
        if g.pk is None:
            g.county_id, g.school_id, g.student = student.county_id, student.school_id, student
            g.position = next(n for n in range(1, 100) if n not in taken)
            taken.add(g.position)
        g.save()
    for g in guardians.deleted_objects:
        if g.pk is not None:
            g.delete()
    return student


# --- moving a student ---------------------------------------------------------------------------


@transaction.atomic
def move_student(student: Student, klass: SchoolClass, by, reason: str) -> Student:
    """Move a student to another class (or school): the open placement is closed today and a
    new one opened, so the history stays (R-ORG-6). The target class must be one the user may
    change students in; the student must be one they may change."""
    if not policy.allows(by, student, "change"):
        raise PermissionDenied("roster.student.change")
    if not SchoolClass.objects.restrict(by, "roster.student.change").filter(pk=klass.pk).exists():
        raise PermissionDenied("roster.student.change")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写调班原因。"))
    if not klass.active:
        raise ValidationError(_("目标班级已停用。"))
    if klass.pk == student.klass_id:
        raise ValidationError(_("学生已在该班级。"))
    if klass.county_id != student.county_id:
        raise ValidationError(_("不能调往其他县区的班级。"))
    today = clock.today()
    Placement.objects.filter(student=student, ended_on__isnull=True).update(ended_on=today)
    Placement.objects.create(
        county_id=student.county_id,
        school_id=klass.school_id,
        klass=klass,
        student=student,
        started_on=today,
        reason=reason[:100],
    )
    changed_school = klass.school_id != student.school_id
    student.klass = klass
    student.school_id = klass.school_id
    student.save(update_fields=["klass", "school", "updated_at"])  # audited (before/after)
    if changed_school:
        Guardian.objects.filter(student=student).update(school_id=klass.school_id)
    return student


# --- export -------------------------------------------------------------------------------------

EXPORT_HEADER = [
    "学校",
    "年级",
    "班级",
    "全国学籍号（脱敏）",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证件号（脱敏）",
    "就读方式",
    "是否留守儿童",
    "是否进城务工人员随迁子女",
    "是否孤儿",
    "是否独生子女",
    "是否需要申请资助",
    "现住址",
    "联系电话",
    "学籍状态",
    "成员1姓名",
    "成员1关系",
    "成员1联系电话",
    "成员1是否监护人",
    "成员1是否同住",
    "成员1工作单位",
    "成员2姓名",
    "成员2关系",
    "成员2联系电话",
    "成员2是否监护人",
    "成员2是否同住",
    "成员2工作单位",
]


def _yn(value: bool) -> str:
    return "是" if value else "否"


def export_row(s: Student) -> list:
    """One student as a row of EXPORT_HEADER; guardians from ``s.guardians`` (prefetch them).
    The ID number and the 学籍号 (which carries it) are masked and health data left out:
    exports leave the system (LAW 20)."""
    row = [
        s.school.name,
        s.klass.grade.name,
        s.klass.name,
        s.student_no_masked,  # it carries the ID number: masked like it
        s.name,
        s.get_sex_display(),
        s.birth_date.isoformat(),
        importer.ETHNICITY_LABEL.get(s.ethnicity, s.ethnicity),
        s.id_masked,
        s.get_attendance_display(),
        s.get_left_behind_display(),
        _yn(s.migrant),
        _yn(s.orphan),
        _yn(s.only_child),
        _yn(s.needs_aid),
        s.address,
        s.phone,
        s.get_status_display(),
    ]
    members = {g.position: g for g in s.guardians.all()}
    for pos in (1, 2):
        g = members.get(pos)
        row += (
            [g.name, g.relation, g.phone, _yn(g.is_guardian), _yn(g.lives_with), g.employer]
            if g
            else [""] * 6
        )
    return row


def export_queryset(queryset):
    return queryset.select_related("school", "klass__grade").prefetch_related("guardians")


def export_rows(queryset) -> Iterator[list]:
    """Rows for the .xlsx export (core.xlsx defuses formula injection), streamed in chunks
    of 2000 with their guardians prefetched: a bounded number of queries per chunk."""
    for s in export_queryset(queryset).iterator(chunk_size=2000):
        yield export_row(s)


# --- templates ----------------------------------------------------------------------------------

STUDENT_NOTES = [
    (
        "全国学籍号",
        "选填",
        "19位：G或J加18位身份证件号，或L加18位数字（临时学籍号）。有学籍号时按学籍号识别学生。",
    ),
    ("姓名", "必填", "1至50个汉字或字母，可含“·”。"),
    ("性别", "必填", "男/女，或代码1/2；须与身份证件号第17位一致（奇数为男）。"),
    ("出生日期", "必填", "YYYYMMDD或YYYY-MM-DD，如20120501；须与身份证件号中的出生日期一致，年龄3至25岁。"),
    ("民族", "选填", "56个民族名称（如汉族、回族）或代码01–56。"),
    ("身份证件类型", "选填", "居民身份证（1）、护照（4）、无（0）等；不填时按居民身份证。"),
    ("身份证件号", "必填", "居民身份证为18位，末位可为X；证件类型为“无”时不填。全县唯一，加密保存。"),
    ("年级、班级", "必填", "如“初一”“1班”，须是本校已有班级；上传时勾选“自动创建缺少的班级”可一并建立。"),
    ("就读方式", "选填", "走读/住校，或1/2。"),
    ("入学年月", "选填", "YYYYMM，如202409。"),
    ("是否留守儿童", "选填", "非留守/单亲留守/双亲留守，或0/1/2。"),
    ("是否进城务工人员随迁子女等", "选填", "是/否，或1/0。"),
    ("联系电话", "选填", "手机号为1开头的11位数字；固定电话如0951-1234567。"),
    ("成员1姓名、关系、联系电话", "必填", "家庭成员或监护人；成员2选填。"),
    ("成员1/2是否监护人", "必填", "是/否；每名学生至少一名成员为监护人。"),
    ("成员1/2是否同住、工作单位", "选填", "是否与学生同住：是/否。"),
    ("全国学籍系统导出的文件", "", "可直接上传，按列名识别，列的顺序不限；本系统不用的列会被忽略。"),
    ("重复导入", "", "同一文件再次导入不会改变任何数据；学生调班、转学会保留就读经历。"),
]
STUDENT_EXAMPLE = [
    "G11010520120501008X",
    "张小明",
    "女",
    "20120501",
    "汉族",
    "居民身份证",
    "11010520120501008X",
    "初一",
    "1班",
    "走读",
    "202409",
    "非留守",
    "否",
    "否",
    "是",
    "否",
    "贺兰县习岗镇某村3组",
    "13900000000",
    "张大山",
    "父亲",
    "13900000001",
    "是",
    "是",
    "贺兰县某公司",
    "李小花",
    "母亲",
    "13900000002",
    "是",
    "是",
    "",
]
STAFF_NOTES = [
    ("姓名", "必填", "教职工姓名。"),
    ("手机号", "必填", "1开头的11位数字；作为登录名，已有账号按手机号识别。"),
    (
        "岗位",
        "必填",
        "班主任、任课教师、德育/政教主任、心理教师、宿管/保安；校长、分管安全副校长只能由教体局系统管理员导入。",
    ),
    ("年级、班级", "班主任、任课教师必填", "如“初一”“1班”。"),
    ("初始密码", "", "新账号的初始密码在导入完成后只显示一次，本人首次登录须修改。"),
]
_LISTS = {
    "性别": "男,女",
    "身份证件类型": "居民身份证,港澳居民来往内地通行证,台湾居民来往大陆通行证,护照,港澳台居民居住证,"
    "外国人永久居留身份证,出生证明,其他,无",
    "就读方式": "走读,住校",
    "是否留守儿童": "非留守,单亲留守,双亲留守",
}
_TEXT_COLUMNS = {
    "全国学籍号",
    "出生日期",
    "身份证件号",
    "入学年月",
    "联系电话",
    "手机号",
    "成员1联系电话",
    "成员2联系电话",
}


def template_bytes(kind: str) -> bytes:
    """The downloadable .xlsx template: a data sheet with the headers (code-like columns
    formatted as text so Excel keeps leading zeros and 18-digit numbers, option columns with
    drop-down lists) and a 说明 sheet with the rules and an example row."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    students = kind == RosterImport.Kind.STUDENTS
    headers = importer.STUDENT_TEMPLATE_HEADERS if students else importer.STAFF_TEMPLATE_HEADERS
    wb = Workbook()
    ws = wb.active
    ws.title = "学生名册" if students else "教职工"
    ws.append(headers)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F5FBF")
    rows = 2000
    for i, h in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill, cell.alignment = bold, fill, Alignment(horizontal="center")
        letter = get_column_letter(i)
        ws.column_dimensions[letter].width = max(10, len(h) * 2 + 4)
        if h in _TEXT_COLUMNS:
            for r in range(2, rows + 2):
                ws.cell(row=r, column=i).number_format = "@"
        options = _LISTS.get(h)
        if options is None and (h.startswith("是否") or h.endswith("是否监护人") or h.endswith("是否同住")):
            options = "是,否"
        if h == "岗位":
            options = ",".join(str(Role(r).label) for r in importer.STAFF_ROLES)
        if options:
            dv = DataValidation(type="list", formula1=f'"{options}"', allow_blank=True)
            dv.add(f"{letter}2:{letter}{rows + 1}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("说明")
    notes.append(["列名", "是否必填", "填写说明"])
    for line in STUDENT_NOTES if students else STAFF_NOTES:
        notes.append(list(line))
    notes.append([])
    if students:
        notes.append(["示例（请勿复制到名册表中）"])
        notes.append(headers)
        example = notes.max_row + 1
        notes.append(STUDENT_EXAMPLE)
        for i in range(1, len(headers) + 1):
            notes.cell(row=example, column=i).number_format = "@"
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 20
    notes.column_dimensions["C"].width = 90
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
