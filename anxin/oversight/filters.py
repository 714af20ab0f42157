"""One FilterSet per register: the page, the API and the .xlsx export share it."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anxin.core.filtering import YesNoFilter
from anxin.org.filters import schools_for_request
from anxin.oversight.models import Action, ActionKind, Observation


class ActionFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    kind = django_filters.ChoiceFilter(choices=ActionKind.choices, label=_("问责方式"))
    open = YesNoFilter(field_name="done_on", lookup_expr="isnull", label=_("整改未完成"))

    class Meta:
        model = Action
        fields = ["school", "kind", "open"]


class ObservationFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    flagged = YesNoFilter(label=_("发现苗头"))

    class Meta:
        model = Observation
        fields = ["school", "flagged"]
