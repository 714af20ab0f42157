"""Writing an import's rows in bulk: batches, the classes an import creates, the fields compared
on re-import, and the fast writes themselves.

Django's bulk_create spends ~8 µs compiling each value (2.6 million values for 50,000
students with two guardians and a placement each: ~20 s on SQLite). Rows are therefore
written with executemany, values prepared once per field the way the field itself would
(dates, encryption at rest), primary keys allocated up front so guardians and placements
can point at their student. Other database engines use bulk_create.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import islice

from django.db import connection

from anxin.org.models import Grade, School, SchoolClass, Stage
from anxin.roster import importer
from anxin.roster.importer import GRADE_NAMES
from anxin.roster.models import (
    Guardian,
    Placement,
    Student,
    StudentStatus,
)


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
