"""This app's figures on the dashboards (the dashboards' panel registry, R-DASH-1 "training
progress"): per school, staff trained this school year, classes with the county's N 主题班会 this
term, and law-education activities this term. Counted for the schools where the user may see
coverage, in a fixed number of queries for all of them. No cell links: the coverage page (培训与班会覆盖)
shows each school's detail, not a register of exactly these counts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from anxin.core import policy
from anxin.education import periods
from anxin.education.coverage import class_counts, law_events, needed_by_county, staff_coverage

PERM = "education.activity.coverage"


def training(scope) -> list[dict]:
    if scope.level not in ("county", "school") or not policy.can(scope.user, PERM):
        return []
    schools = scope.schools(PERM)
    if not schools:
        return []
    today = scope.today
    y0, y1 = periods.year_span(periods.year_of(today))
    t0, t1 = periods.term_start(today), periods.term_end(today)
    staff = staff_coverage(schools, y0, y1, names=False)
    classes = class_counts(schools, t0, t1, needed_by_county({s.county_id for s in schools}))
    law = law_events([s.pk for s in schools], t0, t1)
    rows, total = [], [0, 0, 0, 0, 0]
    for s in schools:
        st, (ok, n) = staff[s.pk], classes[s.pk]
        values = [st.trained, st.total, ok, n, law[s.pk]]
        rows.append({"label": s.name, "school": s.pk, "values": values})
        total = [a + b for a, b in zip(total, values, strict=True)]
    return [
        {
            "key": "education_coverage",
            "title": _("教育培训：教职工专题培训与主题班会"),
            "columns": [
                _("已培训"),
                _("在岗教职工"),
                _("班会达标班"),
                _("班级"),
                _("法治教育"),
            ],
            "unit_label": _("学校"),
            "rows": rows,
            "total": total,
            "chart": "hbar",
            "chart_columns": 2,
            "note": _(
                "已培训：本学年（%(year)s）参加过教职工专题培训的在岗教职工；班会达标班：本学期（%(t0)s 起）"
                "召开主题班会达到本县要求次数的班级；法治教育：本学期法治教育和法治副校长、公检法司进校的次数。"
            )
            % {"year": periods.year_label(periods.year_of(today)), "t0": t0.isoformat()},
        }
    ]


PANELS = [training]
