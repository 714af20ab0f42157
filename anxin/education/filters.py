"""One FilterSet per register: the page, the API and the .xlsx export share it."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anxin.education.models import Activity, Kind
from anxin.org.filters import schools_for_request


class ActivityFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    kind = django_filters.ChoiceFilter(choices=Kind.choices, label=_("类型"))
    held_after = django_filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("日期从"))
    held_before = django_filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("日期至"))
    title = django_filters.CharFilter(lookup_expr="icontains", label=_("主题"))

    class Meta:
        model = Activity
        fields = ["school", "kind", "held_after", "held_before", "title"]
