"""The shape of a dashboard figure and the scope it is counted in.

A figure is a small table (rows × columns of counts) with a chart type; the page draws the
chart and its table twin from the same object, the .xlsx and the .docx read it too. Counts come
from the database (GROUP BY / conditional aggregates), a fixed number of queries per figure
whatever the number of schools (GUIDE principle 7).

Who sees what: a figure counted over a register the user may read is counted over exactly the
rows that register lists them (``Model.objects.restrict(user, action)`` and the same filters),
and each cell links to the register with those filters. Otherwise the figure is a de-identified
count over the user's dashboard scope, without links, and where a count could point at a child
(vulnerable students, risk levels, …) cells of 1–2 are suppressed ("<3")."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import clock, policy

SMALL = 3  # cells below this (and above 0) are suppressed where a count could identify a child


@dataclass
class Cell:
    value: int | float | None
    url: str | None = None
    suppressed: bool = False
    text: str | None = None  # a formatted value (a median, a percentage)
    alert: bool = False  # bad news, marked on the page (a place with reports and no camera)

    @property
    def display(self) -> str:
        if self.suppressed:
            return self.text or f"<{SMALL}"
        if self.text is not None:
            return self.text
        return "" if self.value is None else str(self.value)

    @property
    def chart_value(self):
        return None if self.suppressed else self.value


@dataclass
class Row:
    label: str
    cells: list[Cell]
    key: str = ""
    drill: str | None = None  # the next dashboard down (school, grade, class)


@dataclass
class Figure:
    key: str
    title: str
    columns: list[str]
    rows: list[Row]
    total: Row | None = None
    chart: str | None = "bar"  # bar | hbar | pie | line | heat | None
    chart_columns: int = 1  # how many leading columns the chart draws as series
    note: str = ""
    counts_only: bool = False
    unit_label: str = ""  # the first column's header (学校 / 年级 / 班级); 项目 when empty
    colors: list[str] | None = None  # fixed colours (risk levels: always their own colour)

    @property
    def head(self) -> str:
        return self.unit_label or _("项目")

    @property
    def data_id(self) -> str:
        return f"fig-data-{self.key}"

    def cell(self, label: str, column: int = 0) -> Cell | None:
        for r in self.rows:
            if r.label == label or r.key == label:
                return r.cells[column]
        return None

    def protect(self) -> Figure:
        """Secondary suppression: a total over a column that hides a small cell ("<3") would tell
        the hidden cell exactly (total minus the cells shown), so such a total is hidden too
        ("—"). Applied where the rows are one class's or grade's own (panels.sections)."""
        if self.total is None:
            return self
        for i, total in enumerate(self.total.cells):
            hidden = any(i < len(r.cells) and r.cells[i].suppressed for r in self.rows)
            if hidden and not total.suppressed:
                self.total.cells[i] = Cell(None, suppressed=True, text="—")
        return self

    @property
    def table_html(self):
        """The table twin's markup (dashboards.tables: one pass, not a template per cell)."""
        from anxin.dashboards.tables import table_html

        return table_html(self)

    def chart_data(self) -> dict:
        data: dict = {"type": self.chart, "title": self.title, "labels": [r.label for r in self.rows]}
        if self.colors:
            data["colors"] = self.colors
        if self.chart == "heat":
            data["columns"] = self.columns
            data["cells"] = [[c.chart_value or 0 for c in r.cells] for r in self.rows]
            return data
        data["series"] = [
            {"name": name, "data": [r.cells[i].chart_value for r in self.rows]}
            for i, name in enumerate(self.columns[: self.chart_columns])
        ]
        return data


# --- the scope of a dashboard -----------------------------------------------------------------


