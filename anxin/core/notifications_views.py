"""The user's own notifications (通知)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.core.models import Notification


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
