"""Staff pages of the reporting channels: the triage inbox and a report's page (R-RPT-4),
concerns and 首问负责制 intake (R-RPT-3), emergency requests and the on-duty roster
(R-RPT-2), the bureau's county page (counts and ages, never contents) and the posters
(R-ORG-5). Views are thin: access through core.access, state changes through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Q, Value, When
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.core import audit, filecrypt, policy
from anxin.core.access import deny, get_for_user, require
from anxin.core.duties import id_path
from anxin.core.listing import ScopedListView, choice_labels
from anxin.intake import poster, services, transfer
from anxin.intake.data import BEHAVIOUR_SHORT, URGENCY_LEVEL_CLASS, Urgency, hint_reasons, suggested_urgency
from anxin.intake.filters import EmergencyFilter, ReportFilter
from anxin.intake.forms import (
    CloseForm,
    ConcernForm,
    DutyForm,
    EmergencyAckForm,
    HandOverForm,
    IntakeForm,
    LinkStudentForm,
    MergeForm,
    NoteForm,
    OpenCaseForm,
    ReasonForm,
    ReplyForm,
    TransferForm,
    UrgencyForm,
)
from anxin.intake.models import (
    ACTIVE_STATUSES,
    DutyLeader,
    EmergencyRequest,
    EmergencyStatus,
    Report,
    ReportAttachment,
    Status,
)

VIEW_PERM = "intake.report.view"
CHANGE_PERM = "intake.report.change"


def _error_messages(request, exc: ValidationError) -> None:
    for msg in exc.messages:
        messages.error(request, msg)


def _form_error_messages(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}：{e}" if label else e)


# --- the triage inbox ---------------------------------------------------------------------------
class InboxView(ScopedListView):
    """Every item from every channel, untriaged first (LAW 17). Lists show no content: the
    content is read (and audited) on the item's own page."""

    model = Report
    filterset_class = ReportFilter
    template_name = "intake/inbox.html"
    title = gettext_lazy("举报受理")
    export_name = gettext_lazy("举报受理台账")
    select_related = ("school", "owner")
    columns = [
        (gettext_lazy("编号"), "pk"),
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("收到时间"), "received"),
        (gettext_lazy("来源"), "channel"),
        (gettext_lazy("行为类型"), "behaviours_text"),
        (gettext_lazy("紧急提示词"), "hints_text"),
        (gettext_lazy("紧急程度"), "urgency"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("办结类型"), "close_kind"),
        (gettext_lazy("事件编号"), "case_id"),
    ]

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .defer("text", "people", "contact", "place")
            .annotate(
                rank=Case(
                    When(status=Status.NEW, then=Value(0)),
                    When(status=Status.OPEN, then=Value(1)),
                    default=Value(2),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "-created_at", "-id")
        )

    def filtered(self):
        fs, qs = super().filtered()
        if not self.request.GET.get("state"):
            qs = qs.filter(status__in=ACTIVE_STATUSES)
        return fs, qs

    def received(self, obj):
        from anxin.core import clock

        return obj.created_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")

    def behaviours_text(self, obj):
        return "、".join(obj.behaviour_labels)

    def hints_text(self, obj):
        return "、".join(obj.hint_words or [])

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_record"] = policy.can(self.request.user, "intake.report.record")
        ctx["rows"] = _inbox_rows(ctx["object_list"].values(*_INBOX_ROW_FIELDS))
        return ctx


# what a row of 举报受理 shows, read as values (no report or owner object per row; no content)
_INBOX_ROW_FIELDS = (
    "pk",
    "created_at",
    "channel",
    "behaviours",
    "hint_words",
    "awaiting_reply",
    "urgency",
    "status",
    "owner__real_name",
    "owner__username",
)


def _inbox_rows(reports) -> list[dict]:
    """The page's rows as plain strings, made once here rather than resolved cell by cell in
    the template (labels of choices, local times, how long ago, the report's address)."""
    from anxin.core.templatetags.anxin_time import ago

    channels, urgencies, statuses = choice_labels(Report, "channel", "urgency", "status")
    page_of = id_path("intake:report_detail")
    rows = []
    for r in reports:
        status = r["status"]
        rows.append(
            {
                "pk": r["pk"],
                "url": page_of(r["pk"]),
                "received": f"{timezone.localtime(r['created_at']):%Y-%m-%d %H:%M}",
                "ago": ago(r["created_at"]),
                "channel": channels.get(r["channel"], r["channel"]),
                "behaviours": "、".join(str(BEHAVIOUR_SHORT.get(b, b)) for b in r["behaviours"] or []),
                "hinted": bool(r["hint_words"]),
                "awaiting_reply": r["awaiting_reply"],
                "urgency": urgencies.get(r["urgency"], r["urgency"]) if r["urgency"] else "",
                "urgency_class": URGENCY_LEVEL_CLASS.get(r["urgency"], ""),
                "status": statuses.get(status, status),
                "status_class": "bad" if status == "new" else "ok" if status in ("closed", "case") else "",
                "owner": r["owner__real_name"] or r["owner__username"] or "",
            }
        )
    return rows


