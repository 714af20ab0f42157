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
