"""The county summary of a joint inspection (.xlsx, core.xlsx): one row per school with its
score by aspect of the checklist, its total and its rectification items, under a two-row merged
header, and a 合计 row (scores averaged over the schools scored, items added up)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.encoding import escape_uri_path

from anxin.core import clock
from anxin.core.xlsx import XLSX, grouped_workbook_bytes
from anxin.supervision.models import Inspection, RectificationItem, Score

RS = RectificationItem.Status


def _num(value):
    return float(value) if isinstance(value, Decimal) else value


def table(insp: Inspection):
    """(groups, rows, total): the header groups, one row per school, the 合计 row."""
    visits = list(
        insp.visits.select_related("school")
        .annotate(
            n_rect=Count("rectifications"),
            n_ok=Count("rectifications", filter=Q(rectifications__status=RS.VERIFIED)),
            n_late=Count(
                "rectifications",
                filter=Q(
                    rectifications__status__in=(RS.OPEN, RS.RETURNED),
                    rectifications__due_date__lt=clock.today(),
                ),
            ),
        )
        .order_by("school__town", "school__name")
    )
    cats: list[str] = []
    by_visit: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    full: dict[str, int] = {}
    for s in (
        Score.objects.filter(visit__inspection=insp)
        .order_by("position", "id")
        .only("visit_id", "category", "score", "weight", "position")
    ):
        if s.category not in cats:
            cats.append(s.category)
        full.setdefault(s.category, 0)
        if s.score is not None:
            by_visit[s.visit_id][s.category] += s.score
    for s in Score.objects.filter(visit=visits[0]).only("category", "weight") if visits else []:
        full[s.category] = full.get(s.category, 0) + s.weight
    groups = [
        ("序号", ["序号"]),
        ("学校", ["学校"]),
        ("检查日期", ["检查日期"]),
        ("各方面得分", [f"{c}（{full.get(c, 0)}分）" for c in cats] or ["—"]),
        ("总分", ["总分"]),
        ("整改事项", ["提出", "已核验", "逾期未改"]),
    ]
    rows = []
    for n, v in enumerate(visits, start=1):
        done = v.status == "done"
        scores = [_num(by_visit[v.pk].get(c, Decimal("0"))) if done else None for c in cats] or [None]
        rows.append(
            [
                n,
                v.school.name,
                v.visited_on,
                *scores,
                _num(v.total) if done else None,
                v.n_rect,
                v.n_ok,
                v.n_late,
            ]
        )
    scored = [v for v in visits if v.status == "done"]
    avg = []
    for c in cats:
        vals = [by_visit[v.pk].get(c, Decimal("0")) for v in scored]
        avg.append(round(float(sum(vals) / len(vals)), 1) if vals else None)
    totals = [v.total for v in scored if v.total is not None]
    total = [
        "合计",
        f"{len(visits)}所",
        f"已检查{len(scored)}所",
        *(avg or [None]),
        round(float(sum(totals) / len(totals)), 1) if totals else None,
        sum(v.n_rect for v in visits),
        sum(v.n_ok for v in visits),
        sum(v.n_late for v in visits),
    ]
    return groups, rows, total


def summary_bytes(insp: Inspection) -> bytes:
    groups, rows, total = table(insp)
    caption = f"{insp.title}汇总表（合计行得分为已检查学校的平均分）"
    return grouped_workbook_bytes("汇总表", groups, rows, total=total, caption=caption)


def summary_response(insp: Inspection) -> HttpResponse:
    response = HttpResponse(summary_bytes(insp), content_type=XLSX)
    name = f"{insp.title}-汇总表-{clock.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response
