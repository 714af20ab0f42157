"""The case page: its timeline, the duties and deadline of its state, the steps and
transitions open to the user; taking a transition; downloading an evidence file."""

from __future__ import annotations

import functools
from datetime import datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from anxin.cases import permissions, rules, services, workflow
from anxin.cases.law.definitions import BULLYING_RESULTS, RESULTS
from anxin.cases.law.definitions import label as law_label
from anxin.cases.models import (
    BullyingCase,
    BureauReport,
    CaseState,
    DeterminationBully,
    DeterminationMember,
    Evidence,
)
from anxin.cases.views._common import S, _elapsed_text, get_case_for_user
from anxin.cases.views.steps import ACTION_RIGHTS, STEPS, _present
from anxin.core import audit, clock, filecrypt, relations, sqlcache
from anxin.core.crypto import encrypted_fields
from anxin.core.templatetags.anxin_time import stamp
from anxin.roster.models import Student

# the case's lists the page shows; which of them have rows is asked in one query (core.relations)
PAGE_RELATIONS = (
    "notices",
    "immediate_measures",
    "investigation",
    "statements",
    "evidence",
    "determinations",
    "measures",
    "support_actions",
    "follow_ups",
    "appeals",
    "special_applications",
    "referrals",
    "police_reports",
    "bureau_reports",
    "notes",
    "seals",
)
# the steps' and transitions' rights, and the seal's: one query for all of them
PAGE_RIGHTS = sorted({*ACTION_RIGHTS, "seal"})

# --- the case page -----------------------------------------------------------------------------


def _deadline(case: BullyingCase):
    """The deadline shown with the state's duties."""
    if case.state == S.INVESTIGATING and hasattr(case, "investigation"):
        return case.investigation.due_at
    if case.state == S.FOLLOW_UP:
        fu = min(
            (f for f in rules._rows(case, "follow_ups") if f.done_at is None),
            key=lambda f: f.due_on,
            default=None,
        )
        return datetime.combine(fu.due_on, time(23, 59), tzinfo=clock.SHANGHAI) if fu else None
    if case.report_required and case.first_reported_at is None:
        return case.report_due_at
    return None


@functools.cache
def _has_party(rel: str) -> bool:
    return any(f.name == "party" for f in BullyingCase._meta.get_field(rel).related_model._meta.fields)


def _list_of(case, rel: str, related=(), order=(), prefetch=(), defer=(), parties=None) -> list:
    """The case's rows of ``rel`` (a reverse relation). The statement depends on the case's id
    alone, so it is built and compiled once per process (core.sqlcache); each row's ``case`` is
    this case, as the related manager gives it, and, given the case's ``parties`` by id, each
    row's ``party`` is the one already read (no join, no second copy of the student)."""
    fk = BullyingCase._meta.get_field(rel).field

    def build(case_id):
        qs = fk.model._default_manager.filter(**{fk.attname: case_id})
        if related:  # (select_related() without names would follow every foreign key)
            qs = qs.select_related(*related)
        if prefetch:
            qs = qs.prefetch_related(*prefetch)
        if defer:
            qs = qs.defer(*defer)
        return qs.order_by(*order) if order else qs

    out = sqlcache.rows(("cases.page", rel, related, order, prefetch, defer), build, case.pk)
    party = fk.model._meta.get_field("party") if parties is not None else None
    for row in out:
        fk.set_cached_value(row, case)
        if party is not None and row.party_id in parties:
            party.set_cached_value(row, parties[row.party_id])
    return out


