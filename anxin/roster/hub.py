"""The student page as the hub (issue 11 item 4): everything the platform knows about one
student, each part shown only to those allowed (deny by default: a part the user may not read
is neither queried nor shown), in a fixed number of queries whatever the student's history.

Parts: risk level with its reasons and history, the proposed or running care plan and the next
contact due, every talk / visit / 家校 contact, screening results, survey flags, reports and
concerns, cases, referrals to partner units (部门联动), and the one-tap actions (记一次谈心 / 家访 / 反映情况). The page's read is
audited once, naming the parts shown (``sections``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.apps import apps
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.core import policy
from anxin.roster import hooks

CONTACT_LIMIT = 50
HISTORY_LIMIT = 10


@dataclass
class Hub:
    student: object
    sections: list[str] = field(default_factory=list)
    risk: object | None = None  # RiskState
    risk_history: list = field(default_factory=list)
    proposal: object | None = None  # care.risk_actions.Proposal, when one is open
    plans: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    records: list = field(default_factory=list)  # ScreeningRecord
    flags: list = field(default_factory=list)  # open survey flags (labels)
    disclosures: list = field(default_factory=list)  # (response, labels) of past answers
    reports: list = field(default_factory=list)
    cases: list = field(default_factory=list)  # (case, [party role labels])
    referrals: list = field(default_factory=list)  # supervision.Referral: 部门联动 outside a case
    actions: list = field(default_factory=list)  # (label, url, primary)

    @property
    def active_plans(self) -> list:
        return [p for p in self.plans if p.is_active]

    @property
    def next_due(self):
        dues = [p.next_due_on for p in self.active_plans if p.next_due_on]
        return min(dues) if dues else None


def _probe(model, student, **extra):
    return model(county_id=student.county_id, school_id=student.school_id, student=student, **extra)


def _model(label: str):
    """A feature app's model, through the registry: roster sits below them (docs/architecture.md)."""
    return apps.get_model(label)


