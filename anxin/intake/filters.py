"""Filters of the triage inbox and the emergency list; one FilterSet serves the page, the API
and the export (GUIDE conventions). Nothing filters on content: the text is encrypted and a
list never shows it."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.filtering import YesNoFilter
from anxin.intake.data import Urgency
from anxin.intake.models import ACTIVE_STATUSES, Channel, EmergencyRequest, EmergencyStatus, Report, Status

STATE_CHOICES = [("active", _("待处理（待受理和处理中）")), ("all", _("全部"))] + list(Status.choices)


class ReportFilter(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        label=_("状态"), choices=STATE_CHOICES, method="filter_state", empty_label=None
    )
    urgency = django_filters.ChoiceFilter(label=_("紧急程度"), choices=Urgency.choices)
    channel = django_filters.ChoiceFilter(label=_("来源"), choices=Channel.choices)
    hinted = YesNoFilter(label=_("含紧急提示词"), method="filter_hinted")
    awaiting_reply = YesNoFilter(label=_("举报人有新补充"))
    received_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("收到日期起")
    )
    received_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("收到日期止")
    )

    class Meta:
        model = Report
        fields = ["state", "urgency", "channel", "hinted", "awaiting_reply", "received_from", "received_to"]

    def filter_state(self, queryset, name, value):
        if value == "active" or not value:
            return queryset.filter(status__in=ACTIVE_STATUSES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def filter_hinted(self, queryset, name, value):
        if value is None:
            return queryset
        empty = Q(hint_words=[])
        return queryset.exclude(empty) if value else queryset.filter(empty)


class EmergencyFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=EmergencyStatus.choices)

    class Meta:
        model = EmergencyRequest
        fields = ["status"]
