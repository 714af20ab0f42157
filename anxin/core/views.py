"""Home (工作台), the audit browser, the school switcher, health and error pages."""

from __future__ import annotations

from collections.abc import Callable

import django_filters
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponseNotAllowed, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from anxin.core import audit, auditlabels, clock, policy
from anxin.core.listing import ScopedListView
from anxin.core.models import AuditEvent


@login_required
def home(request):
    """工作台: the user's duties, most urgent first (已逾期, 本周到期, 新消息, 其他), and the
    figures the role is judged by. Looking at it marks "new" items as seen."""
    from anxin.core import duties
    from anxin.core import home as homepage

    user = request.user
    if not policy.memberships(user) and policy.region_post(user) is not None:
        from anxin.core.nav import region_home

        return redirect(region_home())  # a city or province post: its overview is all it reads
    now = clock.now()
    duties.last_seen(user)  # read before it is moved on
    groups = homepage.groups_for(user, now)
    chase_url, token = reverse("core:chase"), get_token(request)
    for g in groups:
        g["html"] = homepage.rows_html(g["lines"], chase_url=chase_url, csrf_token=token)
    figures = duties.figures_for(user, now, cached=True)
    duties.mark_seen(user, now)
    return render(
        request,
        "core/home.html",
        {
            "groups": groups,
            "figures": figures,
            "has_posts": bool(policy.memberships(user)),
            # every staff member's one-tap duty: tell the school what they saw (反映情况)
            "can_concern": policy.can(user, "intake.concern.add"),
            "title": _("工作台"),
        },
    )


@require_POST
@login_required
def chase(request):
    """催办 (POST with CSRF, after the confirmation on 工作台)."""
    from django.contrib import messages

    from anxin.core import home as homepage

    refs = request.POST.getlist("ref")
    if len(refs) > 1:  # 全部催办: the schools of one line
        try:
            made, refused = homepage.chase_many(request.user, refs)
        except homepage.Refused as exc:
            made, refused = [], [str(exc)]
        if made:
            people = sum(len(c.recipients) for c in made)
            messages.success(request, _("已催办 %(n)s 项，已通知 %(p)s 人。") % {"n": len(made), "p": people})
        for why in refused:
            messages.error(request, why)
        return redirect("core:home")
    try:
        c = homepage.chase(request.user, refs[0] if refs else "")
    except homepage.Refused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已催办，已通知 %(n)s 人。") % {"n": len(c.recipients)})
    return redirect("core:home")


@require_POST
@login_required
def switch_school(request):
    """County-level users look at one school or at the whole county."""
    School = apps.get_model("org", "School")

    value = request.POST.get("school") or ""
    if value and School.objects.restrict(request.user).filter(pk=value if value.isdigit() else 0).exists():
        request.session["school_filter"] = int(value)
    else:
        request.session.pop("school_filter", None)
    nxt = request.META.get("HTTP_REFERER") or "/"
    from django.utils.http import url_has_allowed_host_and_scheme

    return redirect(nxt if url_has_allowed_host_and_scheme(nxt, {request.get_host()}) else "core:home")


def healthz(request):
    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def root(request):
    return redirect("core:home" if request.user.is_authenticated else "accounts:login")


class AuditFilter(django_filters.FilterSet):
    at_from = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label=_("起始日期"))
    at_to = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label=_("截止日期"))
    actor = django_filters.CharFilter(field_name="actor", lookup_expr="icontains", label=_("操作人"))
    action = django_filters.ChoiceFilter(
        label=_("动作"), choices=lambda: list(auditlabels.ACTION_LABELS.items())
    )
    result = django_filters.ChoiceFilter(choices=AuditEvent.Result.choices, label=_("结果"))
    object_type = django_filters.ChoiceFilter(
        label=_("对象类型"), choices=lambda: auditlabels.object_type_choices()
    )
    school_id = django_filters.NumberFilter(label=_("学校编号"))

    class Meta:
        model = AuditEvent
        fields = ["at_from", "at_to", "actor", "action", "result", "object_type", "school_id"]


class AuditListView(ScopedListView):
    """The audit trail: the auditor sees the county's, a safety leader their school's."""

    model = AuditEvent
    filterset_class = AuditFilter
    template_name = "core/audit_list.html"
    title = _("审计日志")
    export_name = "审计日志"
    columns = [
        (_("时间"), "at_local"),
        (_("操作人"), "actor"),
        (_("角色"), "role"),
        (_("范围"), "actor_scope"),
        (_("动作"), "action"),
        (_("对象类型"), "object_type"),
        (_("对象"), "object_id"),
        (_("结果"), "result"),
        (_("请求编号"), "request_id"),
        (_("审计流"), "stream"),
        (_("序号"), "seq"),
        (_("哈希"), "hash"),
    ]

    def base_queryset(self):
        return super().base_queryset().order_by("-at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        # names, Chinese role and action labels, and the object's name, a query per object type
        ctx["rows"] = auditlabels.describe(list(ctx["object_list"]))
        return ctx

    def at_local(self, obj):
        from anxin.core import clock

        return obj.at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")


def method_not_allowed(request):
    return HttpResponseNotAllowed(["POST"])


def error_403(request, exception=None):
    return render(request, "403.html", status=403)


def error_404(request, exception=None):
    return render(request, "404.html", status=404)


# Server-error pages of public areas, as (path prefix, view): added by the app serving the area in
# its AppConfig.ready() (intake: the failure page with the phones under /s/); core names no app.
PUBLIC_ERROR_PAGES: list[tuple[str, Callable]] = []


def register_error_page(prefix: str, page: Callable) -> None:
    if (prefix, page) not in PUBLIC_ERROR_PAGES:
        PUBLIC_ERROR_PAGES.append((prefix, page))


def error_500(request):
    for prefix, page in PUBLIC_ERROR_PAGES:
        if request.path.startswith(prefix):  # a public page: that area's own failure page
            return page(request)
    return render(request, "500.html", status=500)


__all__ = ["audit"]