def build(user, student) -> Hub:
    CarePlan, ContactLog = _model("care.CarePlan"), _model("care.ContactLog")  # noqa: N806
    RiskAssessment, RiskState = _model("screening.RiskAssessment"), _model("screening.RiskState")  # noqa: N806
    ScreeningRecord, SurveyResponse = _model("screening.ScreeningRecord"), _model("screening.SurveyResponse")  # noqa: N806

    hub = Hub(student=student)
    here = reverse("roster:student_detail", args=[student.pk])

    # --- risk and the proposal (screening.riskstate.view) ---------------------------------------
    if policy.allows(user, _probe(RiskState, student), "view"):
        hub.sections.append("risk")
        hub.risk = RiskState.objects.filter(student_id=student.pk).first()
        hub.risk_history = list(
            RiskAssessment.objects.filter(student_id=student.pk).order_by("-at", "-id")[:HISTORY_LIMIT]
        )

    # --- care (care.careplan.view, care.contactlog.view) ------------------------------------------
    can_plans = policy.allows(user, _probe(CarePlan, student), "view")
    if can_plans:
        hub.sections.append("care")
        hub.plans = list(
            CarePlan.objects.filter(student_id=student.pk)
            .select_related("owner")
            .order_by("status", "-starts_on")
        )
    if policy.allows(user, _probe(ContactLog, student), "view"):
        hub.sections.append("contacts")
        hub.contacts = list(
            ContactLog.objects.filter(student_id=student.pk)
            .select_related("staff")
            .order_by("-occurred_at", "-id")[:CONTACT_LIMIT]
        )
    if hub.risk is not None and can_plans and "contacts" in hub.sections:
        hub.proposal = hooks.call("risk_proposal", hub)

    # --- screening results (screening.screeningrecord.view) ----------------------------------------
    probe = ScreeningRecord(
        county_id=student.county_id, school_id=student.school_id, klass_id=student.klass_id
    )
    if policy.allows(user, probe, "view"):
        hub.sections.append("screening")
        hub.records = list(
            ScreeningRecord.objects.filter(student_id=student.pk)
            .select_related("round", "recorded_by")
            .order_by("-round_id")[:HISTORY_LIMIT]
        )

    # --- survey flags (screening.surveyresponse.view) ------------------------------------------------
    probe = SurveyResponse(
        county_id=student.county_id, school_id=student.school_id, klass_id=student.klass_id
    )
    if policy.allows(user, probe, "view"):
        hub.sections.append("survey")
        for resp in (
            SurveyResponse.objects.filter(student_id=student.pk)
            .select_related("survey")
            .order_by("-created_at")
        ):
            labels = hooks.call("survey_labels", resp, default=[])
            if labels:
                hub.disclosures.append((resp, labels))
        hub.flags = _open_flags(hub)

    # --- reports and concerns (intake.report.view) -----------------------------------------------------
    if policy.can(user, "intake.report.view"):
        Report = _model("intake.Report")  # noqa: N806
        hub.sections.append("reports")
        hub.reports = list(
            Report.objects.restrict(user, "view")
            .filter(Q(student_id=student.pk) | Q(linked_students__student_id=student.pk))
            .distinct()
            .order_by("-created_at")[:HISTORY_LIMIT]
        )

    # --- cases (cases.bullyingcase.view, party-based rules) -------------------------------------------
    if policy.can(user, "cases.bullyingcase.view"):
        BullyingCase, CaseParty = _model("cases.BullyingCase"), _model("cases.CaseParty")  # noqa: N806
        visible = BullyingCase.objects.restrict(user, "view")
        roles: dict[int, list] = {}
        cases: dict[int, object] = {}
        for party in (
            CaseParty.objects.filter(student_id=student.pk, case__in=visible)
            .select_related("case")
            .order_by("-case__discovered_at", "pk")
        ):
            cases.setdefault(party.case_id, party.case)
            roles.setdefault(party.case_id, []).append(party.get_role_display())
        hub.sections.append("cases")
        hub.cases = [(c, roles[pk]) for pk, c in cases.items()]

    # --- referrals to partner units outside a case (supervision.referral.view) -----------------------
    if policy.can(user, "supervision.referral.view"):
        Referral = _model("supervision.Referral")  # noqa: N806
        hub.sections.append("referrals")
        hub.referrals = list(
            Referral.objects.restrict(user, "view")
            .filter(student_id=student.pk)
            .select_related("unit")
            .order_by("-created_at")[:HISTORY_LIMIT]
        )

    # --- one-tap actions ---------------------------------------------------------------------------------
    log = reverse("care:student_log", args=[student.pk])
    if policy.allows(user, _probe(ContactLog, student), "change"):
        hub.actions.append((_("记一次谈心"), f"{log}?{urlencode({'kind': 'talk', 'next': here})}", True))
        hub.actions.append((_("家访"), f"{log}?{urlencode({'kind': 'home_visit', 'next': here})}", False))
    if policy.can(user, "intake.concern.add"):
        hub.actions.append((_("反映情况"), reverse("intake:concern_new") + f"?student={student.pk}", False))
    if policy.allows(user, _probe(CarePlan, student), "change") and not any(
        p.kind == "care" for p in hub.active_plans
    ):
        query = {"student": student.pk, "kind": "care"}
        if hub.proposal is not None:
            query["level"] = hub.proposal.level
        hub.actions.append((_("建立关爱计划"), reverse("care:plan_create") + "?" + urlencode(query), False))
    return hub


def _open_flags(hub: Hub) -> list[str]:
    """Labels of answers no talk or concern has followed yet. Uses the contacts and reports
    the hub read when the user may see them; otherwise asks the database (one query each)."""
    ContactLog, Report = _model("care.ContactLog"), _model("intake.Report")  # noqa: N806
    sid = hub.student.pk
    contacts = (
        [c.created_at for c in hub.contacts]
        if "contacts" in hub.sections
        else list(ContactLog.objects.filter(student_id=sid).values_list("created_at", flat=True))
    )
    concerns = list(Report.objects.filter(student_id=sid).values_list("created_at", flat=True))
    last = max([*contacts, *concerns], default=None)
    out: list[str] = []
    for resp, labels in hub.disclosures:
        if last is None or last < resp.created_at:
            out.extend(lbl for lbl in labels if lbl not in out)
    return out
