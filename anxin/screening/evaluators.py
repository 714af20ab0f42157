"""Campaign task evaluators from screening's records (core.evaluators): each answers for many
schools in a fixed number of queries. "Since the phase began" counts work done from the
phase's first day on (work finished after the deadline still counts as done; the board marks
the lateness)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.core import evaluators
from anxin.screening.models import (
    HazardMeasure,
    HazardPoint,
    ScreeningRecord,
    ScreeningRound,
    TendencyEntry,
    VulnerabilityEntry,
)
from anxin.screening.services._common import _enrolled


def _ids(schools) -> list[int]:
    return [s.pk for s in schools]


@evaluators.evaluator(
    "screening.round_complete",
    gettext_lazy("本阶段排查轮次完成（所有班级全覆盖）"),
    help=gettext_lazy("本阶段内开展的排查轮次都已确认完成：每个班的在籍学生都已排查或写明未能排查原因。"),
)
def round_complete(schools, window, params):
    ids = _ids(schools)
    rounds = list(
        ScreeningRound.objects.filter(
            school_id__in=ids, opened_on__lte=window.end, deadline__gte=window.start
        )
        .only("id", "school_id", "status")
        .order_by("id")
    )
    by_school: dict[int, list] = defaultdict(list)
    for r in rounds:
        by_school[r.school_id].append(r)
    open_ids = [r.pk for r in rounds if r.status == ScreeningRound.Status.OPEN]
    # classes of the schools with an open round: enrolled per class, covered per round and class
    enrolled: dict[int, dict[int, int]] = defaultdict(dict)
    covered: dict[int, dict[int, int]] = defaultdict(dict)
    if open_ids:
        for sid, kid, n in (
            _enrolled()
            .filter(school_id__in={r.school_id for r in rounds if r.pk in set(open_ids)})
            .values("school_id", "klass_id")
            .annotate(n=Count("id"))
            .values_list("school_id", "klass_id", "n")
        ):
            enrolled[sid][kid] = n
        for rid, kid, n in (
            ScreeningRecord.objects.filter(round_id__in=open_ids, student__status="enrolled")
            .values("round_id", "student__klass_id")
            .annotate(n=Count("id"))
            .values_list("round_id", "student__klass_id", "n")
        ):
            covered[rid][kid] = n
    out = {}
    for s in schools:
        mine = by_school.get(s.pk, [])
        url = reverse("screening:round_list")
        if not mine:
            out[s.pk] = evaluators.Outcome(False, _("本阶段尚未开展排查"), url, 0.0)
            continue
        open_rounds = [r for r in mine if r.status == ScreeningRound.Status.OPEN]
        if not open_rounds:
            out[s.pk] = evaluators.Outcome(True, _("%(n)d 轮排查已完成") % {"n": len(mine)}, url, 1.0)
            continue
        classes = enrolled.get(s.pk, {})
        r = open_rounds[0]
        full = sum(1 for kid, n in classes.items() if covered[r.pk].get(kid, 0) >= n)
        total = len(classes)
        out[s.pk] = evaluators.Outcome(
            False,
            _("%(done)d/%(total)d 个班已排查完") % {"done": full, "total": total},
            reverse("screening:round_detail", args=[r.pk]),
            full / total if total else 0.0,
        )
    return out


@evaluators.evaluator(
    "screening.vulnerable_reviewed",
    gettext_lazy("弱势学生台账本阶段已逐一摸排"),
    help=gettext_lazy("台账中每名在籍弱势学生，本阶段开始以来都有排查记录（已排查，非缺项）。"),
)
def vulnerable_reviewed(schools, window, params):
    ids = _ids(schools)
    listed: dict[int, set[int]] = defaultdict(set)
    for sid, student in VulnerabilityEntry.objects.filter(
        school_id__in=ids, ended_on__isnull=True, student__status="enrolled"
    ).values_list("school_id", "student_id"):
        listed[sid].add(student)
    seen: dict[int, set[int]] = defaultdict(set)
    for sid, student in (
        ScreeningRecord.objects.filter(
            school_id__in=ids, created_at__date__gte=window.start, missing_reason=""
        )
        .values_list("school_id", "student_id")
        .distinct()
    ):
        seen[sid].add(student)
    return _share(schools, listed, seen, reverse("screening:vulnerable_list"), _("名弱势学生已摸排"))


def _share(schools, listed, seen, url, words):
    out = {}
    for s in schools:
        want = listed.get(s.pk, set())
        got = want & seen.get(s.pk, set())
        if not want:
            out[s.pk] = evaluators.Outcome(True, _("台账中暂无学生"), url, 1.0)
            continue
        out[s.pk] = evaluators.Outcome(
            len(got) == len(want), f"{len(got)}/{len(want)} {words}", url, len(got) / len(want)
        )
    return out


@evaluators.evaluator(
    "screening.tendency_reviewed",
    gettext_lazy("欺凌倾向学生本阶段已复核"),
    help=gettext_lazy("台账中每名重点盯防学生，本阶段开始以来已复核（或本阶段新列入）。"),
)
def tendency_reviewed(schools, window, params):
    ids = _ids(schools)
    listed: dict[int, set[int]] = defaultdict(set)
    seen: dict[int, set[int]] = defaultdict(set)
    for pk, sid, added_on, reviewed_on in TendencyEntry.objects.filter(
        school_id__in=ids, status=TendencyEntry.Status.ACTIVE, student__status="enrolled"
    ).values_list("pk", "school_id", "added_on", "last_reviewed_on"):
        listed[sid].add(pk)
        if added_on >= window.start or (reviewed_on is not None and reviewed_on >= window.start):
            seen[sid].add(pk)
    return _share(schools, listed, seen, reverse("screening:tendency_list"), _("名重点盯防学生已复核"))


@evaluators.evaluator(
    "screening.hazards_covered",
    gettext_lazy("易发生欺凌地点已排查并落实防范措施"),
    params={"min_points": 1},
    help=gettext_lazy(
        "至少排查登记 min_points 个隐患点，且每个未消除的隐患点都已登记防范措施（人防、物防或技防）。"
    ),
)
def hazards_covered(schools, window, params):
    ids = _ids(schools)
    need = int(params.get("min_points", 1))
    points: dict[int, int] = defaultdict(int)
    bare: dict[int, int] = defaultdict(int)
    covered_ids = HazardMeasure.objects.filter(school_id__in=ids).values("hazard_id")
    for sid, n, uncovered in (
        HazardPoint.objects.filter(school_id__in=ids)
        .values("school_id")
        .annotate(
            n=Count("id"),
            uncovered=Count("id", filter=~Q(status=HazardPoint.Status.ELIMINATED) & ~Q(id__in=covered_ids)),
        )
        .values_list("school_id", "n", "uncovered")
    ):
        points[sid], bare[sid] = n, uncovered
    url = reverse("screening:hazard_list")
    out = {}
    for s in schools:
        n, b = points.get(s.pk, 0), bare.get(s.pk, 0)
        if n < need:
            out[s.pk] = evaluators.Outcome(
                False, _("已登记 %(n)d 个隐患点，至少需 %(need)d 个") % {"n": n, "need": need}, url, 0.0
            )
        else:
            out[s.pk] = evaluators.Outcome(
                b == 0,
                _("%(n)d 个隐患点，%(b)d 个尚无防范措施") % {"n": n, "b": b}
                if b
                else _("%(n)d 个隐患点均有防范措施") % {"n": n},
                url,
                (n - b) / n,
            )
    return out
