"""Peer-relationship survey: staff pages, and the public pages students answer on without an
account (class code + personal code, rate-limited, codes never in logs)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import ServiceFormView
from anxin.core.listing import ScopedListView
from anxin.org.models import SchoolClass
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening import services
from anxin.screening.models import PeerSurvey, ScreeningRound
from anxin.screening.views._common import _int

# --- peer-relationship survey ---------------------------------------------------------------------


class SurveyListView(ScopedListView):
    model = PeerSurvey
    filterset_class = f.SurveyFilter
    template_name = "screening/survey_list.html"
    title = gettext_lazy("同学关系问卷")
    select_related = ("klass__grade", "school")

    def base_queryset(self):
        return super().base_queryset().order_by("-opens_on", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_create"] = policy.can(self.request.user, "screening.peersurvey.change")
        ctx["can_export"] = False
        return ctx


class SurveyCreateView(ServiceFormView):
    permission = "screening.peersurvey.change"
    form_class = sf.SurveyCreateForm
    template_name = "screening/form.html"
    title = gettext_lazy("发起同学关系问卷")
    cancel_url = reverse_lazy("screening:survey_list")
    help_text = gettext_lazy(
        "学生用手机扫码或输入班级码，凭每人一个的答题码作答，无需账号，每人只能答一次。结果仅班主任、心理教师和分管安全副校长可见。"
    )
    success_message = gettext_lazy("问卷已发起，请打印答题码发给学生。")

    def get_initial(self) -> dict:
        return {"klass": _int(self.request.GET.get("klass"))}

    def get_form_kwargs(self) -> dict:
        user = self.request.user
        q = policy.scope_q(user, SchoolClass, "screening.peersurvey.change")
        classes = (
            (SchoolClass.objects.filter(q, active=True) if q is not None else SchoolClass.objects.none())
            .select_related("grade", "school")
            .order_by("school__name", "grade__year", "name")
        )
        rounds = ScreeningRound.objects.restrict(user).filter(status=ScreeningRound.Status.OPEN)
        return {**super().get_form_kwargs(), "classes": classes, "rounds": rounds}

    def save(self, form):
        return services.create_survey(by=self.request.user, **form.cleaned_data)

    def get_success_url(self, result) -> str:
        return reverse("screening:survey_codes", args=[result.pk])


survey_create = SurveyCreateView.as_view()


def survey_public_url(request, survey: PeerSurvey) -> str:
    return request.build_absolute_uri(reverse("screening:survey_enter", args=[survey.class_code]))


@login_required
def survey_codes(request, pk):
    s = get_for_user(
        request, PeerSurvey, pk, "view", queryset=PeerSurvey.objects.select_related("klass__grade", "school")
    )
    check(request, s, "change")
    import segno

    url = survey_public_url(request, s)
    tokens = list(s.tokens.select_related("student").order_by("student__name"))
    audit.record("read", s, data={"view": "survey_codes"})
    return render(
        request,
        "screening/survey_codes.html",
        {
            "title": _("答题码"),
            "survey": s,
            "tokens": tokens,
            "url": url,
            "qr": segno.make(url, error="m").svg_inline(scale=4),
        },
    )


@login_required
def survey_detail(request, pk):
    s = get_for_user(
        request,
        PeerSurvey,
        pk,
        "view",
        sensitive=True,
        queryset=PeerSurvey.objects.select_related("klass__grade", "school"),
    )
    require(request, "screening.surveyresponse.view")
    return render(
        request,
        "screening/survey_detail.html",
        {
            "title": f"{s.klass} · {s.title}",
            "survey": s,
            "a": services.survey_analysis(s),
            "open": services.survey_is_open(s),
            "can_change": policy.allows(request.user, s, "change"),
            "url": survey_public_url(request, s),
        },
    )


@require_POST
@login_required
def survey_close(request, pk):
    s = get_for_user(request, PeerSurvey, pk, "view")
    check(request, s, "change")
    services.close_survey(by=request.user, survey=s)
    messages.success(request, _("问卷已结束。"))
    return redirect("screening:survey_detail", pk=s.pk)


# public: students answer without an account (rate-limited; codes never in logs)
SESSION_KEY = "screening_survey"


def _limited(request) -> bool:
    from django_ratelimit.core import is_ratelimited

    return is_ratelimited(
        request, group="screening-survey", key="ip", rate="120/m", method="POST", increment=True
    )


def survey_start(request):
    code = (request.GET.get("code") or "").strip().upper()
    if code:
        return redirect("screening:survey_enter", class_code=code)
    return render(request, "screening/survey_start.html", {"title": _("同学关系问卷")})


def survey_enter(request, class_code):
    survey = services.find_open_survey(class_code)
    if survey is None:
        return render(request, "screening/survey_closed.html", {"title": _("同学关系问卷")}, status=404)
    form = sf.SurveyCodeForm(request.POST or None)
    if request.method == "POST":
        if _limited(request):
            form.add_error(None, _("尝试次数过多，请稍后再试。"))
        elif form.is_valid():
            token = services.redeem_code(survey, form.cleaned_data["code"])
            if token is None:
                form.add_error("code", _("答题码不正确或已经使用过。"))
            else:
                request.session[SESSION_KEY] = {"survey": survey.pk, "token": token.pk}
                return redirect("screening:survey_answer", class_code=survey.class_code)
    return render(
        request, "screening/survey_enter.html", {"title": survey.title, "survey": survey, "form": form}
    )


def survey_answer(request, class_code):
    from anxin.screening.models import SurveyToken

    survey = services.find_open_survey(class_code)
    held = request.session.get(SESSION_KEY) or {}
    if survey is None or held.get("survey") != survey.pk:
        return redirect("screening:survey_enter", class_code=class_code)
    token = (
        SurveyToken.objects.filter(pk=held.get("token"), survey=survey, used_at__isnull=True)
        .select_related("student")
        .first()
    )
    if token is None:
        request.session.pop(SESSION_KEY, None)
        return redirect("screening:survey_enter", class_code=class_code)
    form = sf.SurveyAnswerForm(
        request.POST or None, classmates=services.classmates(survey, exclude=token.student)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_response(survey=survey, token=token, data=form.answers())
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            request.session.pop(SESSION_KEY, None)
            return redirect("screening:survey_done")
    return render(
        request,
        "screening/survey_answer.html",
        {
            "title": survey.title,
            "survey": survey,
            "form": form,
            "student_name": token.student.name,
        },
    )


def survey_done(request):
    return render(request, "screening/survey_done.html", {"title": _("提交成功")})
