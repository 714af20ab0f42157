"""Pages of screening and early warning. Views are thin: scope through core.access, rules in
services. Student-level pages are for school roles (class teachers: own class); the bureau
and supervisors see counts by school and class, never names (LAW 19)."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, OuterRef, Q, Subquery
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, clock, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.listing import ScopedListView, current_school_id
from anxin.core.xlsx import xlsx_response
from anxin.org.models import School, SchoolClass
from anxin.roster.models import Student
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening import risk_rules, services
from anxin.screening.models import (
    Camera,
    CountyRound,
    DutyLog,
    DutyShift,
    HazardMeasure,
    HazardPoint,
    MeasureType,
    MonitoringZone,
    Mood,
    Peers,
    PeerSurvey,
    Psych,
    Rectification,
    RiskAssessment,
    RiskSignal,
    RiskState,
    ScreeningRecord,
    ScreeningRound,
    TendencyEntry,
    VulnerabilityCategory,
    VulnerabilityEntry,
)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _schools(request, perm: str):
    """Schools in which the user holds ``perm`` (county roles: their county's)."""
    qs = School.objects.restrict(request.user).order_by("town", "name")
    ids = policy.schools_for(request.user, perm)
    return qs if ids is None else qs.filter(pk__in=ids)


def _school_for(request, perm: str) -> School | None:
    """The school a page acts on: the one asked for (?school=), the top-bar choice of a
    county user, or the user's only school."""
    require(request, perm)
    qs = _schools(request, perm)
    wanted = _int(request.GET.get("school") or request.POST.get("school")) or current_school_id(request)
    if wanted:
        school = qs.filter(pk=wanted).first()
        if school is None:
            raise Http404
        return school
    found = list(qs[:2])
    return found[0] if len(found) == 1 else None


def _pick_school(request, perm: str, title: str):
    return render(request, "screening/pick_school.html", {"title": title, "schools": _schools(request, perm)})


def _export_name(title: str, school=None) -> str:
    return f"{title}-{school.name + '-' if school else ''}{timezone.localdate():%Y%m%d}.xlsx"


def _level_rows():
    return [(code, risk_rules.LEVEL_LABELS[code]) for code in risk_rules.LEVELS]


# --- overview ------------------------------------------------------------------------------------


@login_required
def home(request):
    """排查与风险 overview: figures in the user's scope, links to each register."""
    user = request.user
    perms = [
        "screening.screeninground.view",
        "screening.riskstate.view",
        "screening.counts.view",
        "screening.hazardpoint.view",
        "screening.dutylog.view",
        "screening.rectification.view",
    ]
    if not any(policy.can(user, p) for p in perms):
        require(request, perms[0])
    ctx = {"title": _("排查与风险")}
    if policy.can(user, "screening.screeninground.view"):
        rounds = ScreeningRound.objects.restrict(user).select_related("school")
        if current_school_id(request):
            rounds = rounds.filter(school_id=current_school_id(request))
        ctx["open_rounds"] = list(rounds.filter(status=ScreeningRound.Status.OPEN).order_by("deadline")[:5])
        my_classes = [m.klass for m in policy.memberships(user) if m.klass_id and m.role == "class_teacher"]
        ctx["my_classes"] = my_classes
    if policy.can(user, "screening.riskstate.view"):
        states = RiskState.objects.restrict(user).filter(student__status="enrolled")
        counts = dict.fromkeys(risk_rules.LEVELS, 0)
        for level, n in states.values("level").annotate(n=Count("id")).values_list("level", "n"):
            counts[level] = n
        ctx["levels"] = [
            (code, risk_rules.LEVEL_LABELS[code], counts[code]) for code in risk_rules.LEVELS[:3]
        ]
        ctx["changed_this_week"] = (
            states.filter(changed_at__gte=f.week_start()).exclude(level="green").count()
        )
    if policy.can(user, "screening.tendencyentry.view"):
        ctx["tendency"] = (
            TendencyEntry.objects.restrict(user).filter(status=TendencyEntry.Status.ACTIVE).count()
        )
    if policy.can(user, "screening.vulnerabilityentry.view"):
        ctx["vulnerable"] = (
            VulnerabilityEntry.objects.restrict(user)
            .filter(ended_on__isnull=True, student__status="enrolled")
            .values("student_id")
            .distinct()
            .count()
        )
    if policy.can(user, "screening.hazardpoint.view"):
        ctx["hazards_open"] = (
            HazardPoint.objects.restrict(user).exclude(status=HazardPoint.Status.ELIMINATED).count()
        )
    if policy.can(user, "screening.rectification.view"):
        ctx["rect_open"] = (
            Rectification.objects.restrict(user).exclude(status=Rectification.Status.DONE).count()
        )
    ctx["can"] = {
        p.split(".")[1]: policy.can(user, p)
        for p in (
            "screening.countyround.view",
            "screening.peersurvey.view",
            "screening.counts.view",
            "screening.camera.view",
            "screening.dutyshift.view",
            "screening.dutylog.view",
        )
    }
    return render(request, "screening/home.html", ctx)


# --- screening rounds (R-SCR-1) ------------------------------------------------------------------


class RoundListView(ScopedListView):
    model = ScreeningRound
    filterset_class = f.RoundFilter
    template_name = "screening/round_list.html"
    title = gettext_lazy("排查轮次")
    export_name = gettext_lazy("排查轮次")
    select_related = ("school",)
    columns = [
        (gettext_lazy("名称"), "title"),
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("开始日期"), "opened_on"),
        (gettext_lazy("截止日期"), "deadline"),
        (gettext_lazy("状态"), "status"),
    ]

    def base_queryset(self):
        return super().base_queryset().order_by("-opened_on", "school__name", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        ctx["can_open"] = policy.can(user, "screening.screeninground.change")
        ctx["can_open_county"] = policy.can(user, "screening.countyround.change")
        if policy.can(user, "screening.countyround.view"):
            ctx["county_rounds"] = list(CountyRound.objects.restrict(user)[:10])
        return ctx


@login_required
def round_create(request):
    school = _school_for(request, "screening.screeninground.change")
    if school is None:
        return _pick_school(request, "screening.screeninground.change", _("发起排查"))
    form = sf.RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            r = services.open_round(by=request.user, school=school, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已发起排查：%(t)s") % {"t": r.title})
            return redirect("screening:round_detail", pk=r.pk)
    return render(
        request,
        "screening/form.html",
        {
            "title": _("发起排查"),
            "form": form,
            "subtitle": school.name,
            "school": school,
            "cancel": reverse("screening:round_list"),
            "help": _(
                "全校学生逐一排查心理状况、思想情绪、同学关系，与家长沟通，查找苗头迹象（贺教发〔2024〕7号 二(一)）。"
            ),
        },
    )


@login_required
def county_round_create(request):
    require(request, "screening.countyround.change")
    county = request.user.county
    if county is None:
        raise Http404
    form = sf.RoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cr = services.open_county_round(by=request.user, county=county, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已为全县 %(n)d 所学校发起排查。") % {"n": cr.rounds.count()})
            return redirect("screening:county_round_detail", pk=cr.pk)
    return render(
        request,
        "screening/form.html",
        {
            "title": _("全县统一发起排查"),
            "form": form,
            "subtitle": county.name,
            "cancel": reverse("screening:round_list"),
            "help": _("为本县每一所在用学校各发起一轮排查，截止日期相同。"),
        },
    )


@login_required
def county_round_detail(request, pk):
    cr = get_for_user(request, CountyRound, pk, "view")
    rows = services.county_coverage(
        cr, _schools(request, "screening.screeninground.view").values_list("pk", flat=True)
    )
    if request.GET.get("format") == "xlsx":
        require(request, "screening.screeninground.export")
        audit.record("export", cr, data={"what": "county_coverage"})
        header = [
            _("学校"),
            _("在读学生"),
            _("已排查"),
            _("已说明原因"),
            _("未排查"),
            _("覆盖率%"),
            _("状态"),
        ]
        data = (
            [
                r["school"].name,
                r["total"],
                r["screened"],
                r["excused"],
                r["missing"],
                r["pct"],
                r["round"].get_status_display(),
            ]
            for r in rows
        )
        return xlsx_response(_export_name(cr.title), [(_("排查覆盖率"), header, data)])
    return render(
        request,
        "screening/county_round_detail.html",
        {
            "title": cr.title,
            "cr": cr,
            "rows": rows,
            "can_export": policy.can(request.user, "screening.screeninground.export"),
        },
    )


def _class_allowed(user, round_: ScreeningRound, klass_id: int, action: str) -> bool:
    probe = ScreeningRecord(county_id=round_.county_id, school_id=round_.school_id, klass_id=klass_id)
    return policy.allows(user, probe, action)


@login_required
def round_detail(request, pk):
    r = get_for_user(
        request, ScreeningRound, pk, "view", queryset=ScreeningRound.objects.select_related("school")
    )
    cov = services.coverage(r)
    user = request.user
    if request.GET.get("format") == "xlsx":
        require(request, "screening.screeninground.export")
        audit.record("export", r, data={"what": "coverage"})
        header = [_("班级"), _("在读学生"), _("已排查"), _("已说明原因"), _("未排查"), _("覆盖率%")]
        data = [
            [str(c["klass"]), c["total"], c["screened"], c["excused"], c["missing"], c["pct"]]
            for c in cov["classes"]
        ]
        s = cov["summary"]
        data.append([_("全校"), s["total"], s["screened"], s["excused"], s["missing"], s["pct"]])
        return xlsx_response(_export_name(_("排查覆盖率"), r.school), [(_("排查覆盖率"), header, data)])
    for c in cov["classes"]:
        c["can_open"] = _class_allowed(user, r, c["klass"].pk, "view")
    return render(
        request,
        "screening/round_detail.html",
        {
            "title": r.title,
            "round": r,
            "cov": cov,
            "can_complete": r.is_open and policy.allows(user, r, "change"),
            "can_export": policy.can(user, "screening.screeninground.export"),
            "surveys": PeerSurvey.objects.restrict(user).filter(round=r).select_related("klass__grade")
            if policy.can(user, "screening.peersurvey.view")
            else [],
        },
    )


@require_POST
@login_required
def round_complete(request, pk):
    r = get_for_user(request, ScreeningRound, pk, "view")
    check(request, r, "change")
    try:
        services.complete_round(by=request.user, round=r)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("本轮排查已确认完成。"))
    return redirect("screening:round_detail", pk=r.pk)


CHOICES = [
    ("psych", gettext_lazy("心理状况"), Psych.choices),
    ("mood", gettext_lazy("情绪"), Mood.choices),
    ("peers", gettext_lazy("同学关系"), Peers.choices),
]
DEFAULTS = {"psych": Psych.GOOD, "mood": Mood.STABLE, "peers": Peers.HARMONIOUS}


def _row(student, record, *, values=None, errors=None, saved=False) -> dict:
    if values is None:
        if record is not None:
            values = {
                k: getattr(record, k)
                for k in (
                    "psych",
                    "mood",
                    "peers",
                    "family_contacted",
                    "signs_seen",
                    "note",
                    "missing_reason",
                )
            }
        else:
            values = {
                **DEFAULTS,
                "family_contacted": False,
                "signs_seen": False,
                "note": "",
                "missing_reason": "",
            }
    return {"student": student, "record": record, "v": values, "errors": errors or {}, "saved": saved}


def _class_progress(round_: ScreeningRound, klass) -> dict:
    total = services.class_students(round_, klass).count()
    done = ScreeningRecord.objects.filter(
        round=round_, student__klass=klass, student__status="enrolled"
    ).count()
    return {"total": total, "done": done, "complete": done >= total}


@login_required
def round_class(request, pk, klass_pk):
    """The class screening page: one form per student, on one page that works on a phone and
    saves as the teacher goes (htmx swaps the row; without JS each row posts normally)."""
    r = get_for_user(
        request, ScreeningRound, pk, "view", queryset=ScreeningRound.objects.select_related("school")
    )
    klass = (
        SchoolClass.objects.filter(pk=_int(klass_pk), school_id=r.school_id).select_related("grade").first()
    )
    if klass is None or not _class_allowed(request.user, r, klass.pk, "view"):
        audit.append(
            "denied",
            object_type="screening.screeningrecord",
            object_id=klass_pk,
            result="denied",
            data={"perm": "screening.screeningrecord.view"},
        )
        raise Http404
    can_edit = r.is_open and _class_allowed(request.user, r, klass.pk, "change")
    students = list(services.class_students(r, klass))
    records = {
        rec.student_id: rec
        for rec in ScreeningRecord.objects.filter(round=r, student_id__in=[s.pk for s in students])
    }
    error_row = None
    if request.method == "POST":
        if not can_edit:
            check(
                request,
                ScreeningRecord(county_id=r.county_id, school_id=r.school_id, klass_id=klass.pk),
                "change",
            )
            messages.error(request, _("本轮排查已完成，不能再修改。"))
            return redirect("screening:round_class", pk=r.pk, klass_pk=klass.pk)
        student = next((s for s in students if s.pk == _int(request.POST.get("student"))), None)
        if student is None:
            raise Http404
        form = sf.RecordForm(request.POST)
        errors, saved = {}, False
        values = {k: request.POST.get(k, "") for k in ("psych", "mood", "peers", "note", "missing_reason")}
        values["family_contacted"] = bool(request.POST.get("family_contacted"))
        values["signs_seen"] = bool(request.POST.get("signs_seen"))
        if form.is_valid():
            try:
                records[student.pk] = services.save_record(
                    by=request.user, round=r, student=student, data=form.cleaned_data
                )
                saved = True
            except ValidationError as exc:
                errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
        else:
            errors = form.errors
        row = _row(
            student, records.get(student.pk), values=None if saved else values, errors=errors, saved=saved
        )
        if request.htmx:
            # only the row's status, errors and the class progress change: the teacher's inputs
            # stay as they are (hx-sync queues the next change after this one)
            return render(
                request,
                "screening/_record_saved.html",
                {
                    "row": row,
                    "progress": _class_progress(r, klass),
                },
            )
        if saved:
            messages.success(request, _("已保存：%(n)s") % {"n": student.name})
            return HttpResponseRedirect(
                f"{reverse('screening:round_class', args=[r.pk, klass.pk])}#s-{student.pk}"
            )
        error_row = row
    audit.record("read", r, data={"view": "round_class", "klass": klass.pk})
    rows = [
        error_row if error_row and error_row["student"].pk == s.pk else _row(s, records.get(s.pk))
        for s in students
    ]
    done = sum(1 for s in students if s.pk in records)
    return render(
        request,
        "screening/round_class.html",
        {
            "title": f"{klass} · {r.title}",
            "round": r,
            "klass": klass,
            "rows": rows,
            "choices": CHOICES,
            "can_edit": can_edit,
            "progress": {"total": len(students), "done": done, "complete": done >= len(students)},
        },
    )


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


@login_required
def survey_create(request):
    require(request, "screening.peersurvey.change")
    user = request.user
    q = policy.scope_q(user, SchoolClass, "screening.peersurvey.change")
    classes = (
        (SchoolClass.objects.filter(q, active=True) if q is not None else SchoolClass.objects.none())
        .select_related("grade", "school")
        .order_by("school__name", "grade__year", "name")
    )
    rounds = ScreeningRound.objects.restrict(user).filter(status=ScreeningRound.Status.OPEN)
    form = sf.SurveyCreateForm(
        request.POST or None,
        classes=classes,
        rounds=rounds,
        initial={"klass": _int(request.GET.get("klass"))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            s = services.create_survey(by=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("问卷已发起，请打印答题码发给学生。"))
            return redirect("screening:survey_codes", pk=s.pk)
    return render(
        request,
        "screening/form.html",
        {
            "title": _("发起同学关系问卷"),
            "form": form,
            "cancel": reverse("screening:survey_list"),
            "help": _(
                "学生用手机扫码或输入班级码，凭每人一个的答题码作答，无需账号，每人只能答一次。结果仅班主任、心理教师和分管安全副校长可见。"
            ),
        },
    )


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


# --- registers (R-SCR-2, R-SCR-3) -----------------------------------------------------------------


class VulnerabilityListView(ScopedListView):
    model = VulnerabilityEntry
    filterset_class = f.VulnerabilityFilter
    template_name = "screening/vulnerable_list.html"
    title = gettext_lazy("弱势学生台账")
    export_name = gettext_lazy("弱势学生台账")
    select_related = ("student__klass__grade", "category", "school")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("类别"), "category.name"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("说明"), "note"),
        (gettext_lazy("登记日期"), "started_on"),
        (gettext_lazy("移出日期"), "ended_on"),
        (gettext_lazy("移出原因"), "end_reason"),
        (gettext_lazy("风险等级"), "level_label"),
    ]

    def base_queryset(self):
        qs = (
            super()
            .base_queryset()
            .order_by(
                "student__klass__grade__year", "student__klass__name", "student__name", "category__position"
            )
        )
        if not self.request.GET.get("state"):
            qs = qs.filter(ended_on__isnull=True)
        # the student's risk level in the same query (page and export)
        level = RiskState.objects.filter(student_id=OuterRef("student_id")).values("level")[:1]
        return qs.annotate(risk_level=Subquery(level))

    def klass_name(self, obj):
        return str(obj.student.klass)

    def level_label(self, obj):
        return services.level_label(obj.risk_level or risk_rules.GREEN)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.vulnerabilityentry.change")
        return ctx


def _students_for(request, perm: str):
    """Enrolled students on whom the user holds ``perm`` (class teachers: own class), through
    the policy's scope filter applied to the student's keys."""
    q = policy.scope_q(request.user, Student, perm)
    if q is None:
        return Student.objects.none()
    return (
        Student.objects.filter(q, status="enrolled")
        .select_related("klass__grade")
        .order_by("klass__grade__year", "klass__name", "name")
    )


@login_required
def vulnerable_create(request):
    require(request, "screening.vulnerabilityentry.change")
    user = request.user
    students = _students_for(request, "screening.vulnerabilityentry.change")
    county_id = user.county_id
    services.ensure_categories(county_id) if county_id else None
    cats = VulnerabilityCategory.objects.filter(county_id=county_id, active=True).order_by("position", "id")
    form = sf.VulnerabilityForm(
        request.POST or None,
        students=students,
        categories=cats,
        initial={"student": _int(request.GET.get("student"))},
    )
    if request.method == "POST" and form.is_valid():
        try:
            e = services.add_vulnerability(by=user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request, _("已登记：%(s)s（%(c)s）") % {"s": e.student.name, "c": e.category.name}
            )
            return redirect("screening:vulnerable_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("登记弱势学生"),
            "form": form,
            "cancel": reverse("screening:vulnerable_list"),
            "help": _(
                "摸清弱势学生（留守儿童、性格内向学生、家境困难等）（贺教发〔2024〕7号 三、第一阶段）。名册中的留守、随迁、孤儿、资助标记会自动登记。"
            ),
        },
    )


@login_required
def vulnerable_end(request, pk):
    e = get_for_user(
        request,
        VulnerabilityEntry,
        pk,
        "view",
        queryset=VulnerabilityEntry.objects.select_related("student", "category"),
    )
    check(request, e, "change")
    form = sf.EndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.end_vulnerability(by=request.user, entry=e, reason=form.cleaned_data["end_reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已移出台账。"))
            return redirect("screening:vulnerable_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("移出弱势学生台账"),
            "subtitle": f"{e.student.name} · {e.category.name}",
            "form": form,
            "cancel": reverse("screening:vulnerable_list"),
            "confirm": _("确定要移出台账吗？"),
        },
    )


