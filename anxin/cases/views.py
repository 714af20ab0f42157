"""Case pages (SPEC §6): the register (台账), the case page with its timeline and the actions
of its state, one form per step, the bureau-report pages, the committee and the holiday
calendar. Views are thin: they get objects through ``core.access`` and the case rules of
``anxin.cases.permissions``, parse forms and call ``anxin.cases.services``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from anxin.cases import documents, forms, permissions, rules, services, workflow
from anxin.cases.filters import CaseFilter, ReportFilter, late_q
from anxin.cases.law.catalogue import LEVEL_LABELS
from anxin.cases.law.definitions import BULLYING_RESULTS, RESULTS
from anxin.cases.law.definitions import label as law_label
from anxin.cases.models import (
    COUNSELLING_KINDS,
    REPORT_FIELDS,
    AppealKind,
    BullyingCase,
    BureauReport,
    CaseParty,
    CaseState,
    Committee,
    CommitteeMember,
    DeterminationSource,
    Evidence,
    Holiday,
    MeasureState,
    PartyRole,
    ReportKind,
    Source,
)
from anxin.core import audit, clock, filecrypt, policy
from anxin.core.access import deny, get_for_user, require
from anxin.core.listing import ScopedListView
from anxin.core.roles import Role

S = CaseState


# --- the register (台账) -------------------------------------------------------------------------


def _can_open_annotation(user):
    q = permissions.case_scope_q(user, "view")
    if q is None:
        return Value(False, output_field=BooleanField())
    return ExpressionWrapper(q, output_field=BooleanField())


class CaseListView(ScopedListView):
    """Every case in scope (LAW 17), late reports marked; no students' names (the register is
    what the bureau and supervisors see of cases not reported to them)."""

    model = BullyingCase
    filterset_class = CaseFilter
    template_name = "cases/case_list.html"
    title = gettext_lazy("欺凌事件台账")
    export_name = gettext_lazy("欺凌事件台账")
    select_related = ("school",)
    columns = [
        (gettext_lazy("案件编号"), "number"),
        (gettext_lazy("学校"), "school.name"),
        (gettext_lazy("来源"), "source"),
        (gettext_lazy("发现时间"), "discovered_local"),
        (gettext_lazy("发生时间"), "occurred_local"),
        (gettext_lazy("地点"), "place"),
        (gettext_lazy("行为类型"), "behaviour_text"),
        (gettext_lazy("阶段"), "state"),
        (gettext_lazy("认定结果"), "result"),
        (gettext_lazy("舆情"), "is_public_opinion"),
        (gettext_lazy("须报告"), "report_required"),
        (gettext_lazy("首报时间"), "reported_local"),
        (gettext_lazy("迟报"), "late_text"),
        (gettext_lazy("报警时间"), "police_local"),
        (gettext_lazy("结案时间"), "closed_local"),
    ]

    def dispatch(self, request, *args, **kwargs):
        # the register for those who keep or supervise it; otherwise the cases one may open
        if request.user.is_authenticated and not policy.can(request.user, "cases.bullyingcase.register"):
            self.action = "view"
        else:
            self.action = "register"
        return super().dispatch(request, *args, **kwargs)

    def base_queryset(self):
        qs = (
            super()
            .base_queryset()
            .only(
                "id",
                "number",
                "school__name",
                "school__town",
                "source",
                "discovered_at",
                "occurred_at",
                "place",
                "behaviour_types",
                "state",
                "result",
                "is_public_opinion",
                "report_required",
                "report_due_at",
                "first_reported_at",
                "report_late",
                "police_reported_at",
                "closed_at",
                "county_id",
                "school_id",
            )
        )
        return qs.annotate(
            can_open=_can_open_annotation(self.request.user),
            late_now=ExpressionWrapper(late_q(), output_field=BooleanField()),
        ).order_by("-discovered_at", "-id")

    @staticmethod
    def _local(value):
        return value.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M") if value else ""

    def discovered_local(self, obj):
        return self._local(obj.discovered_at)

    def occurred_local(self, obj):
        return self._local(obj.occurred_at)

    def reported_local(self, obj):
        return self._local(obj.first_reported_at)

    def police_local(self, obj):
        return self._local(obj.police_reported_at)

    def closed_local(self, obj):
        return self._local(obj.closed_at)

    def behaviour_text(self, obj):
        return "、".join(obj.behaviour_labels)

    def late_text(self, obj):
        return "迟报" if obj.is_late_now else ""

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        base = BullyingCase.objects.restrict(user, self.action)
        ctx.update(
            can_open_case=policy.can(user, "cases.bullyingcase.open"),
            late_count=base.filter(late_q()).count(),
            open_count=base.exclude(state=S.CLOSED).count(),
        )
        return ctx


# --- opening a case ----------------------------------------------------------------------------


@login_required
def case_new(request):
    require(request, "cases.bullyingcase.open")
    from anxin.org.models import School

    ids = policy.schools_for(request.user, "cases.bullyingcase.open")
    schools = School.objects.restrict(request.user).filter(pk__in=ids or []).order_by("name")
    form = forms.OpenCaseForm(request.POST or None, schools=schools)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.open_case(
                by=request.user,
                school=d["school"],
                source=d["source"],
                discovered_at=d["discovered_at"],
                occurred_at=d["occurred_at"],
                place=d["place"],
                summary=d["summary"],
                behaviour_types=d["behaviour_types"],
                is_public_opinion=d["is_public_opinion"],
                suspected_serious=d["suspected_serious"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("已登记事件 %(n)s。请添加当事人。") % {"n": case.number})
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/case_new.html",
        {"title": _("登记欺凌事件"), "form": form, "first_responder_sources": [Source.HOTLINE, Source.EMAIL]},
    )


# --- the case page -----------------------------------------------------------------------------


def get_case_for_user(request, pk, action: str = "view") -> BullyingCase:
    """The one way to get a case (GUIDE conventions): scoped by the case rules, 404 outside
    scope (audited), every read audited (a case is a sensitive record, LAW 18)."""
    qs = BullyingCase.objects.select_related("school", "county", "owner", "opened_by", "first_responder")
    case = get_for_user(request, BullyingCase, pk, "view", sensitive=True, queryset=qs)
    if action != "view" and not permissions.can_case(request.user, case, action):
        deny(request, f"cases.bullyingcase.{action}", "cases.bullyingcase", case.pk)
    return case


def _elapsed_text(since, until=None) -> str:
    delta = (until or clock.now()) - since
    minutes = max(0, int(delta.total_seconds() // 60))
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return (f"{days}天" if days else "") + f"{hours}小时{mins}分"


def _deadline(case: BullyingCase):
    """The deadline shown with the state's duties."""
    if case.state == S.INVESTIGATING and hasattr(case, "investigation"):
        return case.investigation.due_at
    if case.state == S.FOLLOW_UP:
        fu = case.follow_ups.filter(done_at__isnull=True).order_by("due_on").first()
        return datetime.combine(fu.due_on, time(23, 59), tzinfo=clock.SHANGHAI) if fu else None
    if case.report_required and case.first_reported_at is None:
        return case.report_due_at
    return None


