"""Referrals to the legal vice-principal or a partner liaison, and the report to the police
(LAW 7), each with its outcome."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.urls import reverse

from anxin.cases.models import (
    BullyingCase,
    CaseReferral,
    Measure,
    MeasureState,
    PoliceReport,
)
from anxin.cases.services._common import Refused, _acting, _event, _now, _touch, _user_label
from anxin.core import clock
from anxin.core.notify import notify
from anxin.core.roles import Role

# --- referrals, police -------------------------------------------------------------------------


def _refer(c: BullyingCase, by, to_user, purpose: str, measure: Measure | None = None) -> CaseReferral:
    from anxin.accounts.models import Membership

    active = Membership.objects.active().filter(user=to_user)
    legal_vp_here = active.filter(role=Role.LEGAL_VP, school_id=c.school_id).exists()
    liaison = active.filter(role=Role.PARTNER_LIAISON, county_id=c.county_id).exists()
    if not (legal_vp_here or liaison):
        raise Refused("只能移交本校法治副校长或本县公安、检察、法院联络员")
    r = CaseReferral.objects.create(
        county_id=c.county_id,
        school_id=c.school_id,
        case=c,
        to_user=to_user,
        measure=measure,
        purpose=purpose[:200],
        referred_at=_now(),
        referred_by=by,
    )
    _event(c, "referral", f"移交：{purpose[:80]}（移交给{_user_label(to_user)}）", by, data={"id": r.pk})
    notify(
        [to_user],
        kind="case_referral",
        title=f"移交案件 {c.number}：{purpose[:40]}",
        url=reverse("cases:case_detail", args=[c.pk]),
        dedupe_key=f"referral:{r.pk}",
        school=c.school_id,
    )
    return r


def refer_case(
    case, *, by, to_user, purpose: str, measure: Measure | None = None, expected_version: int | None = None
) -> CaseReferral:
    """Refer a case to the legal vice-principal or a liaison (ROLES.md: they see only that)."""
    if not purpose.strip():
        raise Refused("请写明移交事项")
    with _acting(case, by, "change", step="referral", expected_version=expected_version) as c:
        return _refer(c, by, to_user, purpose.strip(), measure)


def receive_referral(referral: CaseReferral, *, by, expected_version: int | None = None) -> CaseReferral:
    with _acting(referral.case_id, by, "referral", expected_version=expected_version) as c:
        r = CaseReferral.objects.get(pk=referral.pk, case=c)
        if r.to_user_id != by.pk:
            raise PermissionDenied("cases.bullyingcase.referral")
        if r.received_at is None:
            r.received_at = _now()
            r.save(update_fields=["received_at", "updated_at"])
            _event(c, "referral.received", f"{_user_label(by)}已接收移交（#{r.pk}）", by, data={"id": r.pk})
        return r


def record_referral_outcome(
    referral: CaseReferral, *, by, outcome: str, expected_version: int | None = None
) -> CaseReferral:
    """The legal vice-principal or liaison records what was done (警示教育、训诫、依法处置)."""
    if not outcome.strip():
        raise Refused("请填写处理结果")
    with _acting(referral.case_id, by, "referral", expected_version=expected_version) as c:
        r = CaseReferral.objects.get(pk=referral.pk, case=c)
        if r.to_user_id != by.pk:
            raise PermissionDenied("cases.bullyingcase.referral")
        r.outcome, r.outcome_at = outcome.strip(), _now()
        r.received_at = r.received_at or r.outcome_at
        r.save(update_fields=["outcome", "outcome_at", "received_at", "updated_at"])
        _event(c, "referral.outcome", f"移交事项处理结果已记录（#{r.pk}）", by, data={"id": r.pk})
        if r.measure_id:
            m = Measure.objects.get(pk=r.measure_id)
            if m.state == MeasureState.EFFECTIVE:
                m.state, m.done_on = MeasureState.DONE, clock.today()
                m.save(update_fields=["state", "done_on", "updated_at"])
                _event(c, "measure.done", f"措施执行完毕：{m.label}（措施#{m.pk}）", by, data={"id": m.pk})
        return r


def record_police_report(
    case,
    *,
    by,
    unit: str,
    reported_at: dt.datetime,
    method: str = "",
    receipt_no: str = "",
    expected_version: int | None = None,
) -> PoliceReport:
    """The report to the police (LAW 7): receiving unit and time."""
    if not unit.strip():
        raise Refused("请填写接报单位")
    if reported_at > _now() + dt.timedelta(minutes=5):
        raise Refused("报告时间不能晚于现在")
    with _acting(case, by, "change", step="police_report", expected_version=expected_version) as c:
        p = PoliceReport.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            unit=unit.strip(),
            reported_at=reported_at,
            method=method.strip(),
            receipt_no=receipt_no.strip(),
            reported_by=by,
        )
        if c.police_reported_at is None or reported_at < c.police_reported_at:
            c.police_reported_at = reported_at
            _touch(c, "police_reported_at")
        _event(c, "police", f"向公安机关报告：{unit.strip()[:40]}", by, data={"id": p.pk})
        return p


def record_police_outcome(
    report: PoliceReport, *, by, outcome: str, expected_version: int | None = None
) -> PoliceReport:
    if not outcome.strip():
        raise Refused("请填写处理结果")
    with _acting(report.case_id, by, "change", step="police_report", expected_version=expected_version) as c:
        p = PoliceReport.objects.get(pk=report.pk, case=c)
        p.outcome, p.outcome_at = outcome.strip(), _now()
        p.save(update_fields=["outcome", "outcome_at", "updated_at"])
        _event(c, "police.outcome", f"公安机关处理结果已记录（#{p.pk}）", by, data={"id": p.pk})
        return p