def _report_or_404(request, pk, action="view", *, sensitive=False):
    return get_for_user(
        request,
        Report,
        pk,
        action,
        sensitive=sensitive,
        queryset=Report.objects.select_related(
            "school",
            "owner",
            "raised_by",
            "acknowledged_by",
            "closed_by",
            "student__klass__grade",
            "merged_into",
        ),
    )


@login_required
def report_detail(request, pk):
    """One item with its content — every view of it is an audited read (LAW 18)."""
    require(request, VIEW_PERM)
    report = _report_or_404(request, pk, sensitive=True)
    user = request.user
    can_change = policy.allows(user, report, "change")
    can_case = policy.allows(user, report, "open_case") and services.case_opening_available()
    suggested = suggested_urgency(report.hint_words or [])
    ctx = {
        "title": _("举报与关注 #%(n)d") % {"n": report.pk},
        "report": report,
        "events": report.events.select_related("by"),
        "thread": report.messages.select_related("author").prefetch_related("attachments"),
        "attachments": report.attachments.all(),
        "linked": report.linked_students.select_related("student__klass__grade"),
        "duplicates": report.duplicates.all().only("id", "created_at", "channel", "status"),
        "hints": hint_reasons(report.hint_words or []),
        "suggested": suggested,
        "suggested_label": Urgency(suggested).label if suggested else "",
        "suggested_class": URGENCY_LEVEL_CLASS.get(suggested, ""),
        "can_change": can_change and report.status in ACTIVE_STATUSES,
        "can_reopen": can_change and report.status == Status.CLOSED,
        "can_reply": can_change and report.is_anonymous,
        "can_case": can_case and report.status in ACTIVE_STATUSES,
        "case_url": services.case_url(report),
    }
    if can_change:
        ctx.update(
            urgency_form=UrgencyForm(initial={"urgency": report.urgency or None}),
            close_form=CloseForm(),
            reopen_form=ReasonForm(),
            merge_form=MergeForm(),
            link_form=LinkStudentForm(school=report.school, user=user),
            reply_form=ReplyForm(),
            note_form=NoteForm(),
            handover_form=HandOverForm(school=report.school),
            transfer_form=TransferForm(county_id=report.county_id, exclude=report.school_id),
            case_form=OpenCaseForm(),
        )
    return render(request, "intake/report_detail.html", ctx)


def _do_acknowledge(request, report):
    services.acknowledge(report, by=request.user)
    return _("已受理。")


def _do_urgency(request, report):
    form = UrgencyForm(request.POST)
    if not form.is_valid():
        return form
    services.set_urgency(report, by=request.user, **form.cleaned_data)
    return _("紧急程度已设定。")


def _do_close(request, report):
    form = CloseForm(request.POST)
    if not form.is_valid():
        return form
    services.close(
        report, by=request.user, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"]
    )
    return _("已办结，理由已记录。")


def _do_reopen(request, report):
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return form
    services.reopen(report, by=request.user, reason=form.cleaned_data["reason"])
    return _("已重新打开。")


def _do_merge(request, report):
    form = MergeForm(request.POST)
    if not form.is_valid():
        return form
    target = Report.objects.restrict(request.user, "change").filter(pk=form.cleaned_data["into"]).first()
    if target is None:
        raise ValidationError(
            _("找不到编号为 %(n)d 的举报，或你无权处理它。") % {"n": form.cleaned_data["into"]}
        )
    services.merge(report, into=target, by=request.user, reason=form.cleaned_data["reason"])
    return _("已合并到 #%(n)d。") % {"n": target.pk}


def _do_link(request, report):
    form = LinkStudentForm(request.POST, school=report.school, user=request.user)
    if not form.is_valid():
        return form
    made = services.link_students(
        report, by=request.user, links=[(form.cleaned_data["student"], form.cleaned_data["role"])]
    )
    return _("已关联学生。") if made else _("该学生已关联过。")


def _do_reply(request, report):
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return form
    services.reply(report, by=request.user, body=form.cleaned_data["body"])
    return _("回复已发出，举报人凭跟进码可以看到。")