@login_required
def case_detail(request, pk):
    user = request.user
    case = get_case_for_user(request, pk)
    rights = permissions.actions_on(user, case, ACTION_RIGHTS)
    parties = list(
        case.parties.select_related("student__klass__grade", "student__school").order_by("role", "id")
    )
    names = {p.pk: p for p in parties}
    events = list(case.events.select_related("corrects").order_by("-seq"))
    for ev in events:
        pid = (ev.data or {}).get("party_id")
        ev.party = names.get(pid) if pid else None
    det_list = list(
        case.determinations.select_related("recorded_by").prefetch_related("members_present").order_by("seq")
    )
    # the guards and the checklist below read these instead of asking again (read-only page)
    case._page_parties = parties
    case._page_determination = det_list[-1] if det_list else None
    if det_list and det_list[-1].is_bullying:
        case._page_bullies = list(det_list[-1].bullies.select_related("student").order_by("id"))
    notes_allowed = "counselling_notes" in rights
    checklist = rules.closing_checklist(case) if case.state in (S.HANDLING, S.FOLLOW_UP) else None
    case._page_checklist = checklist
    transitions = []
    for t in workflow.transitions_from(case.state, case):
        if t.action in rights:
            transitions.append({"t": t, "missing": workflow.missing_for(case, t.name, {})})
    ctx = {
        "title": case.number,
        "case": case,
        "states": [(s, label, i) for i, (s, label) in enumerate(CaseState.choices)],
        "state_index": workflow_index(case.state),
        "duties": workflow.DUTIES.get(case.state),
        "deadline": _deadline(case),
        "parties": parties,
        "notices": list(
            case.notices.select_related("party__student", "guardian", "notified_by").order_by("notified_at")
        ),
        "immediate": list(case.immediate_measures.select_related("taken_by")),
        "investigation": getattr(case, "investigation", None),
        "statements": list(case.statements.select_related("party__student", "taken_by")),
        "evidence": list(case.evidence.select_related("uploaded_by")),
        "determinations": det_list,
        "measures": list(case.measures.select_related("party__student", "owner").order_by("party_id", "id")),
        "support": list(
            case.support_actions.select_related("party__student", "owner").order_by("party_id", "kind")
        ),
        "notes_allowed": notes_allowed,
        "follow_ups": list(case.follow_ups.select_related("party__student", "owner", "done_by")),
        "appeals": list(case.appeals.select_related("party__student")),
        "special": list(case.special_applications.select_related("party__student")),
        "referrals": list(case.referrals.select_related("to_user")),
        "police": list(case.police_reports.all()),
        "reports": list(case.bureau_reports.order_by("id")),
        "case_notes": list(case.notes.select_related("author")),
        "events": events,
        "transitions": transitions,
        "checklist": checklist,
        "rights": rights,
        "elapsed": _elapsed_text(case.discovered_at, case.first_reported_at),
        "result_label": law_label(RESULTS, case.result) if case.result else "",
        "is_bullying": case.result in BULLYING_RESULTS,
    }
    present = _present(case, ctx)
    from anxin.cases.params import case_rows  # R-Q-7: the parameters this case was opened under

    ctx["legal_param_rows"] = case_rows(case)
    from anxin.cases.sealing import page_context  # LAW 24: the seal in force, and who may act

    ctx["seal"] = page_context(user, case)
    ctx["steps"] = [s for s in STEPS.values() if s.available(case, rights, present)]
    return render(request, "cases/case_detail.html", ctx)


def workflow_index(state: str) -> int:
    return [s for s, _l in CaseState.choices].index(state)


@require_POST
@login_required
def case_advance(request, pk, name):
    t = workflow.TRANSITIONS.get(name)
    if t is None or name == "determine":
        raise Http404
    case = get_case_for_user(request, pk, t.action)
    try:
        services.advance(
            case,
            name,
            by=request.user,
            expected_version=request.POST.get("version") or None,
            reason=request.POST.get("reason", ""),
        )
    except ValidationError as exc:
        messages.error(request, _("不能%(label)s：") % {"label": t.label})
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(
            request,
            _("已完成：%(label)s。当前阶段：%(state)s")
            % {"label": t.label, "state": case.get_state_display()},
        )
    return redirect("cases:case_detail", pk=case.pk)


