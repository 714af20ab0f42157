"""扫码签到: the page the check-in QR code opens on a phone. A login is required; the check-in
records the logged-in user only (see anxin.education.checkin)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.utils.translation import gettext as _

from anxin.core import audit
from anxin.education import checkin as qr
from anxin.education import services
from anxin.education.models import Activity, StaffAttendance


def _page(request, a, *, state: str, message: str = "", token: str = "", status: int = 200):
    return render(
        request,
        "education/checkin.html",
        {"title": _("扫码签到"), "a": a, "state": state, "message": message, "token": token},
        status=status,
    )


@login_required
def checkin(request, token):
    try:
        activity_id = qr.read_room(token)
    except signing.SignatureExpired:
        return _page(
            request, None, state="refused", message=_("签到码已过期，请重新扫描现场的二维码。"), status=410
        )
    except signing.BadSignature:
        return _page(request, None, state="refused", message=_("签到码无效。"), status=404)
    a = Activity.objects.select_related("school").filter(pk=activity_id).first()
    if a is None:
        return _page(request, None, state="refused", message=_("签到码无效。"), status=404)
    user = request.user
    if request.method == "POST":
        try:
            got_activity, got_user = qr.read_person(request.POST.get("person", ""))
        except signing.BadSignature:
            got_activity, got_user = None, None
        if got_activity != a.pk or got_user != user.pk:
            # a confirmation opened by someone else (a forwarded page) checks in no one
            audit.record("checkin", a, result="denied", data={"reason": "other_person"})
            return _page(
                request,
                a,
                state="refused",
                message=_("此签到页面不是您本人打开的，请用自己的手机扫码签到。"),
                status=403,
            )
        try:
            _row, new = services.check_in(user, a)
        except PermissionDenied as e:
            return _page(request, a, state="refused", message=str(e), status=403)
        except ValidationError as e:
            return _page(request, a, state="refused", message="；".join(e.messages), status=409)
        return _page(request, a, state="done", message=_("签到成功。") if new else _("您已签到过。"))
    if StaffAttendance.objects.filter(activity=a, user=user).exists():
        return _page(request, a, state="done", message=_("您已签到过。"))
    if not a.is_open:
        return _page(request, a, state="refused", message=_("活动已结束，签到已关闭。"), status=409)
    return _page(request, a, state="confirm", token=qr.person_token(a, user))
