"""Filters of the screening registers. One FilterSet serves the list page, the API and the
export (GUIDE conventions). Choice lists (classes, categories) are scoped to the user."""

from __future__ import annotations

import datetime as dt

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from anxin.core import clock
from anxin.core.filtering import YesNoFilter
from anxin.org.filters import ClassChoiceFilter, classes_for_request, schools_for_request
from anxin.screening.models import (
    Camera,
    DutyLog,
    DutyShift,
    HazardKind,
    HazardPoint,
    KeyPeriod,
    Level,
    MeasureType,
    PeerSurvey,
    Rectification,
    RiskAssessment,
    RiskGrade,
    RiskState,
    ScreeningRound,
    TendencyEntry,
    VulnerabilityCategory,
    VulnerabilityEntry,
)


def _user(request):
    return getattr(request, "user", None)


def categories_for_request(request):
    return (
        VulnerabilityCategory.objects.restrict(_user(request)).filter(active=True).order_by("position", "id")
    )


class StudentSearchMixin(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search_student", label=_("学生姓名"))

    def search_student(self, queryset, name, value):
        return queryset.filter(student__name__icontains=value.strip()) if value.strip() else queryset


class RoundFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    status = django_filters.ChoiceFilter(choices=ScreeningRound.Status.choices, label=_("状态"))

    class Meta:
        model = ScreeningRound
        fields = ["school", "status"]


class SurveyFilter(django_filters.FilterSet):
    klass = ClassChoiceFilter(queryset=classes_for_request, label=_("班级"))
    status = django_filters.ChoiceFilter(choices=PeerSurvey.Status.choices, label=_("状态"))

    class Meta:
        model = PeerSurvey
        fields = ["klass", "status"]


ACTIVE_CHOICES = [("active", _("在册")), ("ended", _("已移出")), ("all", _("全部"))]


class VulnerabilityFilter(StudentSearchMixin):
    klass = ClassChoiceFilter(queryset=classes_for_request, field_name="student__klass", label=_("班级"))
    category = django_filters.ModelChoiceFilter(queryset=categories_for_request, label=_("类别"))
    state = django_filters.ChoiceFilter(
        choices=ACTIVE_CHOICES, method="filter_state", label=_("状态"), empty_label=None
    )

    class Meta:
        model = VulnerabilityEntry
        fields = ["q", "klass", "category", "state"]

    def filter_state(self, queryset, name, value):
        if value == "ended":
            return queryset.filter(ended_on__isnull=False)
        if value == "all":
            return queryset
        return queryset.filter(ended_on__isnull=True)


class TendencyFilter(StudentSearchMixin):
    klass = ClassChoiceFilter(queryset=classes_for_request, field_name="student__klass", label=_("班级"))
    status = django_filters.ChoiceFilter(choices=TendencyEntry.Status.choices, label=_("状态"))
    overdue = YesNoFilter(
        method="filter_overdue",
        label=_("复核已逾期"),
    )

    class Meta:
        model = TendencyEntry
        fields = ["q", "klass", "status", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(status=TendencyEntry.Status.ACTIVE, review_due__lt=clock.today())
        return queryset.filter(q) if value else queryset.exclude(q)


class RiskFilter(StudentSearchMixin):
    klass = ClassChoiceFilter(queryset=classes_for_request, field_name="student__klass", label=_("班级"))
    level = django_filters.MultipleChoiceFilter(choices=Level.choices, label=_("风险等级"))
    changed_this_week = YesNoFilter(
        method="filter_week",
        label=_("本周等级有变化"),
    )

    class Meta:
        model = RiskState
        fields = ["q", "klass", "level", "changed_this_week"]

    def filter_week(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(changed_at__gte=week_start())
        return queryset.filter(q) if value else queryset.exclude(q)


def week_start() -> dt.datetime:
    """Monday 00:00 of this week, Asia/Shanghai."""
    now = clock.local_now()
    monday = now.date() - dt.timedelta(days=now.weekday())
    return dt.datetime.combine(monday, dt.time.min, tzinfo=clock.SHANGHAI)


class AssessmentFilter(django_filters.FilterSet):
    klass = ClassChoiceFilter(queryset=classes_for_request, field_name="student__klass", label=_("班级"))
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("现等级"))
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))

    class Meta:
        model = RiskAssessment
        fields = ["klass", "level", "since"]


class HazardFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    kind = django_filters.ChoiceFilter(choices=HazardKind.choices, label=_("类型"))
    location = django_filters.ChoiceFilter(choices=HazardPoint.Location.choices, label=_("位置"))
    risk = django_filters.ChoiceFilter(choices=RiskGrade.choices, label=_("风险"))
    status = django_filters.ChoiceFilter(choices=HazardPoint.Status.choices, label=_("状态"))
    measure_type = django_filters.ChoiceFilter(
        choices=MeasureType.choices, method="filter_measure", label=_("含措施类型")
    )
    no_camera = YesNoFilter(
        method="filter_no_camera",
        label=_("无监控覆盖"),
    )

    class Meta:
        model = HazardPoint
        fields = ["school", "kind", "location", "risk", "status", "measure_type", "no_camera"]

    def filter_measure(self, queryset, name, value):
        return queryset.filter(measures__type=value).distinct() if value else queryset

    def filter_no_camera(self, queryset, name, value):
        """No camera covers the point (the dashboards count 待整改 points without one)."""
        if value is None:
            return queryset
        covered = Exists(Camera.covers.through.objects.filter(hazardpoint_id=OuterRef("pk")))
        return queryset.exclude(covered) if value else queryset.filter(covered)


class CameraFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    working = YesNoFilter(label=_("正常运行"))

    class Meta:
        model = Camera
        fields = ["school", "working"]


class ShiftFilter(django_filters.FilterSet):
    period = django_filters.ChoiceFilter(choices=KeyPeriod.choices, label=_("重点时段"))
    active = YesNoFilter(label=_("在用"))

    class Meta:
        model = DutyShift
        fields = ["period", "active"]


class DutyLogFilter(django_filters.FilterSet):
    is_sign = YesNoFilter(label=_("发现苗头"))
    at_from = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    at_to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))

    class Meta:
        model = DutyLog
        fields = ["is_sign", "at_from", "at_to"]


class RectificationFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    status = django_filters.ChoiceFilter(choices=Rectification.Status.choices, label=_("状态"))
    source = django_filters.ChoiceFilter(choices=Rectification.Source.choices, label=_("来源"))
    overdue = YesNoFilter(
        method="filter_overdue",
        label=_("已逾期"),
    )

    class Meta:
        model = Rectification
        fields = ["school", "status", "source", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        q = Q(due_date__lt=clock.today()) & ~Q(status=Rectification.Status.DONE)
        return queryset.filter(q) if value else queryset.exclude(q)