@login_required
def evidence_download(request, pk, evidence_pk):
    case = get_case_for_user(request, pk)
    ev = Evidence.objects.filter(case=case, pk=evidence_pk).first()
    if ev is None:
        raise Http404
    try:
        fh = filecrypt.open_plain(ev.file)  # decrypted as it streams, never to disk
    except (OSError, filecrypt.Damaged):
        raise Http404 from None
    audit.record("read", ev, data={"view": "cases:evidence_download"})
    response = FileResponse(
        fh,
        content_type=ev.content_type,
        as_attachment=True,
        filename=f"{case.number}-证据{ev.pk}.{ev.file.name.rsplit('.', 1)[-1]}",
    )
    response["Content-Length"] = str(fh.size)
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- one form per step -------------------------------------------------------------------------


def _v(form) -> int | None:
    return form.cleaned_data.get("version")


def _student_search(request, case):
    """The party step's search (roster.lookup: own school by part of the name, other schools of
    the county by the exact name only). A POST is checked by the form's student field."""
    from anxin.roster import lookup
    from anxin.roster.models import Student

    q = (request.GET.get("q") or "").strip()
    if request.method == "POST" or not q:
        return Student.objects.none(), q
    found = lookup.search(
        request.user, q, county_id=case.county_id, school_id=case.school_id, purpose="cases.party"
    )
    qs = Student.objects.filter(pk__in=[s.pk for s in found]).select_related("school", "klass__grade")
    return qs.order_by("school_id", "klass_id", "name"), q


def _referees(case):
    from anxin.accounts.models import User

    return (
        User.objects.filter(
            Q(memberships__role=Role.LEGAL_VP, memberships__school_id=case.school_id)
            | Q(memberships__role=Role.PARTNER_LIAISON, memberships__county_id=case.county_id)
        )
        .distinct()
        .order_by("real_name")
    )


def _run_party(request, case, d, form):
    return services.add_party(
        case,
        by=request.user,
        role=d["role"],
        student=d["student"],
        outsider_name=d["outsider_name"],
        outsider_note=d["outsider_note"],
        expected_version=_v(form),
    )


def _run_facts(request, case, d, form):
    fields = {
        k: d[k]
        for k in ("occurred_at", "place", "behaviour_types", "summary", "cause", "process", "injuries")
    }
    return services.update_facts(case, by=request.user, expected_version=_v(form), **fields)


def _run_correct(request, case, d, form):
    return services.correct_facts(
        case, by=request.user, reason=d["reason"], expected_version=_v(form), **{d["field"]: d["value"]}
    )


def _run_flag(request, case, d, form):
    return services.flag_for_report(
        case,
        by=request.user,
        public_opinion=d["public_opinion"],
        suspected_serious=d["suspected_serious"],
        reason=d["reason"],
        expected_version=_v(form),
    )


def _run_immediate(request, case, d, form):
    return services.record_immediate(
        case,
        by=request.user,
        kind=d["kind"],
        taken_at=d["taken_at"],
        description=d["description"],
        expected_version=_v(form),
    )


def _run_notice(request, case, d, form):
    return services.notify_guardian(
        case,
        by=request.user,
        party=d["party"],
        purpose=d["purpose"],
        method=d["method"],
        notified_at=d["notified_at"],
        guardian_name=d["guardian_name"],
        participated=d["participated"],
        participation=d["participation"],
        measure=d["measure"],
        expected_version=_v(form),
    )


def _run_participation(request, case, d, form):
    return services.record_participation(
        d["notice"], by=request.user, participation=d["participation"], expected_version=_v(form)
    )


def _run_statement(request, case, d, form):
    return services.record_statement(
        case,
        by=request.user,
        speaker_kind=d["speaker_kind"],
        party=d["party"],
        speaker=d["speaker"],
        content=d["content"],
        taken_at=d["taken_at"],
        expected_version=_v(form),
    )


def _run_investigation(request, case, d, form):
    facts = {k: v for k, v in d.items() if k != "version"}
    return services.update_investigation(case, by=request.user, expected_version=_v(form), **facts)


def _run_evidence(request, case, d, form):
    return services.upload_evidence(
        case, by=request.user, upload=d["file"], description=d["description"], expected_version=_v(form)
    )


def _run_determination(request, case, d, form):
    return services.record_determination(
        case,
        by=request.user,
        meeting_at=d["meeting_at"],
        meeting_place=d["meeting_place"],
        record=d["record"],
        members_present=list(d["members_present"]),
        votes_for=d["votes_for"],
        votes_against=d["votes_against"] or 0,
        votes_abstain=d["votes_abstain"] or 0,
        result=d["result"],
        between_students=d["between_students"],
        deliberate=d["deliberate"],
        means=d["means"],
        harm_types=d["harm_types"],
        advantage_bases=d["advantage_bases"],
        advantage_note=d["advantage_note"],
        bullies=list(d["bullies"]) or None,
        reason=d["reason"],
        expected_version=_v(form),
    )


def _run_measure(request, case, d, form):
    return services.record_measure(
        case,
        by=request.user,
        party=d["party"],
        item_code=d["item_code"],
        description=d["description"],
        suspension_days=d["suspension_days"],
        due_on=d["due_on"],
        owner_unit=d["owner_unit"],
        refer_to=d["refer_to"],
        expected_version=_v(form),
    )


def _run_defence(request, case, d, form):
    return services.record_defence(
        d["measure"],
        by=request.user,
        at=d["at"],
        record=d["record"],
        hearing_requested=d["hearing_requested"],
        expected_version=_v(form),
    )


