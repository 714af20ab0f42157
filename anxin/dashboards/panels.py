"""The dashboard's sections, and the registry other apps add panels to.

A feature app (education, supervision, …) adds figures without importing this app (it sits
above them): it has a module ``<app>/dashboard_panels.py`` with ``PANELS = [fn, ...]``, where
``fn(scope)`` gets the dashboard's scope (``scope.user``, ``scope.county_id``, ``scope.school``,
``scope.grade``, ``scope.klass``, ``scope.date_from``, ``scope.date_to``, ``scope.school_type``,
``scope.level``) and returns a list of plain dicts, counted with a fixed number of queries::

    {"key": "training", "title": "培训完成情况", "columns": ["已完成", "应完成"],
     "unit_label": "学校",
     "rows": [{"label": "一中", "school": 1, "values": [3, 5], "urls": [None, "/training/?school=1"]}],
     "total": [30, 41], "chart": "hbar"}

A row with ``school`` drills down to that school's dashboard from the county's.

The app's own rights decide what it counts for the user; the dashboard draws it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from anxin.core.apps import app_modules
from anxin.dashboards.figures import Cell, Figure, Row, Scope
from anxin.dashboards.panels_cases import case_figures
from anxin.dashboards.panels_duties import duty_figures
from anxin.dashboards.panels_screening import screening_figures

SECTIONS = [
    ("cases", _("事件与举报"), case_figures),
    ("screening", _("排查、关爱与专项行动"), screening_figures),
    ("duties", _("逾期事项"), duty_figures),
]


def from_dict(d: dict, scope: Scope) -> Figure:
    rows = []
    for r in d.get("rows", []):
        urls = r.get("urls") or [None] * len(r["values"])
        school = r.get("school")  # a school's row drills down to its dashboard, as ours do
        drill = scope.drill_url(school=school) if school and scope.level == "county" else None
        cells = [Cell(v, url=u) for v, u in zip(r["values"], urls, strict=False)]
        rows.append(Row(str(r["label"]), cells, key=str(school or ""), drill=drill))
    total = Row(scope.total_label, [Cell(v) for v in d["total"]]) if d.get("total") is not None else None
    return Figure(
        str(d["key"]),
        str(d["title"]),
        [str(c) for c in d["columns"]],
        rows,
        total,
        chart=d.get("chart", "bar"),
        chart_columns=d.get("chart_columns", 1),
        note=str(d.get("note", "")),
        unit_label=str(d.get("unit_label", "")),
    )


def contributed(scope: Scope) -> list[Figure]:
    figs = []
    for module in app_modules("dashboard_panels"):
        for fn in getattr(module, "PANELS", []):
            figs.extend(from_dict(d, scope) for d in fn(scope) or [])
    return figs


def sections(scope: Scope) -> list[tuple[str, str, list[Figure]]]:
    # a class's or a grade's figures: small cells would be told exactly by their totals
    protect = scope.level in ("grade", "class")
    out = [
        (key, str(label), [f.protect() if protect else f for f in fn(scope)]) for key, label, fn in SECTIONS
    ]
    more = contributed(scope)
    if more:
        out.append(("more", str(_("其他工作")), more))
    return out


def all_figures(scope: Scope) -> list[Figure]:
    return [f for _k, _l, figs in sections(scope) for f in figs]
