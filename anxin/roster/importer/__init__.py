"""Parsing and validating roster files (R-ORG-6; FORMATS.md "Student roster").

Nothing here writes to the database: :func:`parse_students` and :func:`parse_staff` read an
.xlsx (see :mod:`anxin.roster.xlsxread`), match columns by header in any order (the national
学籍系统 export or our simpler template), check every row and return the cleaned rows with a
Chinese report, one line per problem: ``第12行：出生日期格式错误（应为YYYYMMDD或YYYY-MM-DD）``.
:mod:`anxin.roster.services` stores the report and, on commit, parses the stored file again
and writes the valid rows.

One module per stage; every name is re-exported here (``from anxin.roster.importer import
GRADE_NAMES`` keeps working):

- ``columns``  — option columns (labels or codes in, codes out), the columns and their headers,
                 our templates' headers
- ``grades``   — grade and class names, ``ClassIndex`` (the school's classes by year and number)
- ``checks``   — the ``Report`` of one file, and the cell checks shared with the edit form
- ``rows``     — the parsed row types, the context of a student import, finding the header row
                 and opening the file
- ``students`` — ``parse_students`` and the validation of one student row
- ``staff``    — ``parse_staff``: staff rows, roles by label
"""

from __future__ import annotations

from anxin.roster.xlsxread import WorkbookError

from .checks import (
    _DATE_RE,
    _ID18,
    _MONTH,
    MAX_AGE,
    MAX_REPORTED_ERRORS,
    MIN_AGE,
    Report,
    _first_hit,
    check_age,
    check_name,
    check_resident_id,
    check_student_no,
    clean_phone,
    nfkc,
    parse_date,
)
from .columns import (
    _HEADER_DROP,
    ATTENDANCE,
    BOOL,
    DISABILITY,
    ETHNIC_NAMES,
    ETHNICITY,
    ETHNICITY_LABEL,
    HEADER_LABEL,
    HEALTH,
    ID_TYPE,
    LEFT_BEHIND,
    NO_DISABILITY,
    NOT_INCLUSIVE,
    NOTES_SHEETS,
    SEX,
    STAFF_COLUMNS,
    STAFF_HEADERS,
    STAFF_REQUIRED,
    STAFF_TEMPLATE_HEADERS,
    STUDENT_COLUMNS,
    STUDENT_HEADERS,
    STUDENT_REQUIRED,
    STUDENT_TEMPLATE_HEADERS,
    Column,
    _choices,
    _header_map,
    _member_columns,
    normalize_header,
)
from .grades import _CN_DIGITS, GRADE_CODES, GRADE_NAMES, GRADE_YEARS, ClassIndex, class_number, grade_year
from .rows import Member, StudentContext, StudentParse, StudentRow, _find_header, _open
from .staff import ROLE_BY_LABEL, STAFF_ROLES, StaffParse, StaffRow, parse_staff
from .students import _STUDENT_FIELD_OF, _check_student, _file_keys, _option, parse_students

__all__ = [
    "WorkbookError",
    "ETHNIC_NAMES",
    "ETHNICITY",
    "ETHNICITY_LABEL",
    "_choices",
    "SEX",
    "ID_TYPE",
    "ATTENDANCE",
    "LEFT_BEHIND",
    "BOOL",
    "HEALTH",
    "DISABILITY",
    "NO_DISABILITY",
    "NOT_INCLUSIVE",
    "Column",
    "_member_columns",
    "STUDENT_COLUMNS",
    "STUDENT_REQUIRED",
    "STAFF_COLUMNS",
    "STAFF_REQUIRED",
    "STUDENT_TEMPLATE_HEADERS",
    "STAFF_TEMPLATE_HEADERS",
    "NOTES_SHEETS",
    "_HEADER_DROP",
    "normalize_header",
    "_header_map",
    "STUDENT_HEADERS",
    "STAFF_HEADERS",
    "HEADER_LABEL",
    "GRADE_YEARS",
    "GRADE_CODES",
    "GRADE_NAMES",
    "_CN_DIGITS",
    "grade_year",
    "class_number",
    "ClassIndex",
    "MAX_REPORTED_ERRORS",
    "MIN_AGE",
    "MAX_AGE",
    "Report",
    "_ID18",
    "_MONTH",
    "_DATE_RE",
    "nfkc",
    "parse_date",
    "_first_hit",
    "check_student_no",
    "check_resident_id",
    "check_age",
    "check_name",
    "clean_phone",
    "Member",
    "StudentRow",
    "StudentContext",
    "StudentParse",
    "_find_header",
    "_open",
    "parse_students",
    "_file_keys",
    "_STUDENT_FIELD_OF",
    "_option",
    "_check_student",
    "ROLE_BY_LABEL",
    "STAFF_ROLES",
    "StaffRow",
    "StaffParse",
    "parse_staff",
    "__all__",
]
