"""Campaign tasks judged from this app's records (core.evaluators): self-check submitted, rules
documents current, work plan uploaded, leading group formed, lessons studied. Each answers for
many schools in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anxin.core import clock, evaluators
from anxin.core.evaluators import Outcome
from anxin.governance.documents_state import rules_states
from anxin.governance.leading import groups
from anxin.governance.models import DocKind, DocumentVersion, LessonAssignment, SelfCheck


def _day(value):
    return clock.local_date(value)


@evaluators.evaluator("governance.selfcheck_submitted", _("提交学校自查（七个方面）"))
def selfcheck_submitted(schools, window, params):
    """A self-check submitted within the phase (its first day to its deadline)."""
    rows = (
        SelfCheck.objects.filter(school__in=list(schools), status=SelfCheck.Status.SUBMITTED)
        .filter(submitted_at__isnull=False)
        .values_list("school_id", "submitted_at", "gaps")
    )
    best: dict[int, tuple] = {}
    for sid, at, gaps in rows:
        if window.start <= _day(at) <= window.end and (sid not in best or at > best[sid][0]):
            best[sid] = (at, gaps)
    url = reverse("governance:selfcheck_list")
    out = {}
    for s in schools:
        if s.pk in best:
            at, gaps = best[s.pk]
            out[s.pk] = Outcome(True, f"{_day(at):%m-%d}已提交，问题{gaps}项", url)
        else:
            out[s.pk] = Outcome(False, "本阶段未提交自查", url)
    return out


@evaluators.evaluator("governance.rules_current", _("本校欺凌防治工作制度、校规校纪齐全且在修订周期内"))
def rules_current(schools, window, params):
    states = rules_states(schools, today=min(window.end, clock.today()))
    url = reverse("governance:documents")
    return {s.pk: Outcome(states[s.pk].rules_current, states[s.pk].reason, url) for s in schools}


@evaluators.evaluator(
    "governance.workplan_uploaded",
    _("上传本校防治学生欺凌工作方案"),
    params={"in_window": False},
    help=_("in_window 为真时，须在本阶段内上传（修订）"),
)
def workplan_uploaded(schools, window, params):
    qs = DocumentVersion.objects.filter(school__in=list(schools), kind=DocKind.WORKPLAN)
    if params.get("in_window"):
        qs = qs.filter(created_at__date__gte=window.start)
    latest = dict(
        qs.filter(created_at__date__lte=window.end)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    url = reverse("governance:workplan")
    return {
        s.pk: Outcome(
            bool(latest.get(s.pk)),
            f"已上传{latest[s.pk]}个版本" if latest.get(s.pk) else "未上传工作方案",
            url,
        )
        for s in schools
    }


@evaluators.evaluator("governance.leading_group_formed", _("成立防治学生欺凌工作领导小组"))
def leading_group_formed(schools, window, params):
    got = groups(schools)
    url = reverse("governance:leading_group")
    out = {}
    for s in schools:
        g = got[s.pk]
        detail = "组长、副组长、办公室均已明确" if g.formed else "缺：" + "、".join(g.missing)
        out[s.pk] = Outcome(g.formed, detail, url)
    return out


@evaluators.evaluator(
    "governance.lessons_studied",
    _("教职工学习案例警示"),
    params={"min_share": 0.8},
    help=_("min_share：布置给教职工的案例中已学习的比例下限（0~1）"),
)
def lessons_studied(schools, window, params):
    """Of the lessons assigned to the school's staff (published by the deadline), the share
    marked studied by the deadline."""
    min_share = float(params.get("min_share", 0.8))
    end = window.end
    rows = (
        LessonAssignment.objects.filter(school__in=list(schools), lesson__published_at__date__lte=end)
        .values("school_id")
        .annotate(
            total=Count("id"),
            done=Count("id", filter=Q(studied_at__isnull=False, studied_at__date__lte=end)),
        )
    )
    got = {r["school_id"]: (r["done"], r["total"]) for r in rows}
    url = reverse("governance:lesson_list")
    out = {}
    for s in schools:
        done, total = got.get(s.pk, (0, 0))
        share = done / total if total else 0.0
        out[s.pk] = Outcome(
            bool(total) and share >= min_share,
            f"{done}/{total} 人次已学习" if total else "尚未布置案例学习",
            url,
            progress=share,
        )
    return out
