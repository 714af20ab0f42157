"""Screening rounds (R-SCR-1): school and county rounds, coverage, the class screening page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, policy
from anxin.core.access import check, get_for_user, require
from anxin.core.editing import ServiceFormView
from anxin.core.listing import ScopedListView
from anxin.core.xlsx import xlsx_response
from anxin.org.models import SchoolClass
from anxin.screening import filters as f
from anxin.screening import forms as sf
from anxin.screening import services
from anxin.screening.models import (
    CountyRound,
    Mood,
    Peers,
    PeerSurvey,
    Psych,
    ScreeningRecord,
    ScreeningRound,
)
from anxin.screening.views._common import (
    SchoolFormView,
    _export_name,
    _int,
    _schools,
)

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


class RoundCreateView(SchoolFormView):
    permission = "screening.screeninground.change"
    form_class = sf.RoundForm
    title = pick_title = gettext_lazy("发起排查")
    cancel_url = reverse_lazy("screening:round_list")
    help_text = gettext_lazy(
        "全校学生逐一排查心理状况、思想情绪、同学关系，与家长沟通，查找苗头迹象（贺教发〔2024〕7号 二(一)）。"
    )

    def save(self, form):
        return services.open_round(by=self.request.user, school=self.school, **form.cleaned_data)

    def get_success_message(self, result) -> str:
        return _("已发起排查：%(t)s") % {"t": result.title}

    def get_success_url(self, result) -> str:
        return reverse("screening:round_detail", args=[result.pk])


round_create = RoundCreateView.as_view()


class CountyRoundCreateView(ServiceFormView):
    permission = "screening.countyround.change"
    form_class = sf.RoundForm
    template_name = "screening/form.html"
    title = gettext_lazy("全县统一发起排查")
    cancel_url = reverse_lazy("screening:round_list")
    help_text = gettext_lazy("为本县每一所在用学校各发起一轮排查，截止日期相同。")

    def authorize(self) -> None:
        super().authorize()
        self.county = self.request.user.county
        if self.county is None:
            raise Http404

    def get_context_data(self, **kwargs) -> dict:
        return super().get_context_data(**{"subtitle": self.county.name, **kwargs})

    def save(self, form):
        return services.open_county_round(by=self.request.user, county=self.county, **form.cleaned_data)

    def get_success_message(self, result) -> str:
        return _("已为全县 %(n)d 所学校发起排查。") % {"n": result.rounds.count()}

    def get_success_url(self, result) -> str:
        return reverse("screening:county_round_detail", args=[result.pk])


county_round_create = CountyRoundCreateView.as_view()


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
