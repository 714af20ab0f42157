"""Filters of the article register: the page, the API and the export share them."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anxin.campaigns.models import Article, ArticleState, Campaign
from anxin.org.filters import schools_for_request

ALL = _("全部")


def campaigns_for_request(request):
    return Campaign.objects.restrict(getattr(request, "user", None)).order_by("-created_at")


class ArticleFilter(django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(
        queryset=campaigns_for_request, label=_("专项行动"), empty_label=ALL
    )
    state = django_filters.ChoiceFilter(choices=ArticleState.choices, label=_("状态"), empty_label=ALL)
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"), empty_label=ALL)

    class Meta:
        model = Article
        fields = ["campaign", "state", "school"]