@dataclass
class Scope:
    user: object
    county_id: int
    school: object = None
    grade: object = None
    klass: object = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    school_type: str = ""
    dash_schools: set[int] | None = None  # schools the user's dashboard covers; None: the county
    today: dt.date = field(default_factory=clock.today)
    # what one page reads once (paths, the cases' counts); a narrowed scope starts its own
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    def path(self, url_name: str) -> str:
        """reverse(url_name), once per page: a county page links hundreds of cells to a few
        registers."""
        key = ("path", url_name)
        if key not in self._memo:
            self._memo[key] = reverse(url_name)
        return self._memo[key]

    @property
    def level(self) -> str:
        if self.klass is not None:
            return "class"
        if self.grade is not None:
            return "grade"
        if self.school is not None:
            return "school"
        return "county"

    def schools(self, perm: str | None = None) -> list:
        """The active schools this dashboard covers (one at school level and below), by town and
        name; with ``perm``, only those where the user also holds it. For the panels of other
        apps too (they get the scope, and import nothing of this app)."""
        School = apps.get_model("org", "School")
        qs = School.objects.filter(county_id=self.county_id, active=True)
        if self.school is not None:
            qs = qs.filter(pk=self.school.pk)
        elif self.dash_schools is not None:
            qs = qs.filter(pk__in=self.dash_schools)
        if self.school_type and self.school is None:
            qs = qs.filter(type=self.school_type)
        if perm is not None:
            allowed = policy.schools_for(self.user, perm)
            if allowed is not None:
                qs = qs.filter(pk__in=allowed)
        return list(qs.order_by("town", "name"))

    @property
    def total_label(self) -> str:
        return _("全县合计") if self.level == "county" and self.dash_schools is None else _("合计")

    def query(self, **extra) -> dict:
        """The dashboard's own query string (drill links keep the date range and type)."""
        q = {}
        if self.date_from:
            q["from"] = self.date_from.isoformat()
        if self.date_to:
            q["to"] = self.date_to.isoformat()
        if self.school_type:
            q["type"] = self.school_type
        q.update({k: v for k, v in extra.items() if v not in (None, "")})
        return q

    def drill_url(self, **target) -> str:
        """The dashboard one level down (a school's, a grade's, a class's), once per unit and
        page: each figure's rows link to the same units."""
        kind = "klass" if "klass" in target else "grade" if "grade" in target else "school"
        key = ("drill", kind, target[kind], tuple(sorted(self.query().items())))
        if key not in self._memo:
            self._memo[key] = (
                reverse(f"dashboards:{kind}", args=[target[kind]]) + "?" + urlencode(self.query())
            )
        return self._memo[key]


# --- registers a figure can link to -------------------------------------------------------------


@dataclass(frozen=True)
class Register:
    """A list page a figure links to: its URL, the right and scope action its rows are read
    with, and the query parameters its FilterSet understands."""

    url_name: str
    model: str  # "app.Model"
    perm: str
    action: str
    params: frozenset[str]
    dates: tuple[str, str] | None = None  # the FilterSet's date-range parameters
    date_field: str | None = None  # the model field the date range applies to

    @property
    def model_class(self):
        return apps.get_model(self.model)


@dataclass
class Source:
    """The rows a figure counts, and whether (and how) it links to its register."""

    register: Register
    qs: object
    linkable: bool
    scope: Scope
    dated: bool = True

    def url(self, **params) -> str | None:
        if not self.linkable:
            return None
        reg, sc = self.register, self.scope
        q: dict = {}
        if sc.school is not None and sc.level in ("school", "grade", "class"):
            if "school" in reg.params:
                q["school"] = sc.school.pk
            elif policy.schools_for(sc.user, reg.perm) != {sc.school.pk}:
                return None
        if sc.klass is not None:
            if "klass" not in reg.params:
                return None
            q["klass"] = sc.klass.pk
        elif sc.grade is not None:
            if "grade" not in reg.params:
                return None
            q["grade"] = sc.grade.pk
        if sc.school_type and sc.level == "county":
            if "school_type" not in reg.params:
                return None
            q["school_type"] = sc.school_type
        if self.dated and reg.dates and (sc.date_from or sc.date_to):
            if sc.date_from:
                q[reg.dates[0]] = sc.date_from.isoformat()
            if sc.date_to:
                q[reg.dates[1]] = sc.date_to.isoformat()
        for k, v in params.items():
            if k not in reg.params and not (reg.dates and k in reg.dates):
                return None
            if v is None:
                continue
            q[k] = v
        if q.get("school") and "school" not in reg.params:
            return None
        return sc.path(reg.url_name) + ("?" + urlencode(q) if q else "")

    def cell(self, value, identifying: bool = False, **params) -> Cell:
        value = value or 0
        if not self.linkable and identifying and 0 < value < SMALL:
            return Cell(None, suppressed=True)
        return Cell(value, url=self.url(**params) if value else None)


def source(scope: Scope, register: Register, *, dated: bool = True, school_path: str = "school") -> Source:
    """The rows of ``register``'s model in ``scope``: the register's own rows for one who may
    read it, else the de-identified rows of the dashboard's scope."""
    model = register.model_class
    user = scope.user
    linkable = policy.can(user, register.perm)
    if linkable:
        qs = model.objects.restrict(user, register.action)
    else:
        qs = model.objects.filter(county_id=scope.county_id)
        if scope.dash_schools is not None:
            qs = qs.filter(**{f"{school_path}_id__in": scope.dash_schools})
    if scope.school is not None:
        qs = qs.filter(**{f"{school_path}_id": scope.school.pk})
    elif scope.school_type:
        qs = qs.filter(**{f"{school_path}__type": scope.school_type})
    if dated and register.date_field:
        if scope.date_from:
            qs = qs.filter(**{f"{register.date_field}__date__gte": scope.date_from})
        if scope.date_to:
            qs = qs.filter(**{f"{register.date_field}__date__lte": scope.date_to})
    return Source(register, qs, linkable, scope, dated)


