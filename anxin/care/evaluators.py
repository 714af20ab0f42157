"""Campaign task evaluators from care's records (core.evaluators). Phase 2 of the seed
(集中整治): 加强对弱势群体帮扶力度，常态化开展谈心谈话、家访等活动."""

from __future__ import annotations

from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.care.models import ContactLog
from anxin.core import evaluators
from anxin.screening.models import VulnerabilityEntry


@evaluators.evaluator(
    "care.vulnerable_contacted",
    gettext_lazy("弱势学生本阶段已谈心谈话或家访"),
    params={"min_share": 100},
    help=gettext_lazy("本阶段开始以来，至少 min_share（百分比）的在籍弱势学生有谈心谈话、家访等联系记录。"),
)
def vulnerable_contacted(schools, window, params):
    ids = [s.pk for s in schools]
    listed: dict[int, set[int]] = defaultdict(set)
    for sid, student in VulnerabilityEntry.objects.filter(
        school_id__in=ids, ended_on__isnull=True, student__status="enrolled"
    ).values_list("school_id", "student_id"):
        listed[sid].add(student)
    seen: dict[int, set[int]] = defaultdict(set)
    for sid, student in (
        ContactLog.objects.filter(school_id__in=ids, occurred_at__date__gte=window.start)
        .values_list("school_id", "student_id")
        .distinct()
    ):
        seen[sid].add(student)
    need = max(0, min(100, int(params.get("min_share", 100))))
    url = reverse("care:plan_list")
    out = {}
    for s in schools:
        want = listed.get(s.pk, set())
        if not want:
            out[s.pk] = evaluators.Outcome(True, _("台账中暂无弱势学生"), url, 1.0)
            continue
        got = len(want & seen.get(s.pk, set()))
        share = got / len(want)
        out[s.pk] = evaluators.Outcome(
            share * 100 >= need,
            _("%(got)d/%(n)d 名弱势学生已联系") % {"got": got, "n": len(want)},
            url,
            share,
        )
    return out