@login_required
def case_detail(request, pk):
    user = request.user
    case = get_case_for_user(request, pk)
    rights = permissions.actions_on(user, case, PAGE_RIGHTS)
    # (the students' encrypted fields, which the page does not show, are left unread)
    parties = _list_of(
        case,
        "parties",
        ("student__klass__grade", "student__school"),
        ("role", "id"),
        defer=encrypted_fields(Student, "student__"),
    )
    names = {p.pk: p for p in parties}
    events = _list_of(case, "events", ("corrects",), ("-seq",))
    for ev in events:
        pid = (ev.data or {}).get("party_id")
        ev.party = names.get(pid) if pid else None
    # the lists this case has rows in, asked once: an empty list costs no query of its own
    has = relations.nonempty(case, PAGE_RELATIONS)

    def load(rel, *related, order=(), defer=()):
        if rel not in has:
            return []
        return _list_of(case, rel, related, order, defer=defer, parties=names if _has_party(rel) else None)

    det_list = []
    if "determinations" in has:
        det_list = _list_of(case, "determinations", ("recorded_by",), ("seq",))
        # the committee members present at each meeting, in the committee's order (one kept statement)
        present = sqlcache.rows(
            ("cases.page.present",),
            lambda case_id: (
                DeterminationMember.objects.filter(determination__case_id=case_id)
                .select_related("committeemember")
                .order_by("determination_id", "committeemember")
            ),  # (a relation orders by its Meta.ordering)
            case.pk,
        )
        for d in det_list:
            d.present_names = "、".join(m.committeemember.name for m in present if m.determination_id == d.pk)
    # each relation read once, for the page and for the guards and checklist below (rules._rows)
    rows = {
        "events": events,
        "notices": load("notices", "guardian", "notified_by", order=("notified_at",)),
        "immediate_measures": load("immediate_measures", "taken_by"),
        "statements": load("statements", "taken_by"),
        "measures": load("measures", "owner", order=("party_id", "id")),
        "support_actions": load("support_actions", "owner", order=("party_id", "kind")),
        "follow_ups": load("follow_ups", "owner", "done_by"),
        "appeals": load("appeals"),
        "special_applications": load("special_applications"),
        "referrals": load("referrals", "to_user"),
        "police_reports": load("police_reports"),
        "bureau_reports": load("bureau_reports", order=("id",), defer=encrypted_fields(BureauReport)),
    }
    case._page_rows = rows
    case._page_parties = parties
    case._page_determination = det_list[-1] if det_list else None
    if det_list and det_list[-1].is_bullying:
        # those found to have bullied are parties of the case, already read: only their ids
        found = sqlcache.rows(
            ("cases.page.bullies",),
            lambda det_id: DeterminationBully.objects.filter(determination_id=det_id).values_list(
                "caseparty_id", flat=True
            ),
            det_list[-1].pk,
        )
        case._page_bullies = [names[i] for i in sorted(found) if i in names]
    # the investigation (one to one) from the same kept statements, or none: no query of its own
    investigation_rel = BullyingCase._meta.get_field("investigation")
    investigation_rel.set_cached_value(case, (load("investigation") or [None])[0])
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
        "notices": rows["notices"],
        "immediate": rows["immediate_measures"],
        "investigation": getattr(case, "investigation", None),
        "statements": rows["statements"],
        "evidence": load("evidence", "uploaded_by"),
        "determinations": det_list,
        "measures": rows["measures"],
        "support": rows["support_actions"],
        "notes_allowed": notes_allowed,
        "follow_ups": rows["follow_ups"],
        "appeals": rows["appeals"],
        "special": rows["special_applications"],
        "referrals": rows["referrals"],
        "police": rows["police_reports"],
        "reports": rows["bureau_reports"],
        "case_notes": load("notes", "author"),
        "timeline": _timeline_html(events),
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

    ctx["seal"] = page_context(user, case, rights=rights, sealed="seals" in has)
    ctx["steps"] = [s for s in STEPS.values() if s.available(case, rights, present)]
    return render(request, "cases/case_detail.html", ctx)


def _timeline_html(events) -> SafeString:
    """The timeline's lines, newest first, built in one pass: a case gathers dozens of events and
    each line resolved some ten variables and tags through the template language. The markup is
    what the template gave; every value is escaped."""
    fix = escape(_("更正/变更"))
    out = []
    for e in events:
        line = f'<li><span class="muted">#{e.seq} {stamp(localtime(e.at))} {escape(e.actor)}</span> {escape(e.summary)}'
        if e.party:
            line += f"（{escape(e.party.name)}）"
        if e.corrects_id:
            line += f' <span class="badge">{fix} → #{e.corrects.seq}</span>'
        out.append(line + "</li>")
    return mark_safe("".join(out))  # noqa: S308 — every value above is escaped


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