@login_required
def category_list(request):
    require(request, "screening.vulnerabilitycategory.view")
    county_id = request.user.county_id
    if county_id:
        services.ensure_categories(county_id)
    cats = VulnerabilityCategory.objects.restrict(request.user).order_by("position", "id")
    return render(
        request,
        "screening/category_list.html",
        {
            "title": _("弱势学生类别"),
            "categories": cats,
            "can_change": policy.can(request.user, "screening.vulnerabilitycategory.change"),
        },
    )


@login_required
def category_edit(request, pk=None):
    require(request, "screening.vulnerabilitycategory.change")
    county = request.user.county
    if county is None:
        raise Http404
    cat = get_for_user(request, VulnerabilityCategory, pk, "change") if pk else None
    form = sf.CategoryForm(request.POST or None, instance=cat)
    if cat is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.save_category(
                by=request.user,
                county=county,
                code=d["code"],
                name=d["name"],
                active=d["active"],
                position=d["position"],
                category=cat,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("screening:category_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("修改弱势类别") if cat else _("新增弱势类别"),
            "form": form,
            "cancel": reverse("screening:category_list"),
        },
    )


class TendencyListView(ScopedListView):
    model = TendencyEntry
    filterset_class = f.TendencyFilter
    template_name = "screening/tendency_list.html"
    title = gettext_lazy("欺凌倾向台账")
    export_name = gettext_lazy("欺凌倾向台账")
    select_related = ("student__klass__grade", "school")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("列入依据"), "grounds"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("列入日期"), "added_on"),
        (gettext_lazy("下次复核日期"), "review_due"),
        (gettext_lazy("上次复核日期"), "last_reviewed_on"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("移出理由"), "closed_reason"),
    ]

    def base_queryset(self):
        qs = super().base_queryset().order_by("status", "review_due", "id")
        if not self.request.GET.get("status"):
            qs = qs.filter(status=TendencyEntry.Status.ACTIVE)
        return qs

    def klass_name(self, obj):
        return str(obj.student.klass)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.tendencyentry.change")
        ctx["today"] = clock.today()
        return ctx


