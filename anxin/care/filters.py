"""Filters of the care registers. One FilterSet serves the list page, the API and the export
(GUIDE conventions). No filter takes a name: personal data stays out of URLs."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anxin.care.cadence import Level
from anxin.care.models import CarePlan, ContactKind, ContactLog, CounsellingSession, InterventionTask
from anxin.core import clock
from anxin.core.filtering import YesNoFilter
from anxin.org.filters import ClassChoiceFilter, classes_for_request

ALL = _("全部")


class _Mine(django_filters.FilterSet):
    def mine_filter(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        if value and user is not None:
            return queryset.filter(**{name: user})
        return queryset


class CarePlanFilter(_Mine):
    klass = ClassChoiceFilter(
        field_name="student__klass", queryset=classes_for_request, label=_("班级"), empty_label=ALL
    )
    kind = django_filters.ChoiceFilter(choices=CarePlan.Kind.choices, label=_("类型"), empty_label=ALL)
    level = django_filters.ChoiceFilter(choices=Level.choices, label=_("风险等级"), empty_label=ALL)
    status = django_filters.ChoiceFilter(choices=CarePlan.Status.choices, label=_("状态"), empty_label=ALL)
    overdue = YesNoFilter(
        method="overdue_filter",
        label=_("联系逾期"),
    )
    mine = YesNoFilter(
        field_name="owner",
        method="mine_filter",
        label=_("我负责的"),
    )

    class Meta:
        model = CarePlan
        fields = ["klass", "kind", "level", "status", "overdue", "mine"]

    def overdue_filter(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.filter(status=CarePlan.Status.ACTIVE, next_due_on__lt=clock.today())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class ContactLogFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ContactKind.choices, label=_("方式"), empty_label=ALL)
    anomaly = YesNoFilter(label=_("发现异常"))
    since = django_filters.DateFilter(field_name="occurred_at", lookup_expr="date__gte", label=_("起始日期"))

    class Meta:
        model = ContactLog
        fields = ["kind", "anomaly", "since"]


class TaskFilter(_Mine):
    status = django_filters.ChoiceFilter(
        choices=InterventionTask.Status.choices, label=_("状态"), empty_label=ALL
    )
    mine = YesNoFilter(
        field_name="owner",
        method="mine_filter",
        label=_("我负责的"),
    )
    overdue = YesNoFilter(
        method="overdue_filter",
        label=_("已超期"),
    )

    class Meta:
        model = InterventionTask
        fields = ["status", "mine", "overdue"]

    def overdue_filter(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = queryset.exclude(status=InterventionTask.Status.DONE).filter(due_on__lt=clock.today())
        return overdue if value else queryset.exclude(pk__in=overdue.values("pk"))


class SessionFilter(django_filters.FilterSet):
    klass = ClassChoiceFilter(
        field_name="student__klass", queryset=classes_for_request, label=_("班级"), empty_label=ALL
    )
    form = django_filters.ChoiceFilter(
        choices=CounsellingSession.Form.choices, label=_("形式"), empty_label=ALL
    )
    since = django_filters.DateFilter(field_name="held_at", lookup_expr="date__gte", label=_("起始日期"))

    class Meta:
        model = CounsellingSession
        fields = ["klass", "form", "since"]


class _ById(django_filters.FilterSet):
    """The API also filters by record ids (never by names)."""

    student = django_filters.NumberFilter(field_name="student_id", label=_("学生编号"))


class CarePlanApiFilter(CarePlanFilter, _ById):
    class Meta(CarePlanFilter.Meta):
        fields = [*CarePlanFilter.Meta.fields, "student"]


class ContactLogApiFilter(ContactLogFilter, _ById):
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("关爱计划编号"))

    class Meta(ContactLogFilter.Meta):
        fields = [*ContactLogFilter.Meta.fields, "plan", "student"]


class TaskApiFilter(TaskFilter, _ById):
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("关爱计划编号"))

    class Meta(TaskFilter.Meta):
        fields = [*TaskFilter.Meta.fields, "plan", "student"]


class SessionApiFilter(SessionFilter, _ById):
    plan = django_filters.NumberFilter(field_name="plan_id", label=_("关爱计划编号"))

    class Meta(SessionFilter.Meta):
        fields = [*SessionFilter.Meta.fields, "plan", "student"]
