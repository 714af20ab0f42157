"""Campaign tasks judged from this app's records (core.evaluators). For the seed's 第三阶段
task "设立监督岗，营造人人都是监督员的氛围"."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from anxin.core import evaluators
from anxin.core.evaluators import Outcome
from anxin.oversight.posts import gap_counts


@evaluators.evaluator(
    "oversight.posts_staffed",
    _("设立监督岗并安排值岗（每个班次有教职工）"),
    params={"min_posts": 3},
    help=_("min_posts：至少设立并排满值岗的监督岗数"),
)
def posts_staffed(schools, window, params):
    """At least ``min_posts`` active posts, each with shifts and a member of staff on every one.
    One query for all schools."""
    need = max(1, int(params.get("min_posts", 3) or 1))
    counts = gap_counts([s.pk for s in schools])
    url = reverse("oversight:post_list")
    out = {}
    for s in schools:
        total, staffed = counts.get(s.pk, (0, 0))
        out[s.pk] = Outcome(
            staffed >= need,
            f"{staffed}/{total} 个监督岗排满值岗（须 {need} 个）",
            url,
            progress=min(1.0, staffed / need),
        )
    return out
