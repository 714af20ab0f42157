"""Public pages, no login (R-RPT-1, R-RPT-2; seed 二(六) 畅通学生诉求通道, 紧急求救): the report
form, emergency help and "check my report". Phone first, in Chinese, without JavaScript.

Nothing here reads or stores the client's IP address or user agent. Responses are marked
``no-store`` (a follow-up code or a thread must not linger in a shared phone's cache) and
``noindex``. Every POST is rate-limited per device and per school (``limits``).
"""

from __future__ import annotations

import logging
import time
from functools import wraps

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    ValidationError,
)
from django.db import DatabaseError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from anxin.intake import codes, conf, limits, services
from anxin.intake.forms import EmergencyForm, FollowUpForm, FollowUpMessageForm, PublicReportForm
from anxin.intake.models import EmergencyStatus, Status

log = logging.getLogger(__name__)

# What a reporter is told about their report's state: plain words, no internal detail.
PUBLIC_STATUS = {
    Status.NEW: gettext_lazy("已收到，等待学校受理"),
    Status.OPEN: gettext_lazy("学校已受理，正在处理"),
    Status.CASE: gettext_lazy("学校已立案处理"),
    Status.MERGED: gettext_lazy("学校已受理，正在处理（与反映同一件事的其他举报一并处理）"),
    Status.CLOSED: gettext_lazy("已办结"),
}


def failure_page(request, public_code: str | None = None, status: int = 503):
    """The failure page of the public pages: the school's phones when the school is known
    (from this process's cache, or the database if it answers), the general help numbers
    otherwise. Never raises: if even the template fails, a plain page carries the numbers."""
    school = None
    if public_code:
        cached = _PUBLIC_SCHOOLS.get(public_code)
        school = cached[1] if cached else None
        if school is None:
            try:
                school = get_public_school(public_code)
            except Exception:  # noqa: BLE001, S110 — unknown school or database down
                school = None
    try:
        response = render(
            request,
            "intake/public/failure.html",
            {"school": school, "title": _("系统暂时出了问题")},
            status=status,
        )
    except Exception:  # noqa: BLE001
        log.exception("public failure page could not be rendered")
        phones = (
            [getattr(school, f, "") for f in ("antibullying_phone", "safety_leader_phone")] if school else []
        )
        numbers = " · ".join([p for p in phones if p] + ["110", "120", "12355"])
        response = HttpResponse(
            f"<!doctype html><meta charset=utf-8><title>系统暂时出了问题</title>"
            f"<h1>系统暂时出了问题</h1><p>情况紧急请马上拨打：{numbers}</p>",
            status=status,
        )
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def _public(view):
    """An unexpected error on a public page shows the failure page with the school's phones
    (503), never the staff-side "系统出错了…返回工作台". Logged by the view's name only."""

    @wraps(view)
    def wrapper(request, public_code: str, *args, **kwargs):
        try:
            return view(request, public_code, *args, **kwargs)
        except (Http404, PermissionDenied, SuspiciousOperation):
            raise
        except Exception:  # noqa: BLE001
            log.exception("public page %s failed", view.__name__)
            return failure_page(request, public_code)

    return wrapper


def public_status(report) -> str:
    return str(PUBLIC_STATUS.get(report.status, ""))


# Every public request names its school by the poster's code; the lookup is cached in the
# process for a short while (a few hundred submissions a second would otherwise each query
# it). A change to any school clears this process's cache at once; other worker processes
# follow within PUBLIC_SCHOOL_TTL seconds (a withdrawn code or a closed school keeps
# accepting reports that long, and they are kept like any other).
PUBLIC_SCHOOL_TTL = 30.0
_PUBLIC_SCHOOLS: dict[str, tuple[float, object]] = {}


def forget_public_schools(**_kwargs) -> None:
    _PUBLIC_SCHOOLS.clear()


def get_public_school(public_code: str):
    from anxin.org.models import School

    now = time.monotonic()
    hit = _PUBLIC_SCHOOLS.get(public_code)
    if hit is not None and hit[0] > now:
        return hit[1]
    school = (
        School.objects.select_related("county")
        .filter(public_code=public_code, active=True)
        .only(
            "id",
            "county_id",
            "name",
            "public_code",
            "antibullying_phone",
            "antibullying_email",
            "safety_leader_phone",
            "legal_vp_phone",
            "county__bureau_name",
            "county__bureau_phone",
        )
        .first()
    )
    if school is None:
        raise Http404
    if len(_PUBLIC_SCHOOLS) >= 10_000:  # bounded: a county has hundreds of schools
        _PUBLIC_SCHOOLS.clear()
    _PUBLIC_SCHOOLS[public_code] = (now + PUBLIC_SCHOOL_TTL, school)
    return school