@login_required
def tendency_create(request):
    require(request, "screening.tendencyentry.change")
    students = _students_for(request, "screening.tendencyentry.change")
    form = sf.TendencyForm(
        request.POST or None, students=students, initial={"student": _int(request.GET.get("student"))}
    )
    if request.method == "POST" and form.is_valid():
        try:
            e = services.add_tendency(by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已列入欺凌倾向台账。"))
            return redirect("screening:tendency_detail", pk=e.pk)
    return render(
        request,
        "screening/form.html",
        {
            "title": _("列入欺凌倾向台账"),
            "form": form,
            "cancel": reverse("screening:tendency_list"),
            "help": _(
                "掌握欺凌者或有欺凌他人倾向学生情况，重点盯防，严防再次欺凌（贺教发〔2024〕7号 三）。列入后该学生再出现在举报、关注线索或事件中时，会提醒分管安全副校长。"
            ),
        },
    )


@login_required
def tendency_detail(request, pk):
    e = get_for_user(
        request,
        TendencyEntry,
        pk,
        "view",
        sensitive=True,
        queryset=TendencyEntry.objects.select_related("student__klass__grade", "school", "added_by"),
    )
    can_change = policy.allows(request.user, e, "change")
    form = sf.ReviewForm(request.POST or None)
    if request.method == "POST":
        check(request, e, "change")
        if form.is_valid():
            try:
                services.review_tendency(by=request.user, entry=e, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("复核已记录。"))
                return redirect("screening:tendency_detail", pk=e.pk)
    return render(
        request,
        "screening/tendency_detail.html",
        {
            "title": _("欺凌倾向台账"),
            "e": e,
            "form": form,
            "can_change": can_change and e.status == "active",
            "reviews": e.reviews.select_related("reviewed_by"),
            "level": services.risk_level(e.student_id),
            "can_risk": policy.can(request.user, "screening.riskstate.view"),
        },
    )


# --- risk (R-SCR-4) -------------------------------------------------------------------------------


class RiskListView(ScopedListView):
    model = RiskState
    filterset_class = f.RiskFilter
    template_name = "screening/risk_list.html"
    title = gettext_lazy("学生风险等级")
    export_name = gettext_lazy("学生风险等级")
    select_related = ("student__klass__grade", "school")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("风险等级"), "level"),
        (gettext_lazy("分值"), "points"),
        (gettext_lazy("原因"), "reason_text"),
        (gettext_lazy("变化时间"), "changed_local"),
    ]

    def base_queryset(self):
        qs = super().base_queryset().filter(student__status="enrolled")
        if not self.request.GET.get("level"):
            qs = qs.exclude(level=risk_rules.GREEN)
        return qs.order_by("-points", "student__klass__grade__year", "student__klass__name", "student__name")

    def klass_name(self, obj):
        return str(obj.student.klass)

    def reason_text(self, obj):
        return "；".join(r["text"] for r in obj.reasons)

    def changed_local(self, obj):
        return obj.changed_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["week_start"] = f.week_start()
        return ctx


