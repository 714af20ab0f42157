"""The list for 通报约谈 (R-CMP-4; seed 二(六) 对学生欺凌问题突出年级或班级进行通报约谈): the
classes, grades and schools over the county's thresholds in one term, each with its reasons
and the cases behind them. Computed from the cases' determinations (``is_bullying`` and
``result`` of the case's standing determination, the student parties' classes) in a fixed
number of queries whatever the number of schools.

A case counts for the class (and grade) of each student named as victim or as the student who
bullied; a repeat bully is a student named as the one who bullied in N confirmed cases of the
term. The list carries no student's name (LAW 19): the bureau reads counts and case numbers."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from anxin.core import clock, policy
from anxin.oversight.models import ActionKind, Level
from anxin.oversight.services import setting_for

SEVERE_RESULTS = ("severe", "criminal")  # cases.law.definitions.SEVERE_RESULTS (LAW rule 7)
COUNTED_ROLES = ("victim", "alleged_bully")


@dataclass(frozen=True)
class Term:
    key: str  # "2026-2" autumn, "2026-1" spring
    label: str
    start: dt.date
    end: dt.date


def term_of(day: dt.date) -> Term:
    """秋季学期 Aug 1 – Jan 31, 春季学期 Feb 1 – Jul 31."""
    if day.month >= 8:
        return term_by_key(f"{day.year}-2")
    if day.month == 1:
        return term_by_key(f"{day.year - 1}-2")
    return term_by_key(f"{day.year}-1")


def term_by_key(key: str) -> Term:
    year, half = (int(x) for x in key.split("-"))
    if half == 2:
        return Term(key, _("%(y)s年秋季学期") % {"y": year}, dt.date(year, 8, 1), dt.date(year + 1, 1, 31))
    return Term(key, _("%(y)s年春季学期") % {"y": year}, dt.date(year, 2, 1), dt.date(year, 7, 31))


def parse_term(value: str | None) -> Term:
    try:
        term = term_by_key(value or "")
        if 2000 <= term.start.year <= 2100:
            return term
    except ValueError:
        pass
    return term_of(clock.today())


def recent_terms(n: int = 4) -> list[Term]:
    out, day = [], clock.today()
    for _i in range(n):
        t = term_of(day)
        out.append(t)
        day = t.start - dt.timedelta(days=1)
    return out


@dataclass
class Row:
    level: str
    school_id: int
    school: str
    target: str
    grade_id: int | None = None
    klass_id: int | None = None
    reasons: list[str] = field(default_factory=list)
    cases: set[str] = field(default_factory=set)
    action: str = ActionKind.NOTICE
    recorded: bool = False

    @property
    def level_label(self) -> str:
        return str(Level(self.level).label)

    @property
    def action_label(self) -> str:
        return str(ActionKind(self.action).label)

    @property
    def case_list(self) -> list[str]:
        return sorted(self.cases)


def compute(county_id: int, school_ids: set[int] | None, term: Term, setting=None, viewer=None) -> list[Row]:
    """The rows for the schools given (None: the whole county), over the county's thresholds
    (or ``setting``, unsaved thresholds to try). Sealed cases (未成年人犯罪记录封存) count only for
    a ``viewer`` named to see them, as everywhere else (cases.sealing)."""
    from django.apps import apps

    BullyingCase = apps.get_model("cases", "BullyingCase")
    CaseParty = apps.get_model("cases", "CaseParty")
    SchoolClass = apps.get_model("org", "SchoolClass")
    School = apps.get_model("org", "School")

    setting = setting or setting_for(county_id)
    start, end = clock_bounds(term)
    cases_qs = BullyingCase.objects.filter(
        county_id=county_id, is_bullying=True, discovered_at__gte=start, discovered_at__lt=end
    )
    if school_ids is not None:
        cases_qs = cases_qs.filter(school_id__in=list(school_ids))
    if viewer is None or not policy.can(viewer, "cases.bullyingcase.sealed_view"):
        CaseSeal = apps.get_model("cases", "CaseSeal")
        cases_qs = cases_qs.exclude(
            pk__in=CaseSeal.objects.filter(unsealed_at__isnull=True).values("case_id")
        )
    cases = {c["id"]: c for c in cases_qs.values("id", "number", "school_id", "result")}
    if not cases:
        return []
    parties = CaseParty.objects.filter(
        case_id__in=list(cases), role__in=COUNTED_ROLES, student__isnull=False
    ).values_list("case_id", "role", "student_id", "student__klass_id", "student__klass__school_id")
    by_class: dict[int, set[int]] = defaultdict(set)
    bully_cases: dict[int, set[int]] = defaultdict(set)
    bully_class: dict[int, int] = {}
    for case_id, role, student_id, klass_id, klass_school in parties:
        if klass_school != cases[case_id]["school_id"]:
            klass_id = None  # moved to another school since: the case is not that class's
        if klass_id:
            by_class[klass_id].add(case_id)
        if role == "alleged_bully":
            bully_cases[student_id].add(case_id)
            bully_class[student_id] = klass_id
    classes = {
        k.pk: k for k in SchoolClass.objects.filter(pk__in=list(by_class)).select_related("grade", "school")
    }
    schools = dict(
        School.objects.filter(pk__in={c["school_id"] for c in cases.values()}).values_list("id", "name")
    )

    rows: dict[tuple, Row] = {}

    def row(level, school_id, target, grade_id=None, klass_id=None) -> Row:
        key = (level, school_id, grade_id, klass_id)
        if key not in rows:
            rows[key] = Row(level, school_id, schools.get(school_id, ""), target, grade_id, klass_id)
        return rows[key]

    def numbers(ids) -> set[str]:
        return {cases[i]["number"] for i in ids}

    by_grade: dict[int, set[int]] = defaultdict(set)
    for klass_id, ids in by_class.items():
        k = classes.get(klass_id)
        if k is None:
            continue
        by_grade[k.grade_id] |= ids
        if len(ids) >= setting.class_cases:
            r = row(Level.CLASS, k.school_id, str(k), k.grade_id, k.pk)
            r.reasons.append(
                _("一学期内认定欺凌事件 %(n)s 起（标准 %(t)s 起）")
                % {"n": len(ids), "t": setting.class_cases}
            )
            r.cases |= numbers(ids)
        severe = {i for i in ids if cases[i]["result"] in SEVERE_RESULTS}
        if setting.severe_any and severe:
            r = row(Level.CLASS, k.school_id, str(k), k.grade_id, k.pk)
            r.reasons.append(_("发生情节恶劣的欺凌事件 %(n)s 起") % {"n": len(severe)})
            r.cases |= numbers(severe)
            r.action = ActionKind.INTERVIEW
    if setting.repeat_bully_cases:
        repeat: dict[int, list[set[int]]] = defaultdict(list)
        for student_id, ids in bully_cases.items():
            if len(ids) >= setting.repeat_bully_cases and bully_class.get(student_id) in classes:
                repeat[bully_class[student_id]].append(ids)
        for klass_id, groups in repeat.items():
            k = classes[klass_id]
            r = row(Level.CLASS, k.school_id, str(k), k.grade_id, k.pk)
            r.reasons.append(
                _("%(n)s 名学生一学期内被认定实施欺凌 %(t)s 起以上")
                % {"n": len(groups), "t": setting.repeat_bully_cases}
            )
            for ids in groups:
                r.cases |= numbers(ids)
            r.action = ActionKind.INTERVIEW
    grades = {k.grade_id: k for k in classes.values()}
    for grade_id, ids in by_grade.items():
        if len(ids) >= setting.grade_cases:
            k = grades[grade_id]
            r = row(Level.GRADE, k.school_id, k.grade.name, grade_id)
            r.reasons.append(
                _("一学期内认定欺凌事件 %(n)s 起（标准 %(t)s 起）")
                % {"n": len(ids), "t": setting.grade_cases}
            )
            r.cases |= numbers(ids)
    by_school: dict[int, set[int]] = defaultdict(set)
    for cid, c in cases.items():
        by_school[c["school_id"]].add(cid)
    for school_id, ids in by_school.items():
        if len(ids) >= setting.school_cases:
            r = row(Level.SCHOOL, school_id, _("全校"))
            r.reasons.append(
                _("一学期内认定欺凌事件 %(n)s 起（标准 %(t)s 起）")
                % {"n": len(ids), "t": setting.school_cases}
            )
            r.cases |= numbers(ids)
            r.action = ActionKind.INTERVIEW
    order = {Level.SCHOOL: 0, Level.GRADE: 1, Level.CLASS: 2}
    return sorted(rows.values(), key=lambda r: (r.school, order[r.level], r.target))


def clock_bounds(term: Term) -> tuple[dt.datetime, dt.datetime]:
    """The term as aware datetimes in Asia/Shanghai: [first day 00:00, day after the last)."""
    start = dt.datetime.combine(term.start, dt.time.min, tzinfo=clock.SHANGHAI)
    end = dt.datetime.combine(term.end + dt.timedelta(days=1), dt.time.min, tzinfo=clock.SHANGHAI)
    return start, end