def _do_note(request, report):
    form = NoteForm(request.POST)
    if not form.is_valid():
        return form
    services.add_note(report, by=request.user, text=form.cleaned_data["text"])
    return _("备注已记录。")


def _do_handover(request, report):
    form = HandOverForm(request.POST, school=report.school)
    if not form.is_valid():
        return form
    services.hand_over(report, to=form.cleaned_data["to"], by=request.user, note=form.cleaned_data["note"])
    return _("已移交给 %(who)s。") % {"who": form.cleaned_data["to"]}


def _do_transfer(request, report):
    form = TransferForm(request.POST, county_id=report.county_id, exclude=report.school_id)
    if not form.is_valid():
        return form
    to = form.cleaned_data["school"]
    transfer.transfer(report, by=request.user, reason=form.cleaned_data["reason"], to_school=to)
    if to is None:
        return _("已上交到县级收件箱。")
    return _("已移交给 %(school)s。") % {"school": to.name}


def _do_open_case(request, report):
    if not policy.allows(request.user, report, "open_case"):
        deny(request, "intake.report.open_case", "intake.report", report.pk)
    form = OpenCaseForm(request.POST)
    if not form.is_valid():
        return form
    case = services.open_case(report, by=request.user, summary=form.cleaned_data["summary"])
    return _("已转为欺凌事件 #%(n)s。") % {"n": case.pk}


ACTIONS = {
    "acknowledge": _do_acknowledge,
    "urgency": _do_urgency,
    "close": _do_close,
    "reopen": _do_reopen,
    "merge": _do_merge,
    "link": _do_link,
    "reply": _do_reply,
    "note": _do_note,
    "handover": _do_handover,
    "transfer": _do_transfer,
    "open-case": _do_open_case,
}


@require_POST
@login_required
def report_action(request, pk, action: str):
    """One triage act (POST only). The owner of a 首问负责制 intake may hand it on even
    without the triage right; everything else needs ``intake.report.change``."""
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    report = (
        Report.objects.select_related("school").filter(pk=int(pk)).first() if action == "handover" else None
    )
    if not (report is not None and report.owner_id == request.user.pk):
        report = _report_or_404(request, pk, "change")
    try:
        result = handler(request, report)
    except ValidationError as exc:
        _error_messages(request, exc)
    else:
        if isinstance(result, str):
            messages.success(request, result)
        else:
            _form_error_messages(request, result)
    if policy.allows(request.user, report, "view"):
        return redirect("intake:report_detail", pk=report.pk)
    return redirect("intake:mine")


@login_required
def attachment(request, pk):
    """Evidence file, streamed after the access check; every open is an audited read."""
    require(request, VIEW_PERM)
    att = get_for_user(request, ReportAttachment, pk, "view", sensitive=True)
    try:
        fh = filecrypt.open_plain(att.file)  # decrypted as it streams, never to disk
    except (OSError, filecrypt.Damaged):
        raise Http404 from None
    response = FileResponse(fh, content_type=att.mime)
    response["Content-Length"] = str(fh.size)
    response["Content-Disposition"] = (
        f'inline; filename="evidence-{att.pk}.{att.file.name.rsplit(".", 1)[-1]}"'
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- staff channels -----------------------------------------------------------------------------
@login_required
def concern_new(request):
    """Raise a concern (R-RPT-3): from a student's page (``?student=<id>``) or the quick form."""
    require(request, "intake.concern.add")
    from anxin.roster.models import Student

    student = None
    sid = request.GET.get("student") or request.POST.get("student")
    if request.method == "GET" and sid:
        student = get_for_user(request, Student, sid, "view")
    form = ConcernForm(request.POST or None, user=request.user, student=student)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        school = d["school"]  # from the form's scoped choices (or the scoped student's school)
        try:
            services.raise_concern(
                by=request.user,
                school=school,
                text=d["text"],
                student=d.get("student"),
                source=d["source"],
                place=d.get("place", ""),
            )
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("关注已提交，学校分管安全的领导会尽快受理。"))
            return redirect("intake:mine")
    return render(
        request, "intake/concern_form.html", {"form": form, "title": _("提出关注"), "student": student}
    )


@login_required
def intake_new(request):
    """首问负责制: record a phone call, e-mail or visit; the recorder owns it until handed on."""
    require(request, "intake.report.record")
    form = IntakeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.record_intake(
                by=request.user,
                school=form.cleaned_data["school"],
                channel=form.cleaned_data["channel"],
                data=form.service_data(),
            )
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(
                request, _("已登记（编号 %(n)d）。在移交之前，你是这件事的负责人。") % {"n": report.pk}
            )
            if policy.allows(request.user, report, "view"):
                return redirect("intake:report_detail", pk=report.pk)
            return redirect("intake:mine")
    return render(request, "intake/intake_form.html", {"form": form, "title": _("登记来电、来信、来访")})


