"""Roster operations (R-ORG-6): importing students, guardians and staff from .xlsx, moving a
student between classes and schools with the history kept, and the export.

Import is two steps. :func:`validate_upload` stores the file (``MEDIA_ROOT/imports/<sha256>.xlsx``)
and its row-by-row report; nothing else is written. :func:`commit_import` parses the stored file
again and writes, in one transaction, either everything (a file without errors) or, when the
user explicitly chose it, only the valid rows. Writes are bulk operations, so the per-row audit
signals are skipped on purpose; one ``import`` audit event records the counts and the file's
sha256. Re-importing the same file changes nothing: unchanged rows are not written at all.

One module per stage; every name is re-exported here (``from anxin.roster import services``
keeps working):

- ``uploads``  — who may import where, storing an upload and validating it (the report)
- ``commit``   — committing an import: queueing, the checks, writing the students
- ``bulk``     — batches, new classes, re-import comparison, fast bulk writes (executemany, ids
                 allocated up front) and one chunk of students
- ``staff``    — writing staff accounts from an import, handing out first passwords once
- ``students`` — editing a student and moving one between classes and schools (placements)
- ``export``   — the roster export and the .xlsx templates
"""

from __future__ import annotations

from anxin.core import audit

from .bulk import (
    _COMPARE,
    _GUARDIAN_FIELDS,
    _GUARDIAN_NEW,
    _PLACEMENT_NEW,
    _STUDENT_DEFAULTS,
    _STUDENT_NEW,
    _allocate_ids,
    _batched,
    _create,
    _create_classes,
    _guardian_row,
    _insert,
    _preparers,
    _update,
    _write_chunk,
)
from .commit import _check_committable, _write_students, commit_import, queue_commit
from .export import (
    _LISTS,
    _TEXT_COLUMNS,
    EXPORT_HEADER,
    STAFF_NOTES,
    STUDENT_EXAMPLE,
    STUDENT_NOTES,
    _yn,
    export_queryset,
    export_row,
    export_rows,
    template_bytes,
)
from .staff import _write_staff, take_passwords
from .students import move_student, save_student
from .uploads import (
    CHUNK,
    PERM_FOR_KIND,
    _forget_file,
    _open_stored,
    _parse_staff,
    _parse_students,
    _phone_owners,
    _require_import,
    _store,
    import_schools,
    stored_file,
    validate_upload,
    visible_imports,
)

__all__ = [
    "PERM_FOR_KIND",
    "CHUNK",
    "import_schools",
    "visible_imports",
    "_require_import",
    "_store",
    "stored_file",
    "_open_stored",
    "_parse_students",
    "_phone_owners",
    "_parse_staff",
    "validate_upload",
    "_forget_file",
    "queue_commit",
    "_check_committable",
    "commit_import",
    "_write_students",
    "_batched",
    "_create_classes",
    "_COMPARE",
    "_GUARDIAN_FIELDS",
    "_allocate_ids",
    "_preparers",
    "_insert",
    "_update",
    "_create",
    "_STUDENT_DEFAULTS",
    "_STUDENT_NEW",
    "_GUARDIAN_NEW",
    "_PLACEMENT_NEW",
    "_guardian_row",
    "_write_chunk",
    "_write_staff",
    "take_passwords",
    "save_student",
    "move_student",
    "EXPORT_HEADER",
    "_yn",
    "export_row",
    "export_queryset",
    "export_rows",
    "STUDENT_NOTES",
    "STUDENT_EXAMPLE",
    "STAFF_NOTES",
    "_LISTS",
    "_TEXT_COLUMNS",
    "template_bytes",
    "audit",
]
