"""Campaign task evaluators from this app's records (core.evaluators)."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.campaigns.models import Article, ArticleState
from anxin.core import evaluators


@evaluators.evaluator(
    "campaigns.articles_submitted",
    gettext_lazy("报送经验材料"),
    params={"min_count": 1},
    help=gettext_lazy("本阶段开始以来，学校已提交（或已被采用）的经验材料不少于 min_count 篇。"),
)
def articles_submitted(schools, window, params):
    need = int(params.get("min_count", 1))
    counts = dict(
        Article.objects.filter(
            school_id__in=[s.pk for s in schools],
            state__in=[ArticleState.SUBMITTED, ArticleState.ACCEPTED],
            submitted_at__date__gte=window.start,
        )
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    url = reverse("campaigns:article_list")
    return {
        s.pk: evaluators.Outcome(
            counts.get(s.pk, 0) >= need,
            _("已报送 %(n)d 篇，至少 %(need)d 篇") % {"n": counts.get(s.pk, 0), "need": need},
            url,
            min(1.0, counts.get(s.pk, 0) / need) if need else 1.0,
        )
        for s in schools
    }