def units(scope: Scope) -> tuple[str, list]:
    """The next level down: (kind, [(pk, label)]) — schools of the county, grades of a school,
    classes of a grade. One query per page (kept on the scope)."""
    if "_units" not in scope.__dict__:
        scope.__dict__["_units"] = _units(scope)
    return scope.__dict__["_units"]


def _units(scope: Scope) -> tuple[str, list]:
    School = apps.get_model("org", "School")
    Grade = apps.get_model("org", "Grade")
    SchoolClass = apps.get_model("org", "SchoolClass")
    if scope.level == "county":
        qs = School.objects.filter(county_id=scope.county_id, active=True)
        if scope.dash_schools is not None:
            qs = qs.filter(pk__in=scope.dash_schools)
        if scope.school_type:
            qs = qs.filter(type=scope.school_type)
        return "school", list(qs.order_by("town", "name").values_list("pk", "name"))
    if scope.level == "school":
        qs = Grade.objects.filter(school=scope.school).order_by("year", "name")
        return "grade", list(qs.values_list("pk", "name"))
    if scope.level == "grade":
        qs = SchoolClass.objects.filter(grade=scope.grade, active=True).order_by("name")
        return "klass", [(pk, f"{scope.grade.name}{name}") for pk, name in qs.values_list("pk", "name")]
    return "", []


def unit_path(scope: Scope, student_path: str) -> str | None:
    """The ORM path from a row to its unit at the next level down (through the student)."""
    kind = {"county": None, "school": "grade", "grade": "klass"}.get(scope.level)
    if kind is None:
        return None
    return f"{student_path}__klass__grade_id" if kind == "grade" else f"{student_path}__klass_id"


def student_scope(qs, scope: Scope, student_path: str):
    """Rows of a student-held register narrowed to the grade / class being looked at."""
    if scope.klass is not None:
        return qs.filter(**{f"{student_path}__klass_id": scope.klass.pk})
    if scope.grade is not None:
        return qs.filter(**{f"{student_path}__klass__grade_id": scope.grade.pk})
    return qs


def by_unit_figure(
    scope: Scope,
    src: Source,
    key: str,
    title: str,
    columns: list[tuple[str, dict, dict]],
    counts: dict,
    totals: dict,
    *,
    identifying: bool = False,
    chart: str = "hbar",
    chart_columns: int = 1,
) -> Figure:
    """A table by school / grade / class with a 合计 row. ``columns``: (header, filter for the
    count, register params); ``counts``: {unit_pk: {column_index: n}}; ``totals``: {index: n}."""
    kind, unit_list = units(scope)
    rows = []
    for pk, label in unit_list:
        got = counts.get(pk, {})
        cells = []
        for i, (_h, _f, params) in enumerate(columns):
            extra = dict(params)
            if kind == "school":
                extra["school"] = pk
            elif kind in ("grade", "klass"):
                extra[kind] = pk
            cells.append(_unit_cell(src, got.get(i, 0), identifying, kind, extra))
        rows.append(Row(label, cells, key=str(pk), drill=scope.drill_url(**{kind: pk})))
    total = Row(
        scope.total_label,
        [src.cell(totals.get(i, 0), identifying, **params) for i, (_h, _f, params) in enumerate(columns)],
    )
    return Figure(
        key,
        title,
        [h for h, _f, _p in columns],
        rows,
        total,
        chart=chart if kind else None,  # a class has no level below: the 合计 row alone
        chart_columns=chart_columns,
        counts_only=not src.linkable,
        unit_label={"school": _("学校"), "grade": _("年级"), "klass": _("班级")}.get(kind, ""),
    )


def _unit_cell(src: Source, value, identifying: bool, kind: str, params: dict) -> Cell:
    """A unit's cell: a school's row links with ?school=, a grade's or class's through a
    narrowed scope (the register's own grade / class filters)."""
    value = value or 0
    if not src.linkable and identifying and 0 < value < SMALL:
        return Cell(None, suppressed=True)
    if not value or not src.linkable:
        return Cell(value)
    if kind in ("grade", "klass"):
        if kind not in src.register.params:
            return Cell(value)
        sub = Scope(**{k: v for k, v in src.scope.__dict__.items() if not k.startswith("_")})
        pk = params.pop(kind)
        if kind == "grade":
            sub.grade = apps.get_model("org", "Grade")(pk=pk, school_id=src.scope.school.pk)
        else:
            sub.klass = apps.get_model("org", "SchoolClass")(pk=pk)
        return Cell(value, url=Source(src.register, None, True, sub, src.dated).url(**params))
    return Cell(value, url=src.url(**params))


def pct(part: int, whole: int) -> str:
    return "—" if not whole else f"{100 * part / whole:.1f}%"
