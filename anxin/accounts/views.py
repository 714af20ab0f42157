"""Login, logout, password change and the TOTP second factor."""

from __future__ import annotations

import time

import segno
from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from anxin.accounts.backends import login_audit_target
from anxin.accounts.forms import ChangePasswordForm, LoginForm, OtpTokenForm
from anxin.core import audit


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if settings.ANXIN_DEMO:  # a trial server: show an evaluator where the public pages are
            School = apps.get_model("org", "School")  # org sits above accounts: via the registry

            ctx["demo_school"] = School.objects.filter(active=True).order_by("pk").first()
        return ctx


@require_POST
def logout_view(request):
    from django.contrib.auth import logout

    logout(request)
    messages.info(request, _("已安全退出。"))
    return redirect("accounts:login")


def locked_out(request, original_response=None, credentials=None, *args, **kwargs):
    """axes' lockout callable: called (request, original_response, credentials), or by older
    axes (request, credentials)."""
    if isinstance(original_response, dict) and credentials is None:
        credentials = original_response
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    name = str(name)[:150]
    audit.append(
        "login",
        object_type="accounts.user",
        result="denied",
        data={"login": name, "reason": "locked"},
        **login_audit_target(name),
    )
    form = LoginForm(request)
    return render(
        request,
        "accounts/login.html",
        {"form": form, "locked": True, "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)},
        status=429,
    )


@login_required
def password_change(request):
    form = ChangePasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect("core:home")
    return render(
        request, "accounts/password_change.html", {"form": form, "forced": request.user.must_change_password}
    )


def _safe_next(request, default="core:home"):
    nxt = request.GET.get("next") or request.POST.get("next")
    if nxt and url_has_allowed_host_and_scheme(nxt, {request.get_host()}, require_https=request.is_secure()):
        return nxt
    return default


@login_required
def otp_setup(request):
    """Enrol a TOTP device: show its QR code and secret, confirm with one code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
            return redirect("accounts:otp_verify")
        device = TOTPDevice.objects.create(user=request.user, name="Anxin", confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit.append("otp.enrol", object_type="accounts.user", object_id=request.user.pk)
            messages.success(request, _("已绑定动态验证码。"))
            return redirect("core:home")
        form.add_error("token", _("验证码不正确，请核对手机时间后重试。"))
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=5, dark="#1f1f1f", light="#ffffff")
    import base64

    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {"form": form, "qr_svg": mark_safe(svg), "secret": secret, "bare_page": True},  # noqa: S308
    )  # noqa: S308


@login_required
def otp_verify(request):
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        devices = list(TOTPDevice.objects.filter(user=request.user, confirmed=True))
        for device in devices:
            if device.verify_token(form.cleaned_data["token"]):
                otp_login(request, device)
                return redirect(_safe_next(request))
        audit.append("otp.verify", object_type="accounts.user", object_id=request.user.pk, result="failed")
        if any(_token_already_used(d, form.cleaned_data["token"]) for d in devices):
            form.add_error("token", _("该验证码已使用，请等待下一个。"))
        else:
            form.add_error("token", _("验证码不正确。"))
    # nothing but the code form: no menu before the second factor is given
    return render(request, "accounts/otp_verify.html", {"form": form, "bare_page": True})


def _token_already_used(device, token: str) -> bool:
    """A code that is right for its time step but was already spent (TOTP codes are single
    use: django-otp refuses a step at or before the last one used)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    try:
        return device.last_t >= 0 and totp.verify(int(token), device.tolerance) and totp.t() <= device.last_t
    except ValueError:
        return False
