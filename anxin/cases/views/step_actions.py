"""What each step form does: the service call it makes with the cleaned data (``_run_*``) and
the extra arguments some forms take (``_*_kwargs``). The table of steps is in ``steps``."""

from __future__ import annotations

from django.db.models import Q

from anxin.cases import permissions, services
from anxin.cases.law.catalogue import LEVEL_LABELS
from anxin.cases.models import (
    COUNSELLING_KINDS,
    CaseParty,
    PartyRole,
)
from anxin.core.roles import Role

# --- one form per step -------------------------------------------------------------------------


def _v(form) -> int | None:
    return form.cleaned_data.get("version")


def _fields(d: dict, *names: str) -> dict:
    """The cleaned fields a service takes under the same names."""
    return {name: d[name] for name in names}


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
        expected_version=_v(form),
        **_fields(d, "role", "student", "outsider_name", "outsider_note"),
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
        expected_version=_v(form),
        **_fields(d, "public_opinion", "suspected_serious", "reason"),
    )


def _run_immediate(request, case, d, form):
    return services.record_immediate(
        case, by=request.user, expected_version=_v(form), **_fields(d, "kind", "taken_at", "description")
    )


def _run_notice(request, case, d, form):
    return services.notify_guardian(
        case,
        by=request.user,
        expected_version=_v(form),
        **_fields(
            d,
            "party",
            "purpose",
            "method",
            "notified_at",
            "guardian_name",
            "participated",
            "participation",
            "measure",
        ),
    )


def _run_participation(request, case, d, form):
    return services.record_participation(
        d["notice"], by=request.user, participation=d["participation"], expected_version=_v(form)
    )


def _run_statement(request, case, d, form):
    return services.record_statement(
        case,
        by=request.user,
        expected_version=_v(form),
        **_fields(d, "speaker_kind", "party", "speaker", "content", "taken_at"),
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
        members_present=list(d["members_present"]),
        votes_against=d["votes_against"] or 0,
        votes_abstain=d["votes_abstain"] or 0,
        bullies=list(d["bullies"]) or None,
        expected_version=_v(form),
        **_fields(
            d,
            "meeting_at",
            "meeting_place",
            "record",
            "votes_for",
            "result",
            "between_students",
            "deliberate",
            "means",
            "harm_types",
            "advantage_bases",
            "advantage_note",
            "reason",
        ),
    )


def _run_measure(request, case, d, form):
    return services.record_measure(
        case,
        by=request.user,
        expected_version=_v(form),
        **_fields(
            d, "party", "item_code", "description", "suspension_days", "due_on", "owner_unit", "refer_to"
        ),
    )


def _run_defence(request, case, d, form):
    return services.record_defence(
        d["measure"],
        by=request.user,
        expected_version=_v(form),
        **_fields(d, "at", "record", "hearing_requested"),
    )


def _run_hearing(request, case, d, form):
    return services.record_hearing(
        d["measure"], by=request.user, expected_version=_v(form), **_fields(d, "at", "record")
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
        notes=d.get("notes", ""),
        expected_version=_v(form),
        **_fields(d, "party", "kind", "done_at", "provider", "summary"),
    )


def _run_follow_up(request, case, d, form):
    return services.record_follow_up(
        d["follow_up"], by=request.user, expected_version=_v(form), **_fields(d, "outcome", "note")
    )


def _run_police(request, case, d, form):
    return services.record_police_report(
        case,
        by=request.user,
        expected_version=_v(form),
        **_fields(d, "unit", "reported_at", "method", "receipt_no"),
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
        notice_correction=d.get("notice_correction") or "",
        expected_version=_v(form),
        **_fields(d, "kind", "party", "appellant", "filed_on", "notified_on", "measure", "grounds"),
    )


def _run_appeal_decide(request, case, d, form):
    return services.decide_appeal(
        d["appeal"],
        by=request.user,
        new_result=d["new_result"] or None,
        expected_version=_v(form),
        **_fields(d, "outcome", "outcome_text", "decided_on"),
    )


def _run_special(request, case, d, form):
    return services.apply_special_school(
        case, by=request.user, expected_version=_v(form), **_fields(d, "party", "reasons")
    )


def _run_special_decide(request, case, d, form):
    return services.decide_special_school(
        d["application"],
        by=request.user,
        **_fields(d, "approved", "decided_on", "assessment", "assessed_on", "decision_no", "note"),
    )


def _run_referral(request, case, d, form):
    return services.refer_case(
        case, by=request.user, expected_version=_v(form), **_fields(d, "to_user", "purpose")
    )


def _run_referral_outcome(request, case, d, form):
    return services.record_referral_outcome(
        d["referral"], by=request.user, outcome=d["outcome"], expected_version=_v(form)
    )


def _run_note(request, case, d, form):
    return services.add_note(case, by=request.user, text=d["text"], expected_version=_v(form))


def _run_reassign(request, case, d, form):
    return services.reassign_case(
        case, by=request.user, to_user=d["owner"], reason=d["reason"], expected_version=_v(form)
    )


def _run_unfounded(request, case, d, form):
    return services.close_unfounded(case, by=request.user, reason=d["reason"], expected_version=_v(form))


def _run_settle(request, case, d, form):
    return services.settle_directly(
        case, by=request.user, expected_version=_v(form), **_fields(d, "result", "grounds")
    )


def _run_escalate(request, case, d, form):
    return services.escalate_settlement(
        case, by=request.user, expected_version=_v(form), **_fields(d, "ground", "reason")
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