@login_required
def mine(request):
    """What I recorded or own: status only (content is read on the item's page by those
    allowed); the owner can hand an item on from here."""
    if not (
        policy.can(request.user, "intake.report.record") or policy.can(request.user, "intake.concern.add")
    ):
        require(request, "intake.report.record")
    qs = (
        Report.objects.filter(Q(raised_by=request.user) | Q(owner=request.user))
        .select_related("school", "owner")
        .defer("text", "people", "contact", "place")
        .order_by("-created_at", "-id")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    handover = {}
    for r in page.object_list:
        if r.owner_id == request.user.pk and r.status in ACTIVE_STATUSES:
            handover[r.pk] = HandOverForm(school=r.school, prefix=f"h{r.pk}")
    rows = [(r, handover.get(r.pk), policy.allows(request.user, r, "view")) for r in page.object_list]
    return render(
        request,
        "intake/mine.html",
        {"rows": rows, "page_obj": page, "query": "", "title": _("我登记的反映与关注")},
    )


@require_POST
@login_required
def mine_handover(request, pk):
    report = Report.objects.select_related("school").filter(pk=int(pk), owner=request.user).first()
    if report is None:
        raise Http404
    form = HandOverForm(request.POST, school=report.school, prefix=f"h{report.pk}")
    if form.is_valid():
        try:
            services.hand_over(
                report, to=form.cleaned_data["to"], by=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("已移交。"))
    else:
        _form_error_messages(request, form)
    return redirect("intake:mine")


# --- emergency help -----------------------------------------------------------------------------
class EmergencyListView(ScopedListView):
    model = EmergencyRequest
    filterset_class = EmergencyFilter
    template_name = "intake/emergency_list.html"
    title = gettext_lazy("紧急求救")
    export_name = gettext_lazy("紧急求救记录")
    select_related = ("school", "acknowledged_by")
    columns = [
        (gettext_lazy("编号"), "pk"),
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("时间"), "created_at"),
        (gettext_lazy("地点"), "place"),
        (gettext_lazy("状态"), "status"),
        (gettext_lazy("升级级别"), "level"),
        (gettext_lazy("响应时间"), "acknowledged_at"),
    ]

    def base_queryset(self):
        return super().base_queryset().order_by("-created_at", "-id")


@login_required
def emergency_detail(request, pk):
    require(request, "intake.emergencyrequest.view")
    em = get_for_user(
        request,
        EmergencyRequest,
        pk,
        "view",
        queryset=EmergencyRequest.objects.select_related("school", "acknowledged_by"),
    )
    can_ack = em.status == EmergencyStatus.OPEN and policy.allows(request.user, em, "change")
    return render(
        request,
        "intake/emergency_detail.html",
        {
            "title": _("紧急求救 #%(n)d") % {"n": em.pk},
            "em": em,
            "can_ack": can_ack,
            "form": EmergencyAckForm(),
            "on_duty": services.on_duty_leaders(em.school),
        },
    )


@require_POST
@login_required
def emergency_ack(request, pk):
    em = get_for_user(request, EmergencyRequest, pk, "change")
    form = EmergencyAckForm(request.POST)
    if form.is_valid():
        try:
            services.acknowledge_emergency(em, by=request.user, note=form.cleaned_data["note"])
        except ValidationError as exc:
            _error_messages(request, exc)
        else:
            messages.success(request, _("已响应。请尽快到场处置。"))
    else:
        _form_error_messages(request, form)
    return redirect("intake:emergency_detail", pk=em.pk)


# --- on-duty roster -----------------------------------------------------------------------------
@login_required
def duty(request):
    require(request, "intake.dutyleader.view")
    from anxin.org.models import School

    entries = (
        DutyLeader.objects.restrict(request.user)
        .select_related("school", "user")
        .order_by("school__name", "weekday", "starts_at")
    )
    schools = list(School.objects.restrict(request.user, "intake.dutyleader.change").order_by("name"))
    school = schools[0] if len(schools) == 1 else None
    if len(schools) > 1 and (request.GET.get("school") or request.POST.get("school")):
        wanted = request.GET.get("school") or request.POST.get("school")
        school = next((s for s in schools if str(s.pk) == wanted), None)
    form = DutyForm(request.POST or None, school=school) if school else None
    if request.method == "POST":
        if school is None:
            require(request, "intake.dutyleader.change")
            raise Http404
        if form.is_valid():
            try:
                services.add_duty(by=request.user, school=school, **form.cleaned_data)
            except ValidationError as exc:
                _error_messages(request, exc)
            else:
                messages.success(request, _("值班安排已添加。"))
                return redirect("intake:duty")
    on_duty = {s.pk: services.on_duty_leaders(s) for s in schools} if schools else {}
    return render(
        request,
        "intake/duty.html",
        {
            "title": _("值班安排"),
            "entries": entries,
            "form": form,
            "school": school,
            "schools": schools,
            "on_duty": on_duty.get(school.pk, []) if school else [],
        },
    )