class RiskChangesView(ScopedListView):
    """Who changed level this week (本周等级变化)."""

    model = RiskAssessment
    filterset_class = f.AssessmentFilter
    template_name = "screening/risk_changes.html"
    title = gettext_lazy("本周风险等级变化")
    action = "view"
    select_related = ("student__klass__grade", "school")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("班级"), "klass_name"),
        (gettext_lazy("学生"), "student.name"),
        (gettext_lazy("原等级"), "previous_level"),
        (gettext_lazy("现等级"), "level"),
        (gettext_lazy("时间"), "at"),
    ]

    def base_queryset(self):
        qs = super().base_queryset().filter(student__status="enrolled").exclude(level=F("previous_level"))
        if not self.request.GET.get("since"):
            qs = qs.filter(at__gte=f.week_start())
        return qs.order_by("-at", "-id")

    def klass_name(self, obj):
        return str(obj.student.klass)


@login_required
def student_risk(request, student_pk):
    """A student's level, every reason, and the history of changes."""
    student = get_for_user(
        request,
        Student,
        student_pk,
        "view",
        queryset=Student.objects.select_related("klass__grade", "school"),
    )
    probe = RiskState(county_id=student.county_id, school_id=student.school_id, student=student)
    check(request, probe, "view")
    audit.record("read", student, data={"view": "student_risk"})
    state = RiskState.objects.filter(student=student).first()
    history = list(RiskAssessment.objects.filter(student=student).order_by("-at", "-id")[:50])
    user = request.user
    entries = VulnerabilityEntry.objects.filter(student=student, ended_on__isnull=True).select_related(
        "category"
    )
    tendency = TendencyEntry.objects.filter(student=student, status=TendencyEntry.Status.ACTIVE).first()
    records = (
        ScreeningRecord.objects.filter(student=student, missing_reason="")
        .select_related("round")
        .order_by("-round_id")[:5]
    )
    return render(
        request,
        "screening/student_risk.html",
        {
            "title": _("风险等级"),
            "student": student,
            "state": state,
            "history": history,
            "level": state.level if state else risk_rules.GREEN,
            "entries": entries,
            "tendency": tendency,
            "records": records
            if policy.allows(
                user,
                ScreeningRecord(
                    county_id=student.county_id, school_id=student.school_id, klass_id=student.klass_id
                ),
                "view",
            )
            else [],
            "signals": RiskSignal.objects.filter(student=student).order_by("-at")[:20],
            "rules": risk_rules.RULES,
            "thresholds": risk_rules.THRESHOLDS,
            "can_add_vuln": policy.can(user, "screening.vulnerabilityentry.change"),
            "can_add_tendency": policy.can(user, "screening.tendencyentry.change"),
        },
    )


