"""The user's own notifications (通知)."""

import django_filters
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.core.listing import ScopedListView
from anxin.core.models import Delivery, Notification


@login_required
def notification_list(request):
    qs = Notification.objects.filter(recipient=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "core/notifications.html",
        {"page_obj": page, "object_list": page.object_list, "title": _("通知"), "query": ""},
    )


@require_POST
@login_required
def notification_open(request, pk):
    n = get_object_or_404(Notification, pk=pk, recipient=request.user)  # own notices only
    if n.read_at is None:
        n.read_at = timezone.now()
        n.save(update_fields=["read_at"])
    target = (
        n.url
        if n.url and url_has_allowed_host_and_scheme(n.url, {request.get_host()})
        else "core:notifications"
    )
    return redirect(target)


@require_POST
@login_required
def notification_read_all(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("core:notifications")


class DeliveryFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(
        choices=Delivery.Channel.choices, label=_("渠道"), empty_label=_("全部")
    )
    status = django_filters.ChoiceFilter(
        choices=Delivery.Status.choices, label=_("状态"), empty_label=_("全部")
    )
    created_from = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__gte", label=_("起始日期")
    )
    created_to = django_filters.DateFilter(
        field_name="created_at", lookup_expr="date__lte", label=_("截止日期")
    )

    class Meta:
        model = Delivery
        fields = ["channel", "status", "created_from", "created_to"]


class DeliveryListView(ScopedListView):
    """发送记录: every e-mail, SMS and group-robot message, with its attempts and last error,
    so an administrator sees that an emergency page reached the gateway (or why not)."""

    model = Delivery
    filterset_class = DeliveryFilter
    template_name = "core/delivery_list.html"
    title = _("发送记录")
    export_name = "发送记录"
    columns = [
        (_("时间"), "created_local"),
        (_("渠道"), "get_channel_display"),
        (_("发送对象"), "target"),
        (_("标题"), "title"),
        (_("紧急"), "urgent"),
        (_("状态"), "get_status_display"),
        (_("尝试次数"), "attempts"),
        (_("最近错误"), "last_error"),
    ]

    def base_queryset(self):
        return super().base_queryset().order_by("-created_at", "-id")

    def created_local(self, obj):
        from anxin.core import clock

        return obj.created_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")

    def get_context_data(self, **kwargs):
        from anxin.core import delivery

        ctx = super().get_context_data(**kwargs)
        ctx["sms_real"] = delivery.sms_is_real()
        ctx["robots"] = delivery.robots()
        return ctx