def _run_hearing(request, case, d, form):
    return services.record_hearing(
        d["measure"], by=request.user, at=d["at"], record=d["record"], expected_version=_v(form)
    )


def _run_effect(request, case, d, form):
    return services.put_into_effect(d["measure"], by=request.user, expected_version=_v(form))


def _run_measure_done(request, case, d, form):
    return services.complete_measure(
        d["measure"], by=request.user, done_on=d["done_on"], expected_version=_v(form)
    )


def _run_support(request, case, d, form):
    return services.record_support(
        case,
        by=request.user,
        party=d["party"],
        kind=d["kind"],
        done_at=d["done_at"],
        provider=d["provider"],
        summary=d["summary"],
        notes=d.get("notes", ""),
        expected_version=_v(form),
    )


def _run_follow_up(request, case, d, form):
    return services.record_follow_up(
        d["follow_up"], by=request.user, outcome=d["outcome"], note=d["note"], expected_version=_v(form)
    )


def _run_police(request, case, d, form):
    return services.record_police_report(
        case,
        by=request.user,
        unit=d["unit"],
        reported_at=d["reported_at"],
        method=d["method"],
        receipt_no=d["receipt_no"],
        expected_version=_v(form),
    )


def _run_police_outcome(request, case, d, form):
    return services.record_police_outcome(
        d["report"], by=request.user, outcome=d["outcome"], expected_version=_v(form)
    )


def _run_report(request, case, d, form):
    return services.draft_report(case, by=request.user, kind=d["kind"], expected_version=_v(form))


def _run_appeal(request, case, d, form):
    return services.file_appeal(
        case,
        by=request.user,
        kind=d["kind"],
        party=d["party"],
        appellant=d["appellant"],
        filed_on=d["filed_on"],
        notified_on=d["notified_on"],
        notice_correction=d.get("notice_correction") or "",
        measure=d["measure"],
        grounds=d["grounds"],
        expected_version=_v(form),
    )


def _run_appeal_decide(request, case, d, form):
    return services.decide_appeal(
        d["appeal"],
        by=request.user,
        outcome=d["outcome"],
        outcome_text=d["outcome_text"],
        decided_on=d["decided_on"],
        new_result=d["new_result"] or None,
        expected_version=_v(form),
    )


def _run_special(request, case, d, form):
    return services.apply_special_school(
        case, by=request.user, party=d["party"], reasons=d["reasons"], expected_version=_v(form)
    )


def _run_special_decide(request, case, d, form):
    return services.decide_special_school(
        d["application"],
        by=request.user,
        approved=d["approved"],
        decided_on=d["decided_on"],
        assessment=d["assessment"],
        assessed_on=d["assessed_on"],
        decision_no=d["decision_no"],
        note=d["note"],
    )


def _run_referral(request, case, d, form):
    return services.refer_case(
        case, by=request.user, to_user=d["to_user"], purpose=d["purpose"], expected_version=_v(form)
    )


def _run_referral_outcome(request, case, d, form):
    return services.record_referral_outcome(
        d["referral"], by=request.user, outcome=d["outcome"], expected_version=_v(form)
    )


def _run_note(request, case, d, form):
    return services.add_note(case, by=request.user, text=d["text"], expected_version=_v(form))


def _run_unfounded(request, case, d, form):
    return services.close_unfounded(case, by=request.user, reason=d["reason"], expected_version=_v(form))


def _run_settle(request, case, d, form):
    return services.settle_directly(
        case, by=request.user, result=d["result"], grounds=d["grounds"], expected_version=_v(form)
    )


def _run_escalate(request, case, d, form):
    return services.escalate_settlement(
        case, by=request.user, ground=d["ground"], reason=d["reason"], expected_version=_v(form)
    )


def _measure_kwargs(request, case):
    parties = CaseParty.objects.filter(
        case=case, student__isnull=False, role__in=[PartyRole.ALLEGED_BULLY, PartyRole.VICTIM]
    )
    teacher_only = not permissions.can_case(request.user, case, "measure")
    if teacher_only:  # LAW 11: a teacher, for students of the classes they teach
        parties = parties.filter(student__klass_id__in=permissions.teacher_class_ids(request.user))
    seen, items = set(), []
    for p in parties.select_related("student__klass__grade", "student__school"):
        for it in services.allowed_items(case, p, teacher_only=teacher_only):
            if it.code not in seen:
                seen.add(it.code)
                items.append(it)
    items.sort(key=lambda it: list(LEVEL_LABELS).index(it.level))
    return {
        "items": items,
        "referees": _referees(case),
        "teacher_classes": permissions.teacher_class_ids(request.user) if teacher_only else None,
    }


def _support_kwargs(request, case):
    manager = permissions.can_case(request.user, case, "change")
    return {
        "notes_allowed": permissions.can_case(request.user, case, "counselling_notes"),
        "kinds": None if manager else COUNSELLING_KINDS,
    }


def _determination_kwargs(request, case):
    return {"committee": services.committee_for(case.school_id)}


def _appeal_decide_kwargs(kinds):
    return lambda request, case: {"kinds": kinds}


@dataclass
class Step:
    slug: str
    title: str
    form: type
    key: str  # workflow.ACTIONS key: the states where the step is open
    rights: tuple[str, ...]
    run: Callable[..., Any]
    help: str = ""
    form_kwargs: Callable[..., dict] | None = None
    multipart: bool = False
    initial_param: str = ""  # a query parameter preselecting a record (?measure=12)
    needs: str = ""  # a key of :func:`_present`: the step needs such a record to act on

    def available(self, case, rights, present: dict | None = None) -> bool:
        if case.state not in workflow.ACTIONS[self.key] or not set(self.rights) & rights:
            return False
        if self.needs:
            present = present if present is not None else _present(case)
            return present.get(self.needs, False)
        return True