@login_required
def risk_rules_page(request):
    """The risk table as staff read it (the same rows the engine evaluates)."""
    require(request, "screening.riskstate.view")
    return render(
        request,
        "screening/risk_rules.html",
        {
            "title": _("风险等级规则"),
            "rules": risk_rules.RULES,
            "thresholds": risk_rules.THRESHOLDS,
            "labels": risk_rules.LEVEL_LABELS,
        },
    )


# --- de-identified counts for the county (LAW 19) ------------------------------------------------


def _count_cells(row: dict, cats) -> None:
    row["cats"] = [(c.name, row["by_category"].get(c.pk, 0)) for c in cats]
    row["level_counts"] = [(code, label, row["levels"][code]) for code, label in _level_rows()]


@login_required
def counts(request):
    """Counts by school and category; drill down to a school. No names."""
    require(request, "screening.counts.view")
    schools = _schools(request, "screening.counts.view")
    page = Paginator(schools, settings.ANXIN_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    export = request.GET.get("format") == "xlsx"
    school_list = list(schools) if export else list(page.object_list)
    data = services.counts_by_school([s.pk for s in school_list])
    county_id = request.user.county_id
    cats = list(
        VulnerabilityCategory.objects.filter(county_id=county_id, active=True).order_by("position", "id")
    )
    rows = [{"school": s, **data[s.pk]} for s in school_list]
    for r in rows:
        _count_cells(r, cats)
    if export:
        require(request, "screening.counts.export")
        audit.append(
            "export", object_type="screening.counts", county_id=county_id, data={"schools": len(rows)}
        )
        header = [
            _("学校"),
            _("在读学生"),
            _("弱势学生"),
            *[c.name for c in cats],
            _("欺凌倾向"),
            *[_("%(l)s色") % {"l": lbl} for _c, lbl in _level_rows()],
            _("未消除隐患点"),
            _("未完成整改"),
        ]
        data_rows = (
            [
                r["school"].name,
                r["students"],
                r["vulnerable"],
                *[n for _c, n in r["cats"]],
                r["tendency"],
                *[n for _c, _l, n in r["level_counts"]],
                r["hazards_open"],
                r["rectifications_open"],
            ]
            for r in rows
        )
        return xlsx_response(_export_name(_("排查台账统计")), [(_("各校统计"), header, data_rows)])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "screening/counts.html",
        {
            "title": _("各校台账统计"),
            "rows": rows,
            "cats": cats,
            "page_obj": page,
            "query": query.urlencode(),
            "levels": _level_rows(),
            "can_export": policy.can(request.user, "screening.counts.export"),
        },
    )


