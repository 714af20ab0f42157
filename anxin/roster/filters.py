"""The one filter definition of the student register: the list page, its export and the API
(GUIDE: one filter definition). Choice lists are limited to what the user may see."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anxin.org.models import School, SchoolClass
from anxin.roster.importer import GRADE_NAMES
from anxin.roster.models import Attendance, Guardian, LeftBehind, RosterImport, Sex, Student, StudentStatus


def _schools(request):
    if request is None:
        return School.objects.none()
    return School.objects.restrict(request.user).order_by("town", "name")


def _classes(request):
    if request is None:
        return SchoolClass.objects.none()
    return (
        SchoolClass.objects.restrict(request.user, "roster.student.view")
        .select_related("grade")
        .order_by("school_id", "grade__year", "name")
    )


class StudentFilter(django_filters.FilterSet):
    """Search by name; school, grade, class, sex, 住校/走读, 留守, status. Never by 学籍号: it
    carries the ID number and a GET query would put it in URLs, logs and the export's audit
    event (the list page has a posted 按学籍号查找 form instead)."""

    q = django_filters.CharFilter(method="search", label=_("姓名"))
    school = django_filters.ModelChoiceFilter(queryset=_schools, label=_("学校"))
    grade = django_filters.ChoiceFilter(
        field_name="klass__grade__year", choices=sorted(GRADE_NAMES.items()), label=_("年级")
    )
    klass = django_filters.ModelChoiceFilter(queryset=_classes, label=_("班级"))
    sex = django_filters.ChoiceFilter(choices=Sex.choices, label=_("性别"))
    attendance = django_filters.ChoiceFilter(choices=Attendance.choices, label=_("就读方式"))
    left_behind = django_filters.ChoiceFilter(choices=LeftBehind.choices, label=_("留守儿童"))
    status = django_filters.ChoiceFilter(choices=StudentStatus.choices, label=_("学籍状态"))

    class Meta:
        model = Student
        fields = ["q", "school", "grade", "klass", "sex", "attendance", "left_behind", "status"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        return queryset.filter(name__icontains=value)


class GuardianFilter(django_filters.FilterSet):
    student = django_filters.NumberFilter(field_name="student_id", label=_("学生"))

    class Meta:
        model = Guardian
        fields = ["student"]


class RosterImportFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=RosterImport.Kind.choices, label=_("类别"))
    status = django_filters.ChoiceFilter(choices=RosterImport.Status.choices, label=_("状态"))

    class Meta:
        model = RosterImport
        fields = ["kind", "status"]
