"""One FilterSet per register: the page, the API and the .xlsx export share it."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core import clock
from anxin.core.filtering import YesNoFilter
from anxin.org.filters import schools_for_request
from anxin.supervision.models import RectificationItem, Referral, ReferralReason, Visit

RS = RectificationItem.Status
PENDING = (RS.OPEN, RS.RETURNED, RS.SUBMITTED)  # not yet verified


class VisitFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    status = django_filters.ChoiceFilter(choices=Visit.Status.choices, label=_("状态"))
    joint = YesNoFilter(field_name="inspection", lookup_expr="isnull", exclude=True, label=_("联合检查"))
    visited_from = django_filters.DateFilter(
        field_name="visited_on", lookup_expr="gte", label=_("督导日期从")
    )
    visited_to = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("至"))

    class Meta:
        model = Visit
        fields = ["school", "status", "joint", "visited_from", "visited_to"]


class RectificationFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    status = django_filters.ChoiceFilter(choices=RectificationItem.Status.choices, label=_("状态"))
    pending = YesNoFilter(method="filter_pending", label=_("未完成（待整改、退回、待核验）"))
    overdue = YesNoFilter(method="filter_overdue", label=_("已逾期"))

    class Meta:
        model = RectificationItem
        fields = ["school", "status", "pending", "overdue"]

    def filter_pending(self, qs, name, value):
        if value is None:
            return qs
        q = Q(status__in=PENDING)
        return qs.filter(q) if value else qs.exclude(q)

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        q = Q(status__in=(RS.OPEN, RS.RETURNED), due_date__lt=clock.today())
        return qs.filter(q) if value else qs.exclude(q)


class ReferralFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Referral.Status.choices, label=_("状态"))
    reason = django_filters.ChoiceFilter(choices=ReferralReason.choices, label=_("事由"))

    class Meta:
        model = Referral
        fields = ["status", "reason"]