@login_required
def counts_school(request, school_pk):
    require(request, "screening.counts.view")
    school = _schools(request, "screening.counts.view").filter(pk=_int(school_pk)).first()
    if school is None:
        raise Http404
    cats = list(
        VulnerabilityCategory.objects.filter(county_id=school.county_id, active=True).order_by(
            "position", "id"
        )
    )
    rows = services.counts_by_class(school.pk)
    for r in rows:
        _count_cells(r, cats)
    return render(
        request,
        "screening/counts_school.html",
        {
            "title": school.name,
            "school": school,
            "rows": rows,
            "cats": cats,
            "levels": _level_rows(),
            "can_names": policy.allows(
                request.user, VulnerabilityEntry(county_id=school.county_id, school_id=school.pk), "view"
            ),
        },
    )


# --- hazard points (R-SCR-5) ----------------------------------------------------------------------


class HazardListView(ScopedListView):
    model = HazardPoint
    filterset_class = f.HazardFilter
    template_name = "screening/hazard_list.html"
    title = gettext_lazy("隐患点台账")
    export_name = gettext_lazy("隐患点台账")
    select_related = ("school", "owner")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("地点"), "name"),
        (gettext_lazy("位置"), "location"),
        (gettext_lazy("类型"), "kind"),
        (gettext_lazy("易发时段"), "time_windows"),
        (gettext_lazy("风险"), "risk"),
        (gettext_lazy("隐患情况"), "description"),
        (gettext_lazy("防范措施"), "measure_text"),
        (gettext_lazy("监控覆盖"), "camera_text"),
        (gettext_lazy("责任人"), "owner_name"),
        (gettext_lazy("整改期限"), "due_date"),
        (gettext_lazy("状态"), "status"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .prefetch_related("measures", "cameras")
            .order_by("school__name", "status", "name")
        )

    def measure_text(self, obj):
        return "；".join(f"{m.get_type_display()}：{m.description}" for m in obj.measures.all())

    def camera_text(self, obj):
        working = [c.name for c in obj.cameras.all() if c.working]
        return "、".join(working) if working else _("无")

    def owner_name(self, obj):
        return (obj.owner.real_name or obj.owner.username) if obj.owner_id else ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.hazardpoint.change")
        ctx["today"] = clock.today()
        return ctx


@login_required
def hazard_edit(request, pk=None):
    hazard = None
    if pk:
        hazard = get_for_user(
            request, HazardPoint, pk, "view", queryset=HazardPoint.objects.select_related("school")
        )
        check(request, hazard, "change")
        school = hazard.school
    else:
        school = _school_for(request, "screening.hazardpoint.change")
        if school is None:
            return _pick_school(request, "screening.hazardpoint.change", _("登记隐患点"))
    form = sf.HazardForm(request.POST or None, instance=hazard, staff=services.staff_of(school.pk))
    if request.method == "POST" and form.is_valid():
        try:
            h = services.save_hazard(
                by=request.user,
                school=school,
                data=form.cleaned_data,
                hazard=HazardPoint.objects.get(pk=hazard.pk) if hazard else None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("隐患点已保存。"))
            return redirect("screening:hazard_detail", pk=h.pk)
    return render(
        request,
        "screening/form.html",
        {
            "title": _("修改隐患点") if hazard else _("登记隐患点"),
            "subtitle": school.name,
            "form": form,
            "school": school if not hazard else None,
            "cancel": reverse("screening:hazard_detail", args=[hazard.pk])
            if hazard
            else reverse("screening:hazard_list"),
            "help": _(
                "摸清学校内部及周边易发生欺凌地点，制定切实可行的防范措施，明确责任人和整改期限（贺教发〔2024〕7号 二(二)）。"
            ),
        },
    )


@login_required
def hazard_detail(request, pk):
    h = get_for_user(
        request, HazardPoint, pk, "view", queryset=HazardPoint.objects.select_related("school", "owner")
    )
    can_change = policy.allows(request.user, h, "change")
    form = sf.MeasureForm(request.POST or None, staff=services.staff_of(h.school_id)) if can_change else None
    if request.method == "POST":
        check(request, h, "change")
        if form.is_valid():
            try:
                services.add_measure(by=request.user, hazard=h, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("措施已添加。"))
                return redirect("screening:hazard_detail", pk=h.pk)
    return render(
        request,
        "screening/hazard_detail.html",
        {
            "title": h.name,
            "h": h,
            "measures": h.measures.select_related("owner"),
            "cameras": h.cameras.select_related("zone"),
            "reported": _reports_naming(request.user, h),
            "form": form,
            "can_change": can_change,
            "today": clock.today(),
        },
    )


def _reports_naming(user, h: HazardPoint) -> dict | None:
    """How often reporters picked this place on the report form: counts only, and only for
    those who may read the school's reports (the triagers), not everyone who sees the register."""
    Report = apps.get_model("intake", "Report")  # intake sits above screening: via the registry

    if not policy.allows(user, Report(county_id=h.county_id, school_id=h.school_id), "view"):
        return None
    return h.reports.aggregate(
        n=Count("pk"),
        recent=Count("pk", filter=Q(created_at__gte=timezone.now() - dt.timedelta(days=90))),
        last=Max("created_at"),
    )


