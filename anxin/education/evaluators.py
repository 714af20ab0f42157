"""Campaign tasks judged from this app's records (core.evaluators): staff trained, 主题班会 held
in every class, law education held. Each answers for many schools in a fixed number of queries."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anxin.core import evaluators
from anxin.core.evaluators import Outcome
from anxin.education.coverage import class_coverage, law_events, staff_coverage


@evaluators.evaluator(
    "education.staff_trained",
    _("教职工参加防欺凌专题培训"),
    params={"min_share": 1.0},
    help=_("min_share：本阶段内参加过教职工专题培训的在岗教职工比例下限（0~1）"),
)
def staff_trained(schools, window, params):
    min_share = float(params.get("min_share", 1.0))
    cov = staff_coverage(schools, window.start, window.end, names=False)
    url = reverse("education:coverage")
    out = {}
    for s in schools:
        c = cov[s.pk]
        out[s.pk] = Outcome(
            bool(c.total) and c.share >= min_share,
            f"{c.trained}/{c.total} 人已培训" if c.total else "无在岗教职工",
            url,
            progress=c.share,
        )
    return out


@evaluators.evaluator(
    "education.class_meetings_held",
    _("各班召开防欺凌主题班会"),
    params={"min_per_class": 1},
    help=_("min_per_class：本阶段内每个班至少召开的主题班会次数"),
)
def class_meetings_held(schools, window, params):
    need = int(params.get("min_per_class", 1))
    cov = class_coverage(schools, window.start, window.end, need)
    url = reverse("education:coverage")
    out = {}
    for s in schools:
        c = cov[s.pk]
        total = len(c.rows)
        out[s.pk] = Outcome(
            bool(total) and not c.short,
            f"{c.ok}/{total} 个班已召开{need}次以上" if total else "无在用班级",
            url,
            progress=c.ok / total if total else 0.0,
        )
    return out


@evaluators.evaluator(
    "education.law_education_held",
    _("开展法治教育（法治副校长或公检法司进校）"),
    params={"min_count": 1},
    help=_("min_count：本阶段内法治教育、法治副校长或公检法司进校活动的次数下限"),
)
def law_education_held(schools, window, params):
    need = int(params.get("min_count", 1))
    got = law_events([s.pk for s in schools], window.start, window.end)
    url = reverse("education:activity_list")
    return {
        s.pk: Outcome(got[s.pk] >= need, f"本阶段开展{got[s.pk]}次" if got[s.pk] else "本阶段尚未开展", url)
        for s in schools
    }
