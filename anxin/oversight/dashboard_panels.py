"""This app's figures on the dashboards (the dashboards' panel registry): per school, the 监督岗
set up and those with a member of staff on every shift (the seed's 第三阶段 "处处设有监督岗").
One query for all schools. No cell links: the posts page (监督岗) lists each school's posts
with their gaps."""

from __future__ import annotations

from django.utils.translation import gettext as _

from anxin.core import policy
from anxin.oversight.posts import gap_counts

PERM = "oversight.post.view"


def posts(scope) -> list[dict]:
    if scope.level not in ("county", "school") or not policy.can(scope.user, PERM):
        return []
    schools = scope.schools(PERM)
    if not schools:
        return []
    counts = gap_counts([s.pk for s in schools])
    rows, total = [], [0, 0]
    for s in schools:
        n, staffed = counts.get(s.pk, (0, 0))
        rows.append({"label": s.name, "school": s.pk, "values": [staffed, n]})
        total = [total[0] + staffed, total[1] + n]
    return [
        {
            "key": "oversight_posts",
            "title": _("监督岗设置与值岗"),
            "columns": [_("排满值岗"), _("监督岗数")],
            "unit_label": _("学校"),
            "rows": rows,
            "total": total,
            "chart": "hbar",
            "chart_columns": 2,
        }
    ]


PANELS = [posts]