@require_POST
@login_required
def measure_done(request, pk):
    m = get_for_user(request, HazardMeasure, pk, "view")
    check(request, m, "change")
    services.complete_measure(by=request.user, measure=m)
    messages.success(request, _("措施已落实。"))
    return redirect("screening:hazard_detail", pk=m.hazard_id)


@login_required
def hazard_overview(request):
    """人防、物防、技防 overview per school (三 第三阶段 “立体体系”)."""
    require(request, "screening.hazardpoint.view")

    schools = _schools(request, "screening.hazardpoint.view")
    if current_school_id(request):
        schools = schools.filter(pk=current_school_id(request))
    page = Paginator(schools, settings.ANXIN_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    ids = [s.pk for s in page.object_list]
    stats = {sid: {t: {"total": 0, "done": 0} for t in MeasureType.values} for sid in ids}
    for sid, t, total, done in (
        HazardMeasure.objects.filter(school_id__in=ids)
        .values("school_id", "type")
        .annotate(total=Count("id"), done=Count("id", filter=Q(done_on__isnull=False)))
        .values_list("school_id", "type", "total", "done")
    ):
        stats[sid][t] = {"total": total, "done": done}
    hazards = dict(
        HazardPoint.objects.filter(school_id__in=ids)
        .exclude(status=HazardPoint.Status.ELIMINATED)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    cameras = dict(
        Camera.objects.filter(school_id__in=ids, working=True)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    shifts = dict(
        DutyShift.objects.filter(school_id__in=ids, active=True)
        .values("school_id")
        .annotate(n=Count("id"))
        .values_list("school_id", "n")
    )
    rows = [
        {
            "school": s,
            "stats": [(MeasureType(t).label, stats[s.pk][t]) for t in MeasureType.values],
            "hazards": hazards.get(s.pk, 0),
            "cameras": cameras.get(s.pk, 0),
            "shifts": shifts.get(s.pk, 0),
        }
        for s in page.object_list
    ]
    return render(
        request,
        "screening/hazard_overview.html",
        {
            "title": _("人防、物防、技防概览"),
            "rows": rows,
            "page_obj": page,
            "query": "",
        },
    )


@login_required
def hazard_coverage(request):
    """Hazard points with no working camera or no measure; places where signals cluster."""
    require(request, "screening.hazardpoint.view")

    qs = HazardPoint.objects.restrict(request.user).exclude(status=HazardPoint.Status.ELIMINATED)
    if current_school_id(request):
        qs = qs.filter(school_id=current_school_id(request))
    qs = (
        qs.annotate(
            n_cameras=Count("cameras", filter=Q(cameras__working=True), distinct=True),
            n_measures=Count("measures", distinct=True),
        )
        .filter(Q(n_cameras=0) | Q(n_measures=0))
        .select_related("school")
        .order_by("school__name", "-risk", "name")
    )
    page = Paginator(qs, settings.ANXIN_LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    clusters = []
    if policy.can(request.user, "screening.riskstate.view"):
        since = clock.now() - dt.timedelta(days=180)
        sig = RiskSignal.objects.restrict(request.user).filter(at__gte=since).exclude(place="")
        if current_school_id(request):
            sig = sig.filter(school_id=current_school_id(request))
        clusters = list(
            sig.values("school__name", "place")
            .annotate(n=Count("source_id", distinct=True))
            .filter(n__gte=2)
            .order_by("-n")[:20]
        )
    return render(
        request,
        "screening/hazard_coverage.html",
        {
            "title": _("监控与措施覆盖"),
            "page_obj": page,
            "object_list": page.object_list,
            "clusters": clusters,
            "query": "",
        },
    )


# --- cameras, duty roster, duty logs (R-SCR-6) ----------------------------------------------------


@login_required
def camera_list(request):
    require(request, "screening.camera.view")
    user = request.user
    zones = MonitoringZone.objects.restrict(user).select_related("school")
    cams = Camera.objects.restrict(user).select_related("school", "zone").prefetch_related("covers")
    if current_school_id(request):
        zones, cams = (
            zones.filter(school_id=current_school_id(request)),
            cams.filter(school_id=current_school_id(request)),
        )
    page = Paginator(
        cams.order_by("school__name", "zone__name", "name"), settings.ANXIN_LIST_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "screening/camera_list.html",
        {
            "title": _("监控区域与摄像头"),
            "zones": zones.order_by("school__name", "name")[:200],
            "page_obj": page,
            "object_list": page.object_list,
            "query": "",
            "can_change": policy.can(user, "screening.camera.change"),
        },
    )


@login_required
def zone_create(request):
    school = _school_for(request, "screening.camera.change")
    if school is None:
        return _pick_school(request, "screening.camera.change", _("新增监控区域"))
    form = sf.ZoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.add_zone(by=request.user, school=school, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("监控区域已添加。"))
            return redirect("screening:camera_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("新增监控区域"),
            "subtitle": school.name,
            "form": form,
            "school": school,
            "cancel": reverse("screening:camera_list"),
        },
    )


@login_required
def camera_edit(request, pk=None):
    cam = None
    if pk:
        cam = get_for_user(request, Camera, pk, "view", queryset=Camera.objects.select_related("school"))
        check(request, cam, "change")
        school = cam.school
    else:
        school = _school_for(request, "screening.camera.change")
        if school is None:
            return _pick_school(request, "screening.camera.change", _("新增摄像头"))
    form = sf.CameraForm(request.POST or None, instance=cam, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_camera(
                by=request.user,
                school=school,
                data=form.cleaned_data,
                camera=Camera.objects.get(pk=cam.pk) if cam else None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("摄像头已保存。"))
            return redirect("screening:camera_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("修改摄像头") if cam else _("新增摄像头"),
            "subtitle": school.name,
            "form": form,
            "school": school if not cam else None,
            "cancel": reverse("screening:camera_list"),
        },
    )


class ShiftListView(ScopedListView):
    model = DutyShift
    filterset_class = f.ShiftFilter
    template_name = "screening/shift_list.html"
    title = gettext_lazy("重点时段值守排班")
    export_name = gettext_lazy("值守排班")
    select_related = ("school", "zone", "person")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("重点时段"), "period"),
        (gettext_lazy("星期"), "weekday_labels"),
        (gettext_lazy("开始时间"), "start_time"),
        (gettext_lazy("结束时间"), "end_time"),
        (gettext_lazy("区域"), "zone.name"),
        (gettext_lazy("值守人"), "person.real_name"),
        (gettext_lazy("备注"), "note"),
        (gettext_lazy("在用"), "active"),
    ]
    export_action = "view"

    def base_queryset(self):
        return super().base_queryset().order_by("-active", "start_time", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.dutyshift.change")
        return ctx


@login_required
def shift_edit(request, pk=None):
    shift = None
    if pk:
        shift = get_for_user(
            request, DutyShift, pk, "view", queryset=DutyShift.objects.select_related("school")
        )
        check(request, shift, "change")
        school = shift.school
    else:
        school = _school_for(request, "screening.dutyshift.change")
        if school is None:
            return _pick_school(request, "screening.dutyshift.change", _("安排值守"))
    form = sf.ShiftForm(
        request.POST or None, instance=shift, school=school, staff=services.staff_of(school.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_shift(
                by=request.user,
                school=school,
                data=form.cleaned_data,
                shift=DutyShift.objects.get(pk=shift.pk) if shift else None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("值守安排已保存。"))
            return redirect("screening:shift_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("修改值守安排") if shift else _("安排重点时段值守"),
            "subtitle": school.name,
            "form": form,
            "school": school if not shift else None,
            "cancel": reverse("screening:shift_list"),
            "help": _("充分发挥学校视频监控作用，重点时段指派专人进行监控（贺教发〔2024〕7号 二(一)）。"),
        },
    )


class DutyLogListView(ScopedListView):
    model = DutyLog
    filterset_class = f.DutyLogFilter
    template_name = "screening/dutylog_list.html"
    title = gettext_lazy("监控值守记录")
    export_name = gettext_lazy("值守记录")
    select_related = ("school", "zone", "logged_by", "shift")
    export_action = "view"
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("时间"), "at_local"),
        (gettext_lazy("区域"), "zone.name"),
        (gettext_lazy("地点"), "place"),
        (gettext_lazy("值守情况"), "summary"),
        (gettext_lazy("发现苗头"), "is_sign"),
        (gettext_lazy("值守人"), "logged_by.real_name"),
        (gettext_lazy("关注线索编号"), "concern_id"),
    ]

    def at_local(self, obj):
        return obj.at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")

    def base_queryset(self):
        return super().base_queryset().order_by("-at", "-id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.dutylog.change")
        return ctx


@login_required
def dutylog_create(request):
    school = _school_for(request, "screening.dutylog.change")
    if school is None:
        return _pick_school(request, "screening.dutylog.change", _("填写值守记录"))
    form = sf.DutyLogForm(request.POST or None, school=school)
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.log_duty(by=request.user, school=school, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            if entry.is_sign:
                messages.success(request, _("值守记录已保存；苗头已报送研判。"))
            else:
                messages.success(request, _("值守记录已保存。"))
            return redirect("screening:dutylog_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("填写值守记录"),
            "subtitle": school.name,
            "form": form,
            "school": school,
            "cancel": reverse("screening:dutylog_list"),
            "help": _(
                "发现苗头性事件，及时报告，及早处置，防止事态扩大。勾选“发现苗头”后将自动作为关注线索进入研判。"
            ),
        },
    )


# --- problems and rectification (R-SCR-7) ---------------------------------------------------------


class RectificationListView(ScopedListView):
    model = Rectification
    filterset_class = f.RectificationFilter
    template_name = "screening/rectification_list.html"
    title = gettext_lazy("问题整改台账")
    export_name = gettext_lazy("问题整改台账")
    select_related = ("school", "owner")
    columns = [
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("发现日期"), "found_on"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("存在问题"), "problem"),
        (gettext_lazy("整改措施"), "measure"),
        (gettext_lazy("责任人"), "owner.real_name"),
        (gettext_lazy("整改期限"), "due_date"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("完成日期"), "done_on"),
        (gettext_lazy("完成佐证"), "evidence"),
    ]

    def base_queryset(self):
        return super().base_queryset().order_by("status", "due_date", "id")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_add"] = policy.can(self.request.user, "screening.rectification.change")
        ctx["today"] = clock.today()
        return ctx