def _render(request, template: str, ctx: dict, status: int = 200):
    response = render(request, template, ctx, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    limits.ensure_device_cookie(request, response)
    return response


def _limited(request, school, verdict: limits.Verdict):
    minutes = max(1, (verdict.retry_after + 59) // 60)
    response = _render(
        request,
        "intake/public/limited.html",
        {"school": school, "minutes": minutes, "title": _("操作太频繁")},
        status=429,
    )
    response["Retry-After"] = str(verdict.retry_after)
    return response


def _refused(request, school, reason: str, status: int):
    return _render(
        request,
        "intake/public/refused.html",
        {"school": school, "reason": reason, "title": _("无法提交")},
        status=status,
    )


def _too_big(request, school):
    return _refused(
        request,
        school,
        _("提交的内容太大（文件合计不能超过 %(mb)d MB），没有保存。请少选几个文件或只上传一小段视频后再试。")
        % {"mb": conf.max_request_bytes() // (1024 * 1024)},
        413,
    )


def server_error_page(request):
    """A server error on a public page (core's 500 handler sends /s/ here): the failure page with
    the school's phones."""
    parts = request.path.split("/")
    return failure_page(request, parts[2] if len(parts) > 2 and parts[2] else None, status=500)


def content_too_long(request) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > conf.max_request_bytes()
    except ValueError:
        return True


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            field = "place_kind" if field == "spot" else field  # one select offers both
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@_public
def report_form(request, public_code: str):
    """The anonymous report form. A report is stored whole or not at all; on a storage
    failure the reporter is told plainly to try again (R-RPT-4, nothing lost)."""
    school = get_public_school(public_code)
    ctx = {"school": school, "title": _("匿名举报")}
    if request.method == "POST":
        if content_too_long(request):
            return _too_big(request, school)
        try:
            form = PublicReportForm(request.POST, request.FILES, places=services.school_places(school))
            valid = form.is_valid()
        except (RequestDataTooBig, TooManyFieldsSent):
            return _too_big(request, school)
        except SuspiciousOperation:
            return _refused(request, school, _("提交的内容格式不正确，没有保存。请重新填写后再试。"), 400)
        # only complete submissions count against the limits: a child correcting the form is
        # not "too frequent"; when limited, what they typed stays on the page
        verdict = limits.hit(request, "report", school.public_code) if valid else limits.Verdict(False)
        if verdict.limited:
            minutes = max(1, (verdict.retry_after + 59) // 60)
            form.add_error(
                None,
                _(
                    "提交太频繁了：同一台手机和同一所学校短时间内能提交的次数有限，请大约 %(m)d 分钟后再点“提交举报”。"
                    "情况紧急请直接拨打下面的电话或 110。"
                )
                % {"m": minutes},
            )
            ctx["form"] = form
            response = _render(request, "intake/public/report_form.html", ctx, status=429)
            response["Retry-After"] = str(verdict.retry_after)
            return response
        if valid:
            try:
                result = services.submit_report(
                    school=school,
                    data=form.service_data(),
                    files=form.cleaned_data["files"],
                    submission_token=form.cleaned_data.get("token") or None,
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except DatabaseError:
                log.exception("report submission failed for school %s", school.pk)
                ctx.update(form=form, retry=True)
                return _render(request, "intake/public/report_form.html", ctx, status=503)
            else:
                ctx.update(result=result, title=_("举报已提交"))
                return _render(
                    request,
                    "intake/public/report_done.html",
                    ctx,
                    status=201 if not result.duplicate else 200,
                )
        ctx["form"] = form
        return _render(request, "intake/public/report_form.html", ctx, status=400)
    ctx["form"] = PublicReportForm(
        initial={"token": codes.new_token()}, places=services.school_places(school)
    )
    return _render(request, "intake/public/report_form.html", ctx)


@_public
def help_page(request, public_code: str):
    """紧急求救: one button, an optional place. Phones stay on the page whatever happens."""
    school = get_public_school(public_code)
    ctx = {"school": school, "title": _("紧急求救")}
    if request.method == "POST":
        form = EmergencyForm(request.POST)
        if form.is_valid():
            # never refused: over the limits it still reaches the duty leader, flagged
            suspect = limits.hit(request, "emergency", school.public_code).limited
            try:
                em, token = services.raise_emergency(
                    school=school, place=form.cleaned_data["place"], suspect=suspect
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            except DatabaseError:
                log.exception("emergency request failed for school %s", school.pk)
                ctx.update(form=form, retry=True)
                return _render(request, "intake/public/help.html", ctx, status=503)
            else:
                ctx.update(emergency=em, token=token, title=_("已发出紧急求救"))
                return _render(request, "intake/public/help_sent.html", ctx, status=201)
        ctx["form"] = form.suggest(services.school_places(school))
        return _render(request, "intake/public/help.html", ctx, status=400)
    ctx["form"] = EmergencyForm().suggest(services.school_places(school))
    return _render(request, "intake/public/help.html", ctx)


@_public
def help_status(request, public_code: str, token: str):
    """Whether someone has responded to an emergency request (the status link)."""
    school = get_public_school(public_code)
    em = services.emergency_by_token(school, token)
    if em is None:
        raise Http404
    ctx = {
        "school": school,
        "emergency": em,
        "token": token,
        "title": _("求救进展"),
        "acknowledged": em.status == EmergencyStatus.ACKNOWLEDGED,
    }
    return _render(request, "intake/public/help_status.html", ctx)


@_public
def followup(request, public_code: str):
    """“查看我的举报”: enter the follow-up code, read the school's replies, add information or
    evidence. The code travels in the POST body only, never in a URL."""
    school = get_public_school(public_code)
    ctx = {"school": school, "title": _("查看我的举报")}
    if request.method != "POST":
        ctx["form"] = FollowUpForm()
        return _render(request, "intake/public/followup.html", ctx)
    if content_too_long(request):
        return _too_big(request, school)
    try:
        raw_code = request.POST.get("code", "")
        action = request.POST.get("action", "view")
    except (RequestDataTooBig, TooManyFieldsSent):
        return _too_big(request, school)
    # a device that has guessed wrong too often, or a code guessed wrong too often, is
    # stopped before any lookup; guesses by others never stop the holder of the right code
    guessed = codes.normalise(raw_code)
    verdict = limits.check(request, "followup_fail", school.public_code, code=guessed)
    if not verdict.limited:
        verdict = limits.hit(request, "followup", school.public_code)
    if verdict.limited:
        return _limited(request, school, verdict)
    report = services.find_by_code(school, raw_code)
    if report is None:
        limits.count(request, "followup_fail", school.public_code, code=guessed)
        form = FollowUpForm(request.POST)
        form.is_valid()
        form.add_error("code", _("跟进码不正确。请核对后再试（字母不区分大小写，可不输入横线）。"))
        ctx["form"] = form
        return _render(request, "intake/public/followup.html", ctx, status=400)
    status = 200
    message_form = FollowUpMessageForm(initial={"code": raw_code})
    if action == "message":
        verdict = limits.hit(request, "message", school.public_code, report_id=report.pk)
        if verdict.limited:
            return _limited(request, school, verdict)
        message_form = FollowUpMessageForm(request.POST, request.FILES)
        if message_form.is_valid():
            try:
                services.add_reporter_message(
                    report, body=message_form.cleaned_data["body"], files=message_form.cleaned_data["files"]
                )
            except ValidationError as exc:
                _form_errors(message_form, exc)
                status = 400
            except DatabaseError:
                log.exception("follow-up message failed for report %s", report.pk)
                message_form.add_error(
                    None, _("提交没有成功：系统暂时无法保存，你的补充没有被保存。请稍后再试。")
                )
                status = 503
            else:
                ctx["sent"] = True
                message_form = FollowUpMessageForm(initial={"code": raw_code})
        else:
            status = 400
    ctx.update(
        report=report,
        status_text=public_status(report),
        thread_messages=services.thread(report),
        message_form=message_form,
        title=_("我的举报"),
    )
    return _render(request, "intake/public/thread.html", ctx, status=status)
