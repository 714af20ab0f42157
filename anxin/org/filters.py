"""Filters of the organisation registers. One FilterSet serves the list page, the API and the
export (GUIDE conventions). Choice lists (schools, grades, classes) are scoped to the user."""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from anxin.core.filtering import YesNoFilter
from anxin.org.models import Duty, Grade, Responsibility, SafetyOfficer, School, SchoolClass, SchoolType

ALL = _("全部")


def _user(request):
    return getattr(request, "user", None)


def schools_for_request(request):
    return School.objects.restrict(_user(request)).only("id", "name", "town").order_by("town", "name")


def grades_for_request(request):
    return Grade.objects.restrict(_user(request)).select_related("school").order_by("school__name", "year")


def classes_for_request(request):
    return (
        SchoolClass.objects.restrict(_user(request))
        .select_related("school", "grade")
        .order_by("school__name", "grade__year", "name")
    )


class GradeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}（{obj.school.short_name or obj.school.name}）"


class ClassChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.grade.name}{obj.name}（{obj.school.short_name or obj.school.name}）"


class GradeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = GradeChoiceField


class ClassChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ClassChoiceField


class SchoolFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("搜索"), help_text=_("学校名称或学校标识码"))
    town = django_filters.ChoiceFilter(label=_("乡镇"), choices=[], empty_label=ALL)
    type = django_filters.ChoiceFilter(choices=SchoolType.choices, label=_("学校类型"), empty_label=ALL)
    boarding = YesNoFilter(label=_("寄宿制"))

    class Meta:
        model = School
        fields = ["q", "town", "type", "boarding"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        towns = (
            School.objects.restrict(_user(request)).order_by("town").values_list("town", flat=True).distinct()
            if request is not None
            else []
        )
        self.filters["town"].extra["choices"] = [(t, t) for t in towns]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value) | Q(short_name__icontains=value) | Q(code__startswith=value)
        )


class GradeFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"), empty_label=ALL)

    class Meta:
        model = Grade
        fields = ["school", "stage"]


class ClassFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"), empty_label=ALL)
    grade = GradeChoiceFilter(queryset=grades_for_request, label=_("年级"), empty_label=ALL)
    q = django_filters.CharFilter(method="search", label=_("搜索"), help_text=_("班级或年级名称"))

    class Meta:
        model = SchoolClass
        fields = ["school", "grade", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(grade__name__icontains=value))


class ResponsibilityFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"), empty_label=ALL)
    duty = django_filters.ChoiceFilter(choices=Duty.choices, label=_("职责"), empty_label=ALL)

    class Meta:
        model = Responsibility
        fields = ["school", "duty"]


class SafetyOfficerFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"), empty_label=ALL)
    klass = ClassChoiceFilter(queryset=classes_for_request, label=_("班级"), empty_label=ALL)
    current = YesNoFilter(
        field_name="ended_on",
        lookup_expr="isnull",
        label=_("在任"),
    )

    class Meta:
        model = SafetyOfficer
        fields = ["school", "klass", "current"]
