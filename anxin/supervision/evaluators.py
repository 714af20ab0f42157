"""Campaign tasks judged from this app's records (core.evaluators): the school was visited by
its supervisor (or in a joint inspection) within the phase, and has no overdue rectification
item. Each answers for many schools in one query."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anxin.core import clock, evaluators
from anxin.core.evaluators import Outcome
from anxin.supervision.models import RectificationItem, Visit

RS = RectificationItem.Status


@evaluators.evaluator(
    "supervision.visited",
    _("接受责任督学督导或联合检查"),
    params={"min_count": 1},
    help=_("min_count：本阶段内完成的督导（含联合检查）次数下限"),
)
def visited(schools, window, params):
    need = int(params.get("min_count", 1))
    got = dict(
        Visit.objects.filter(
            school__in=list(schools),
            status=Visit.Status.DONE,
            visited_on__gte=window.start,
            visited_on__lte=window.end,
        )
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    url = reverse("supervision:visit_list")
    out = {}
    for s in schools:
        n = got.get(s.pk, 0)
        detail = f"本阶段已督导{n}次" if n else "本阶段尚未督导"
        out[s.pk] = Outcome(n >= need, detail, url, progress=min(1.0, n / need) if need else 1.0)
    return out


@evaluators.evaluator("supervision.no_overdue_rectifications", _("督导整改事项按期完成，无逾期"))
def no_overdue_rectifications(schools, window, params):
    """No rectification item due by the phase's end (or today, if earlier) still open or sent
    back; an item reported done and awaiting verification does not count against the school."""
    day = min(window.end, clock.today())
    rows = (
        RectificationItem.objects.filter(school__in=list(schools))
        .values("school_id")
        .annotate(
            total=Count("id"),
            late=Count("id", filter=Q(status__in=(RS.OPEN, RS.RETURNED), due_date__lt=day)),
        )
    )
    got = {r["school_id"]: (r["late"], r["total"]) for r in rows}
    url = reverse("supervision:rectification_list")
    out = {}
    for s in schools:
        late, total = got.get(s.pk, (0, 0))
        if late:
            detail = f"{late}项整改逾期"
        elif total:
            detail = f"{total}项整改均按期"
        else:
            detail = "无督导整改事项"
        out[s.pk] = Outcome(late == 0, detail, url)
    return out
