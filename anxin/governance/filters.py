"""One FilterSet per register: the page, the API and the .xlsx export share it."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from anxin.governance.models import DocKind, DocumentVersion, Improvement, Lesson, SelfCheck
from anxin.org.filters import schools_for_request


class SelfCheckFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    status = django_filters.ChoiceFilter(choices=SelfCheck.Status.choices, label=_("状态"))
    period = django_filters.CharFilter(lookup_expr="icontains", label=_("自查批次"))

    class Meta:
        model = SelfCheck
        fields = ["school", "status", "period"]


class VersionFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    kind = django_filters.ChoiceFilter(choices=DocKind.choices, label=_("文件"))

    class Meta:
        model = DocumentVersion
        fields = ["school", "kind"]


class ImprovementFilter(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=schools_for_request, label=_("学校"))
    status = django_filters.ChoiceFilter(choices=Improvement.Status.choices, label=_("状态"))
    document = django_filters.ChoiceFilter(choices=DocKind.choices, label=_("文件"))

    class Meta:
        model = Improvement
        fields = ["school", "status", "document"]


class LessonFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Lesson.Status.choices, label=_("状态"))

    class Meta:
        model = Lesson
        fields = ["status"]