def _present(case, ctx: dict | None = None) -> dict[str, bool]:
    """Which records the record-specific steps need, from lists the case page loaded already."""
    if ctx is None:
        ctx = {
            "notices": list(case.notices.all()),
            "measures": list(case.measures.all()),
            "follow_ups": list(case.follow_ups.all()),
            "police": list(case.police_reports.all()),
            "appeals": list(case.appeals.all()),
            "special": list(case.special_applications.all()),
            "referrals": list(case.referrals.all()),
        }
    proposed = [m for m in ctx["measures"] if m.state == MeasureState.PROPOSED]
    return {
        "unjoined_notice": any(not n.participated for n in ctx["notices"]),
        "proposed": bool(proposed),
        "hearing": any(m.hearing_requested for m in proposed),
        "effective": any(m.state == MeasureState.EFFECTIVE for m in ctx["measures"]),
        "open_follow_up": any(f.done_at is None for f in ctx["follow_ups"]),
        "police": bool(ctx["police"]),
        "school_appeal": any(not a.outcome and a.kind == AppealKind.SCHOOL_APPEAL for a in ctx["appeals"]),
        "review": any(not a.outcome and a.kind != AppealKind.SCHOOL_APPEAL for a in ctx["appeals"]),
        "special": any(a.status == "applied" for a in ctx["special"]),
        "referral": any(not r.outcome for r in ctx["referrals"]),
        "direct": getattr(rules.current_determination(case), "source", "") == DeterminationSource.DIRECT,
    }


