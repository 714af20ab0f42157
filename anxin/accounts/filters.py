"""One filter per list: the page, the export and the API use the same definitions."""

from __future__ import annotations

import django_filters
from django.apps import apps
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from anxin.accounts.models import AccessGrant, Membership, User
from anxin.core import clock
from anxin.core.filtering import YesNoFilter
from anxin.core.roles import Role


def _schools(request):
    School = apps.get_model("org", "School")

    if request is None:
        return School.objects.none()
    return School.objects.restrict(request.user).order_by("town", "name")


def _active_posts_q(prefix: str = "memberships__") -> Q:
    today = clock.today()
    return Q(**{f"{prefix}started_on__lte": today}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": today})
    )


@extend_schema_field(OpenApiTypes.INT)
class SchoolChoiceFilter(django_filters.ModelChoiceFilter):
    """A school id (the OpenAPI schema says so; the filter resolves it in the user's scope)."""


# a yes/no select in the words of accounts: 全部 / 在用 / 已停用
class _ActiveSelect(django_filters.widgets.BooleanWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = (("", _("全部")), ("true", _("在用")), ("false", _("已停用")))


class UserFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("姓名/用户名/手机号"))
    school = SchoolChoiceFilter(
        queryset=_schools, method="by_school", label=_("学校"), empty_label=_("全部学校")
    )
    role = django_filters.ChoiceFilter(
        choices=Role.choices, method="by_role", label=_("岗位角色"), empty_label=_("全部岗位")
    )
    is_active = YesNoFilter(label=_("状态"), widget=_ActiveSelect())

    class Meta:
        model = User
        fields = ["q", "school", "role", "is_active"]

    def search(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(Q(real_name__icontains=value) | Q(username__icontains=value) | Q(phone=value))

    def by_school(self, qs, name, value):
        if not value:
            return qs
        ids = Membership.objects.filter(school=value).filter(_active_posts_q("")).values("user_id")
        return qs.filter(pk__in=ids)

    def by_role(self, qs, name, value):
        if not value:
            return qs
        posts = Membership.objects.all()
        if self.request is not None:  # a post elsewhere is not the viewer's to search by
            posts = Membership.objects.restrict(self.request.user, "view")
        ids = posts.filter(role=value).filter(_active_posts_q("")).values("user_id")
        return qs.filter(pk__in=ids)


class AccessGrantFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=AccessGrant.Status.choices, label=_("状态"), empty_label=_("全部")
    )
    school = django_filters.ModelChoiceFilter(queryset=_schools, label=_("学校"), empty_label=_("全部学校"))

    class Meta:
        model = AccessGrant
        fields = ["status", "school"]


class MembershipApiFilter(django_filters.FilterSet):
    """The API's posts: by person, post, school or class; ``school=null`` gives the county-level
    posts and ``klass=null`` the posts held for no class: a field that may be empty offers
    django-filter's null choice, and only such a field (no list filter offers one otherwise)."""

    class Meta:
        model = Membership
        fields = ["user", "role", "school", "klass"]

    @classmethod
    def filter_for_field(cls, field, field_name, lookup_expr=None):
        f = super().filter_for_field(field, field_name, lookup_expr)
        if field.null:
            f.extra["null_label"] = _("未填写")
        return f