@login_required
def rectification_edit(request, pk=None):
    item = None
    if pk:
        item = get_for_user(
            request, Rectification, pk, "view", queryset=Rectification.objects.select_related("school")
        )
        school = item.school
        if not policy.allows(request.user, item, "change"):
            return render(
                request, "screening/rectification_detail.html", {"title": _("问题整改"), "item": item}
            )
    else:
        school = _school_for(request, "screening.rectification.change")
        if school is None:
            return _pick_school(request, "screening.rectification.change", _("登记问题与整改"))
    form = sf.RectificationForm(
        request.POST or None, instance=item, school=school, staff=services.staff_of(school.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rectification(
                by=request.user,
                school=school,
                data=form.cleaned_data,
                item=Rectification.objects.get(pk=item.pk) if item else None,
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("screening:rectification_list")
    return render(
        request,
        "screening/form.html",
        {
            "title": _("修改问题整改") if item else _("登记问题与整改"),
            "subtitle": school.name,
            "form": form,
            "school": school if not item else None,
            "cancel": reverse("screening:rectification_list"),
            "help": _(
                "查找当前学生欺凌防治工作中存在的问题，明确整改措施、责任人和期限，整改完成须留佐证（贺教发〔2024〕7号 三、第一阶段）。"
            ),
        },
    )