@require_POST
@login_required
def duty_remove(request, pk):
    entry = get_for_user(request, DutyLeader, pk, "change")
    services.remove_duty(entry, by=request.user)
    messages.success(request, _("已删除该值班安排。"))
    return redirect("intake:duty")


# --- the bureau's county page -------------------------------------------------------------------
@login_required
def county(request):
    """Untriaged reports per school: counts and ages only, no contents (R-RPT-4; LAW 19)."""
    require(request, "intake.report.stats")
    from anxin.org.models import School

    schools = School.objects.restrict(request.user, "intake.report.stats").filter(active=True)
    rows = services.county_backlog(schools)
    totals = {
        "new": sum(r.new for r in rows),
        "open": sum(r.open for r in rows),
        "emergencies": sum(r.emergencies_open for r in rows),
    }
    return render(
        request, "intake/county.html", {"title": _("各校举报受理情况"), "rows": rows, "totals": totals}
    )


# --- the county inbox (R-RPT-4) ------------------------------------------------------------------
COUNTY_INBOX_PERM = "intake.report.county_inbox"


class CountyInboxView(ScopedListView):
    """Reports handed up to the county: no school of ours named, or the wrong one. The list
    shows no content; each item's page is an audited read (LAW 18)."""

    model = Report
    action = "county_inbox"
    export_action = "county_inbox"
    template_name = "intake/county_inbox.html"
    title = gettext_lazy("县级收件箱")
    select_related = ("school",)
    columns = [
        (gettext_lazy("编号"), "pk"),
        (gettext_lazy("上交的学校"), "school.name"),
        (gettext_lazy("来源"), "channel"),
        (gettext_lazy("状态"), "status"),
    ]

    def base_queryset(self):
        return (
            super().base_queryset().defer("text", "people", "contact", "place").order_by("-created_at", "-id")
        )


@login_required
def county_inbox_detail(request, pk):
    require(request, COUNTY_INBOX_PERM)
    report = get_for_user(
        request, Report, pk, "county_inbox", sensitive=True, queryset=Report.objects.select_related("school")
    )
    form = TransferForm(request.POST or None, county_id=report.county_id, allow_county=False)
    if request.method == "POST":
        if form.is_valid():
            try:
                transfer.transfer(
                    report,
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                    to_school=form.cleaned_data["school"],
                )
            except ValidationError as exc:
                _error_messages(request, exc)
            else:
                messages.success(
                    request, _("已转交给 %(school)s。") % {"school": form.cleaned_data["school"].name}
                )
                return redirect("intake:county_inbox")
        else:
            _form_error_messages(request, form)
    return render(
        request,
        "intake/county_inbox_detail.html",
        {
            "title": _("县级收件箱 #%(n)d") % {"n": report.pk},
            "report": report,
            "events": report.events.select_related("by"),
            "form": form,
        },
    )


# --- posters (R-ORG-5) --------------------------------------------------------------------------
@login_required
def posters(request):
    require(request, "intake.poster.view")
    from anxin.org.models import School

    schools = (
        School.objects.restrict(request.user, "intake.poster.view")
        .filter(active=True)
        .order_by("town", "name")
    )
    page = Paginator(schools, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "intake/posters.html",
        {"title": _("防欺凌宣传海报"), "page_obj": page, "object_list": page.object_list, "query": ""},
    )


def _poster_school(request, pk):
    from anxin.org.models import School

    require(request, "intake.poster.view")
    return get_for_user(
        request, School, pk, "intake.poster.view", queryset=School.objects.select_related("county")
    )


@login_required
def poster_pdf(request, pk):
    school = _poster_school(request, pk)
    audit.record("export", school, data={"what": "poster.pdf"})
    response = HttpResponse(poster.pdf(school), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="poster-{school.code}.pdf"'
    return response


@login_required
def poster_png(request, pk):
    school = _poster_school(request, pk)
    audit.record("export", school, data={"what": "poster.png"})
    response = HttpResponse(poster.png(school), content_type="image/png")
    response["Content-Disposition"] = f'attachment; filename="poster-{school.code}.png"'
    return response
