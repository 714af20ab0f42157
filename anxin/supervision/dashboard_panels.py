"""This app's figures on the dashboards (the dashboards' panel registry, R-DASH-1 "supervision
progress"): per school, the visits done in the dashboard's date range (this term when none is
set) and the rectification items open, overdue and verified. Counted over what the user may read
(``restrict``: a supervisor, their assigned schools) in two queries; cells link to the lists."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from anxin.care.services.mechanisms import term_start
from anxin.core import policy
from anxin.supervision.filters import PENDING
from anxin.supervision.models import RectificationItem, Visit

RS = RectificationItem.Status


def supervision(scope) -> list[dict]:
    if scope.level not in ("county", "school") or not policy.can(scope.user, "supervision.visit.view"):
        return []
    schools = scope.schools("supervision.visit.view")
    if not schools:
        return []
    ids = [s.pk for s in schools]
    start = scope.date_from or term_start(scope.today)
    end = scope.date_to or scope.today
    visits = dict(
        Visit.objects.restrict(scope.user, "view")
        .filter(school_id__in=ids, status=Visit.Status.DONE, visited_on__gte=start, visited_on__lte=end)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    items = {
        r["school_id"]: r
        for r in RectificationItem.objects.restrict(scope.user, "view")
        .filter(school_id__in=ids)
        .values("school_id")
        .annotate(
            open=Count("id", filter=Q(status__in=PENDING)),
            late=Count("id", filter=Q(status__in=(RS.OPEN, RS.RETURNED), due_date__lt=scope.today)),
            verified=Count("id", filter=Q(status=RS.VERIFIED)),
        )
    }
    can_items = policy.can(scope.user, "supervision.rectificationitem.view")
    visit_url, item_url = reverse("supervision:visit_list"), reverse("supervision:rectification_list")

    def link(base, school, value, **q):
        return f"{base}?{urlencode({'school': school.pk, **q})}" if value else None

    rows, total = [], [0, 0, 0, 0]
    for s in schools:
        r = items.get(s.pk, {})
        values = [visits.get(s.pk, 0), r.get("open", 0), r.get("late", 0), r.get("verified", 0)]
        urls = [link(visit_url, s, values[0], status=Visit.Status.DONE, visited_from=start, visited_to=end)]
        urls += (
            [
                link(item_url, s, values[1], pending="true"),
                link(item_url, s, values[2], overdue="true"),
                link(item_url, s, values[3], status=RS.VERIFIED),
            ]
            if can_items
            else [None, None, None]
        )
        rows.append({"label": s.name, "school": s.pk, "values": values, "urls": urls})
        total = [a + b for a, b in zip(total, values, strict=True)]
    return [
        {
            "key": "supervision",
            "title": _("督导检查与整改"),
            "columns": [_("督导次数"), _("整改未办结"), _("整改逾期"), _("整改已核验")],
            "unit_label": _("学校"),
            "rows": rows,
            "total": total,
            "chart": "hbar",
            "chart_columns": 1,
            "note": _("督导次数按 %(a)s 至 %(b)s 计（含联合检查）；整改事项按当前状态计。")
            % {"a": start.isoformat(), "b": end.isoformat()},
        }
    ]


PANELS = [supervision]
