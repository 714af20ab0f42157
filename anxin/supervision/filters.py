"""One FilterSet per register: the page, the API and the .xlsx export share it."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anxin.org.filters import schools_for_request
from anxin.supervision.models import RectificationItem, Referral, ReferralReason, Visit


class VisitFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    status = django_filters.ChoiceFilter(choices=Visit.Status.choices, label=_("状态"))
    joint = django_filters.BooleanFilter(
        field_name="inspection", lookup_expr="isnull", exclude=True, label=_("联合检查")
    )

    class Meta:
        model = Visit
        fields = ["school", "status", "joint"]


class RectificationFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    status = django_filters.ChoiceFilter(choices=RectificationItem.Status.choices, label=_("状态"))

    class Meta:
        model = RectificationItem
        fields = ["school", "status"]


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices, label=_("状态"))
    reason = django_filters.ChoiceFilter(choices=ReferralReason.choices, label=_("事由"))

    class Meta:
        model = Referral
        fields = ["status", "reason"]
