"""Who may import where, and the first step of an import: storing the uploaded file and its
row-by-row report (nothing else is written).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from anxin.core import audit, policy
from anxin.core.roles import Role
from anxin.org.models import School
from anxin.roster import importer
from anxin.roster.importer import StudentContext, StudentParse
from anxin.roster.models import (
    RosterImport,
    StaffImport,
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