STEPS: dict[str, Step] = {
    s.slug: s
    for s in (
        Step(
            "party",
            gettext_lazy("添加当事人"),
            forms.PartyForm,
            "add_party",
            ("change",),
            _run_party,
            gettext_lazy("被欺凌学生、实施欺凌学生、目击者、旁观者；可为本县任一学校的学生，或校外人员。"),
        ),
        Step(
            "facts",
            gettext_lazy("补充事件基本情况"),
            forms.FactsForm,
            "update_facts",
            ("change",),
            _run_facts,
        ),
        Step(
            "immediate",
            gettext_lazy("记录制止与初步处置"),
            forms.ImmediateForm,
            "immediate",
            ("change",),
            _run_immediate,
            gettext_lazy("一旦发现学生遭受欺凌，都应主动予以制止，并采取相应处置措施。"),
        ),
        Step(
            "notice",
            gettext_lazy("记录家长通知"),
            forms.NoticeForm,
            "notice",
            ("change",),
            _run_notice,
            gettext_lazy("学校和家长要相互通知：记录通知人、方式、时间，以及监护人是否参与处理。"),
        ),
        Step(
            "participation",
            gettext_lazy("记录监护人参与"),
            forms.ParticipationForm,
            "notice",
            ("change",),
            _run_participation,
            initial_param="notice",
            needs="unjoined_notice",
        ),
        Step(
            "statement",
            gettext_lazy("添加询问笔录"),
            forms.StatementForm,
            "statement",
            ("change", "statement"),
            _run_statement,
        ),
        Step(
            "investigation",
            gettext_lazy("填写调查情况"),
            forms.InvestigationForm,
            "investigation",
            ("change",),
            _run_investigation,
            gettext_lazy("查明时间、地点、起因、过程、涉及人员。"),
        ),
        Step(
            "evidence",
            gettext_lazy("上传证据材料"),
            forms.EvidenceForm,
            "evidence",
            ("change",),
            _run_evidence,
            multipart=True,
        ),
        Step(
            "determination",
            gettext_lazy("记录委员会认定"),
            forms.DeterminationForm,
            "determination",
            ("determine",),
            _run_determination,
            gettext_lazy(
                "由学校学生欺凌治理委员会开会认定：记录出席委员、表决和会议记录。认定为欺凌的，须写明欺凌的各项要件。"
            ),
            form_kwargs=_determination_kwargs,
        ),
        Step(
            "measure",
            gettext_lazy("记录处置措施"),
            forms.MeasureForm,
            "measure",
            ("measure", "measure_teacher"),
            _run_measure,
            gettext_lazy(
                "只列出按认定结果、学生学段和您的职责可以采取的措施（《中小学教育惩戒规则（试行）》）。"
            ),
            form_kwargs=_measure_kwargs,
        ),
        Step(
            "defence",
            gettext_lazy("记录陈述申辩"),
            forms.DefenceForm,
            "measure_progress",
            ("measure",),
            _run_defence,
            initial_param="measure",
            needs="proposed",
        ),
        Step(
            "hearing",
            gettext_lazy("记录听证"),
            forms.HearingForm,
            "measure_progress",
            ("measure",),
            _run_hearing,
            initial_param="measure",
            needs="hearing",
        ),
        Step(
            "effect",
            gettext_lazy("措施生效"),
            forms.EffectForm,
            "measure_progress",
            ("measure",),
            _run_effect,
            initial_param="measure",
            needs="proposed",
        ),
        Step(
            "measure_done",
            gettext_lazy("记录措施执行完毕"),
            forms.MeasureDoneForm,
            "measure_progress",
            ("measure", "measure_teacher"),
            _run_measure_done,
            initial_param="measure",
            needs="effective",
        ),
        Step(
            "support",
            gettext_lazy("记录心理辅导与家庭教育指导"),
            forms.SupportForm,
            "support",
            ("support",),
            _run_support,
            form_kwargs=_support_kwargs,
        ),
        Step(
            "follow_up",
            gettext_lazy("记录回访"),
            forms.FollowUpForm,
            "follow_up",
            ("change",),
            _run_follow_up,
            initial_param="follow_up",
            needs="open_follow_up",
        ),
        Step(
            "police",
            gettext_lazy("记录向公安机关报告"),
            forms.PoliceForm,
            "police_report",
            ("change",),
            _run_police,
        ),
        Step(
            "police_outcome",
            gettext_lazy("记录公安机关处理结果"),
            forms.PoliceOutcomeForm,
            "police_report",
            ("change",),
            _run_police_outcome,
            needs="police",
        ),
        Step(
            "report",
            gettext_lazy("起草向教体局的报告"),
            forms.ReportStartForm,
            "bureau_report",
            ("report_draft",),
            _run_report,
            gettext_lazy("首报、续报、终报。报告内容根据案件记录预填，可修改后报送。"),
        ),
        Step(
            "flag",
            gettext_lazy("标记须立即报告"),
            forms.FlagForm,
            "flag_report",
            ("change",),
            _run_flag,
            gettext_lazy("情节严重、涉嫌违法犯罪或舆论高度关注的事件，须立即向县教体局报告并联络公安机关。"),
        ),
        Step(
            "appeal", gettext_lazy("登记申诉、复查申请"), forms.AppealForm, "appeal", ("appeal",), _run_appeal
        ),
        Step(
            "appeal_decide",
            gettext_lazy("记录申诉决定"),
            forms.AppealDecideForm,
            "appeal",
            ("appeal_decide",),
            _run_appeal_decide,
            form_kwargs=_appeal_decide_kwargs([AppealKind.SCHOOL_APPEAL]),
            needs="school_appeal",
        ),
        Step(
            "review_decide",
            gettext_lazy("记录复查、复核决定"),
            forms.AppealDecideForm,
            "appeal",
            ("review",),
            _run_appeal_decide,
            form_kwargs=_appeal_decide_kwargs(
                [AppealKind.COUNTY_REVIEW, AppealKind.CITY_REVIEW, AppealKind.AUTHORITY_REVIEW]
            ),
            needs="review",
        ),
        Step(
            "special",
            gettext_lazy("申请转入专门学校"),
            forms.SpecialApplyForm,
            "special_school",
            ("special_apply",),
            _run_special,
            gettext_lazy(
                "学校只能提出申请，由教育行政部门经专门教育指导委员会评估后决定；学籍保留在原学校。"
            ),
        ),
        Step(
            "special_decide",
            gettext_lazy("记录专门学校申请的决定"),
            forms.SpecialDecideForm,
            "special_school",
            ("special_decide",),
            _run_special_decide,
            needs="special",
        ),
        Step(
            "referral",
            gettext_lazy("移交法治副校长或公安、司法机关"),
            forms.ReferralForm,
            "referral",
            ("change",),
            _run_referral,
            form_kwargs=lambda request, case: {"referees": _referees(case)},
        ),
        Step(
            "referral_outcome",
            gettext_lazy("记录移交事项处理结果"),
            forms.ReferralOutcomeForm,
            "referral",
            ("referral",),
            _run_referral_outcome,
            needs="referral",
        ),
        Step("note", gettext_lazy("添加备注"), forms.NoteForm, "note", ("change", "note"), _run_note),
        Step(
            "settle",
            gettext_lazy("直接处理玩笑打闹、一般纠纷"),
            forms.SettleForm,
            "settle",
            ("settle",),
            _run_settle,
            gettext_lazy(
                "学校初步判断为玩笑打闹或一般纠纷的，分管安全副校长可直接予以批评教育，记录判断依据并告知双方家长。家长有异议、有人申请认定或同一学生在规定期间内再次发生的，须提请学生欺凌治理委员会认定。"
            ),
        ),
        Step(
            "escalate",
            gettext_lazy("提请委员会认定"),
            forms.EscalateForm,
            "escalate",
            ("change",),
            _run_escalate,
            needs="direct",
        ),
        Step(
            "unfounded",
            gettext_lazy("查无实据结案"),
            forms.UnfoundedForm,
            "update_facts",
            ("close_unfounded",),
            _run_unfounded,
        ),
    )
}
ACTION_RIGHTS = sorted(
    {r for s in STEPS.values() for r in s.rights}
    | {t.action for t in workflow.TRANSITIONS.values()}
    | {"counselling_notes", "acknowledge", "report_submit"}
)


@login_required
def case_step(request, pk, step):
    st = STEPS.get(step)
    if st is None:
        raise Http404
    viewer = BullyingCase.objects.restrict(request.user, "view").filter(pk=pk if str(pk).isdigit() else 0)
    if st.slug == "measure" and not viewer.exists():
        # a subject teacher records Art 8 measures for students of the classes taught without
        # seeing the case (ROLES.md); the form offers only those students
        case = get_for_user(
            request, BullyingCase, pk, "measure_teacher", sensitive=True, queryset=BullyingCase.objects.all()
        )
    else:
        case = get_case_for_user(request, pk)
    rights = permissions.actions_on(request.user, case, st.rights)
    if not rights:
        deny(request, f"cases.bullyingcase.{st.rights[0]}", "cases.bullyingcase", case.pk)
    kwargs = {"case": case, "user": request.user}
    if st.form_kwargs:
        kwargs.update(st.form_kwargs(request, case))
    students, q = (None, "")
    if st.slug == "party":
        students, q = _student_search(request, case)
        kwargs["students"] = students
    initial = {}
    if st.initial_param and request.GET.get(st.initial_param, "").isdigit():
        initial[st.initial_param] = int(request.GET[st.initial_param])
    if st.slug == "party" and q:
        initial["student_name"] = q  # another school's student is taken only with the exact name
    form = st.form(request.POST or None, request.FILES or None, initial=initial, **kwargs)
    not_open = case.state not in workflow.ACTIONS[st.key]
    if request.method == "POST" and form.is_valid():
        try:
            obj = st.run(request, case, form.cleaned_data, form)
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        except PermissionDenied:
            deny(request, f"cases.bullyingcase.{st.rights[0]}", "cases.bullyingcase", case.pk)
        else:
            messages.success(request, _("已保存：%(t)s") % {"t": st.title})
            if isinstance(obj, BureauReport):
                return redirect("cases:report_detail", pk=obj.pk)
            if not viewer.exists():
                return redirect("core:home")
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/step.html",
        {
            "title": st.title,
            "step": st,
            "case": case,
            "form": form,
            "not_open": not_open,
            "can_view": viewer.exists(),
            "q": q,
            "students_found": list(students)
            if st.slug == "party" and q and request.method == "GET"
            else None,
        },
    )


