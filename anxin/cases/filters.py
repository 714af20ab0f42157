"""One filter definition for the register page, its export and the API (GUIDE conventions)."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from anxin.cases.law.definitions import BEHAVIOUR_TYPES, RESULTS
from anxin.cases.models import BullyingCase, BureauReport, CaseParty, CaseState, ReportKind, Source
from anxin.core import clock, policy
from anxin.core.filtering import YesNoFilter


def late_q() -> Q:
    """迟报 (LAW 7): a late first report, or a required one still missing past its deadline."""
    return Q(report_late=True) | Q(
        report_required=True, first_reported_at__isnull=True, report_due_at__lt=clock.now()
    )


class CaseFilter(django_filters.FilterSet):
    number = django_filters.CharFilter(label=_("案件编号"), lookup_expr="icontains")
    school = django_filters.ModelChoiceFilter(label=_("学校"), queryset=None)
    state = django_filters.ChoiceFilter(label=_("阶段"), choices=CaseState.choices)
    source = django_filters.ChoiceFilter(label=_("来源"), choices=Source.choices)
    result = django_filters.ChoiceFilter(
        label=_("认定结果"), choices=[(c, lbl) for c, lbl, _b, _s in RESULTS]
    )
    late = YesNoFilter(label=_("迟报"), method="filter_late")
    open = YesNoFilter(label=_("办理中（未结案）"), method="filter_open")
    report_required = YesNoFilter(label=_("须向教体局报告"))
    discovered_from = django_filters.DateFilter(
        field_name="discovered_at", lookup_expr="date__gte", label=_("发现日期起")
    )
    discovered_to = django_filters.DateFilter(
        field_name="discovered_at", lookup_expr="date__lte", label=_("发现日期止")
    )
    # the dashboards' figures link here (anxin.dashboards): by type, school type, grade, class
    behaviour = django_filters.ChoiceFilter(
        label=_("行为类型"), choices=[(c, lbl) for c, lbl, *_r in BEHAVIOUR_TYPES], method="filter_behaviour"
    )
    school_type = django_filters.ChoiceFilter(label=_("学校类型"), field_name="school__type", choices=[])
    grade = django_filters.NumberFilter(
        label=_("涉事学生年级"), method="filter_party_unit", widget=forms.HiddenInput
    )
    klass = django_filters.NumberFilter(
        label=_("涉事学生班级"), method="filter_party_unit", widget=forms.HiddenInput
    )

    class Meta:
        model = BullyingCase
        fields = [
            "number",
            "school",
            "state",
            "source",
            "result",
            "late",
            "open",
            "report_required",
            "discovered_from",
            "discovered_to",
            "behaviour",
            "school_type",
            "grade",
            "klass",
        ]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        from anxin.org.models import School

        user = getattr(request, "user", None)
        self.filters["school"].queryset = (
            School.objects.restrict(user).order_by("town", "name")
            if user is not None
            else School.objects.none()
        )
        from anxin.org.models import SchoolType

        self.filters["school_type"].extra["choices"] = SchoolType.choices
        schools = policy.schools_for(user, "cases.bullyingcase.register") if user is not None else set()
        if schools is not None and len(schools) <= 1:
            # a school's own staff see one school: the school filter adds nothing
            self.filters.pop("school", None)
            self.filters.pop("school_type", None)

    def filter_behaviour(self, queryset, name, value):
        return queryset.filter(behaviour_types__icontains=f'"{value}"') if value else queryset

    def filter_party_unit(self, queryset, name, value):
        """Cases involving a student of the grade / class (as the dashboards count them)."""
        if value is None:
            return queryset
        path = "student__klass__grade_id" if name == "grade" else "student__klass_id"
        return queryset.filter(Exists(CaseParty.objects.filter(case=OuterRef("pk"), **{path: value})))

    def filter_open(self, queryset, name, value):
        if value is None:
            return queryset
        closed = Q(state=CaseState.CLOSED)
        return queryset.exclude(closed) if value else queryset.filter(closed)

    def filter_late(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(late_q()) if value else queryset.exclude(late_q())


class ReportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("类别"), choices=ReportKind.choices)
    unacknowledged = YesNoFilter(label=_("未签收"), field_name="acknowledged_at", lookup_expr="isnull")
    is_late = YesNoFilter(label=_("迟报"))

    class Meta:
        model = BureauReport
        fields = ["kind", "unacknowledged", "is_late"]