# --- bureau reports (LAW 7) ---------------------------------------------------------------------


def _report_for_user(request, pk) -> BureauReport:
    report = (
        BureauReport.objects.select_related(
            "case__school", "case__county", "previous", "submitted_by", "acknowledged_by"
        )
        .filter(pk=pk if str(pk).isdigit() else 0)
        .first()
    )
    if report is None:
        raise Http404
    get_case_for_user(request, report.case_id)  # the case's rules decide (404 + audit outside scope)
    if report.submitted_at is None and not permissions.can_case(request.user, report.case, "report_draft"):
        raise Http404  # drafts stay in the school
    return report


@login_required
def report_detail(request, pk):
    report = _report_for_user(request, pk)
    case = report.case
    user = request.user
    can_draft = report.submitted_at is None and permissions.can_case(user, case, "report_draft")
    can_submit = report.submitted_at is None and permissions.can_case(user, case, "report_submit")
    can_ack = (
        report.submitted_at is not None
        and report.acknowledged_at is None
        and permissions.can_case(user, case, "acknowledge")
    )
    form = forms.ReportForm(request.POST or None, report=report) if can_draft else None
    if request.method == "POST":
        if not can_draft:
            deny(request, "cases.bullyingcase.report_draft", "cases.bureaureport", report.pk)
        if form.is_valid():
            values = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                services.update_report(report, by=user, **values)
                if request.POST.get("submit") == "1":
                    if not can_submit:
                        deny(request, "cases.bullyingcase.report_submit", "cases.bureaureport", report.pk)
                    services.submit_report(report, by=user)
                    messages.success(request, _("报告已报送县教体局。"))
                else:
                    messages.success(request, _("草稿已保存。"))
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            else:
                return redirect("cases:report_detail", pk=report.pk)
    now = clock.now()
    until = report.submitted_at or now
    ctx = {
        "title": f"{case.number} {report.title_suffix}",
        "report": report,
        "case": case,
        "fields": [(label, getattr(report, f)) for f, label in REPORT_FIELDS],
        "form": form,
        "can_submit": can_submit,
        "can_ack": can_ack,
        "ack_form": forms.AcknowledgeForm() if can_ack else None,
        "elapsed": _elapsed_text(case.discovered_at, until),
        "as_of": now,
        "due_at": case.report_due_at,
        "overdue": bool(
            case.report_required
            and case.report_due_at
            and until > case.report_due_at
            and report.kind == ReportKind.FIRST
        ),
        "names_visible": True,
    }
    return render(request, "cases/report_detail.html", ctx)


@require_POST
@login_required
def report_acknowledge(request, pk):
    report = _report_for_user(request, pk)
    if not permissions.can_case(request.user, report.case, "acknowledge"):
        deny(request, "cases.bullyingcase.acknowledge", "cases.bureaureport", report.pk)
    form = forms.AcknowledgeForm(request.POST)
    form.is_valid()
    try:
        services.acknowledge_report(report, by=request.user, note=form.cleaned_data.get("note", ""))
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已签收。"))
    return redirect("cases:report_detail", pk=report.pk)


@login_required
def report_docx(request, pk):
    report = _report_for_user(request, pk)
    audit.record("export", report, data={"format": "docx"})
    response = HttpResponse(documents.report_docx(report), content_type=documents.DOCX)
    from django.utils.encoding import escape_uri_path

    response["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{escape_uri_path(documents.filename_of(report))}"
    )
    return response


class ReportListView(ScopedListView):
    """Reports to the bureau: the bureau's inbox (submitted reports of cases reported to it),
    a school's own reports and drafts."""

    model = BureauReport
    filterset_class = ReportFilter
    template_name = "cases/report_list.html"
    title = gettext_lazy("向教体局报告")
    export_name = gettext_lazy("欺凌事件报告登记")
    columns = [
        (gettext_lazy("案件编号"), "case.number"),
        (gettext_lazy("学校"), "case.school.name"),
        (gettext_lazy("类别"), "title_suffix"),
        (gettext_lazy("报送时间"), "submitted_local"),
        (gettext_lazy("迟报"), "is_late"),
        (gettext_lazy("签收时间"), "ack_local"),
    ]

    def get(self, request, *args, **kwargs):
        if not (
            policy.can(request.user, "cases.bullyingcase.acknowledge")
            or policy.can(request.user, "cases.bullyingcase.report_draft")
        ):
            deny(request, "cases.bullyingcase.acknowledge")
        return super().get(request, *args, **kwargs)

    def base_queryset(self):
        user = self.request.user
        cases = BullyingCase.objects.restrict(user, "view")
        qs = BureauReport.objects.filter(case__in=cases.values("pk")).select_related("case__school")
        drafting = BullyingCase.objects.restrict(user, "report_draft").values("pk")
        qs = qs.filter(Q(submitted_at__isnull=False) | Q(case__in=drafting))
        return qs.order_by(
            F("acknowledged_at").asc(nulls_first=True), "-id"
        )  # the inbox: unacknowledged first

    def submitted_local(self, obj):
        return (
            obj.submitted_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
            if obj.submitted_at
            else "草稿"
        )

    def ack_local(self, obj):
        return (
            obj.acknowledged_at.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
            if obj.acknowledged_at
            else ""
        )


# --- the committee (LAW 3, 4) -------------------------------------------------------------------


@login_required
def committee_page(request):
    require(request, "cases.committee.view")
    from anxin.org.models import School

    ids = policy.schools_for(request.user, "cases.committee.view")
    schools = School.objects.restrict(request.user).filter(pk__in=ids or []).order_by("name")
    school = schools.filter(pk=request.GET.get("school") or 0).first() or schools.first()
    if school is None:
        raise Http404
    committee = Committee.objects.filter(school=school).first()
    probe = Committee(county_id=school.county_id, school_id=school.pk)
    can_change = policy.allows(request.user, probe, "change")
    committee_form, member_form = (
        forms.CommitteeForm(initial={"established_on": clock.today()}),
        forms.MemberForm(),
    )
    if request.method == "POST":
        if not can_change:
            deny(request, "cases.committee.change", "cases.committee", getattr(committee, "pk", ""))
        action = request.POST.get("action")
        try:
            if action == "constitute":
                committee_form = forms.CommitteeForm(request.POST)
                if committee_form.is_valid():
                    services.constitute_committee(
                        by=request.user,
                        school=school,
                        established_on=committee_form.cleaned_data["established_on"],
                    )
                    messages.success(request, _("已组建学生欺凌治理委员会。请添加委员。"))
                    return redirect(f"{reverse('cases:committee')}?school={school.pk}")
            elif action == "add" and committee is not None:
                member_form = forms.MemberForm(request.POST)
                if member_form.is_valid():
                    services.add_member(committee, by=request.user, **member_form.cleaned_data)
                    messages.success(request, _("已添加委员。"))
                    return redirect(f"{reverse('cases:committee')}?school={school.pk}")
            elif action == "leave" and committee is not None:
                member = CommitteeMember.objects.filter(
                    committee=committee, pk=request.POST.get("member") or 0
                ).first()
                if member is None:
                    raise Http404
                services.member_leaves(member, by=request.user)
                messages.success(request, _("委员已退出。"))
                return redirect(f"{reverse('cases:committee')}?school={school.pk}")
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
    members = list(committee.members.order_by("left_on", "-is_chair", "kind", "id")) if committee else []
    return render(
        request,
        "cases/committee.html",
        {
            "title": _("学生欺凌治理委员会"),
            "school": school,
            "schools": schools,
            "committee": committee,
            "members": members,
            "gaps": rules.committee_gaps(committee, school),
            "can_change": can_change,
            "committee_form": committee_form,
            "member_form": member_form,
        },
    )


# --- the holiday calendar (LAW 14) ----------------------------------------------------------------


@login_required
def holiday_list(request):
    require(request, "cases.holiday.view")
    user = request.user
    county_id = user.county_id
    can_change = policy.can(user, "cases.holiday.change")
    form = forms.HolidayForm(request.POST or None)
    if request.method == "POST":
        if not can_change:
            deny(request, "cases.holiday.change")
        if form.is_valid():
            d = form.cleaned_data
            Holiday.objects.update_or_create(
                county_id=county_id,
                date=d["date"],
                defaults={"name": d["name"], "is_workday": d["is_workday"]},
            )
            messages.success(request, _("已保存。"))
            return redirect("cases:holidays")
    days = (
        Holiday.objects.restrict(user)
        .filter(date__gte=clock.today().replace(month=1, day=1))
        .order_by("date")
    )
    return render(
        request,
        "cases/holidays.html",
        {"title": _("节假日与调休"), "days": days, "form": form, "can_change": can_change},
    )


# --- the county's legal parameters (R-Q-7) ----------------------------------------------------------


@login_required
def legal_params(request):
    """The county's legal parameters with their defaults and sources; the county's
    administrator sets a new version with an effective date (never an edit)."""
    from anxin.cases import params

    require(request, "cases.legalparameterversion.view")
    user = request.user
    county_id = user.county_id
    can_change = policy.can(user, "cases.legalparameterversion.change")
    rows = params.rows(county_id)
    form = forms.LegalParametersForm(request.POST or None, current={r.key: r.value for r in rows})
    if request.method == "POST":
        if not can_change:
            deny(request, "cases.legalparameterversion.change")
        if form.is_valid():
            d = dict(form.cleaned_data)
            try:
                params.set_version(
                    by=user,
                    county_id=county_id,
                    effective_from=d.pop("effective_from"),
                    reason=d.pop("reason"),
                    values=d,
                )
            except ValidationError as exc:
                form.add_error(None, exc.messages)
            except PermissionDenied:
                deny(request, "cases.legalparameterversion.change")
            else:
                messages.success(request, _("已保存新的参数版本。"))
                return redirect("cases:legal_params")
    return render(
        request,
        "cases/legal_params.html",
        {
            "title": _("本县法定参数"),
            "rows": rows,
            "versions": params.versions(county_id)[:50],
            "form": form,
            "can_change": can_change,
        },
    )
