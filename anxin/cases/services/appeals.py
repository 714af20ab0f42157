"""Applications to a special school (LAW 16) and appeals (LAW 14): 申诉 at the school, 复核 at
the authority, county 复查 and city 复核 of the determination, each within its window; a
decision that changes something is a new row (LAW 8)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.urls import reverse

from anxin.cases import rules, workflow
from anxin.cases.law import settings as law_settings
from anxin.cases.law.definitions import (
    BULLYING_RESULTS,
    RESULTS,
)
from anxin.cases.law.definitions import label as law_label
from anxin.cases.models import (
    Appeal,
    AppealKind,
    AppealOutcome,
    ApplicationStatus,
    BullyingCase,
    CaseParty,
    Determination,
    DeterminationSource,
    Measure,
    MeasureState,
    NoticePurpose,
    PartyRole,
    SpecialSchoolApplication,
)
from anxin.cases.services._common import (
    Refused,
    S,
    _acting,
    _apply_result,
    _event,
    _last_determination_event,
    _now,
    _touch,
    bureau_staff,
)
from anxin.cases.services.measures import _revoke_measure
from anxin.core import clock
from anxin.core.models import keys_of
from anxin.core.notify import notify

# --- special school (LAW 16) -------------------------------------------------------------------


def apply_special_school(
    case, *, by, party: CaseParty, reasons: str, expected_version: int | None = None
) -> SpecialSchoolApplication:
    """The school applies (PJDL 43–47); the bureau decides. Nothing changes the 学籍."""
    if not reasons.strip():
        raise Refused("请写明申请理由")
    with _acting(case, by, "special_apply", step="special_school", expected_version=expected_version) as c:
        if c.result not in ("serious", "severe", "criminal"):
            raise Refused("情节较重及以上的欺凌事件方可申请转入专门学校（预防未成年人犯罪法第四十四条）")
        if (
            party.case_id != c.pk
            or party.pk not in {p.pk for p in rules.bully_parties(c)}
            or not party.student_id
        ):
            raise Refused("只能为认定实施欺凌的本县学生申请")
        if c.special_applications.filter(party=party, status=ApplicationStatus.APPLIED).exists():
            raise Refused("该学生已有待决定的申请")
        a = SpecialSchoolApplication.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            party=party,
            applied_at=_now(),
            applied_by=by,
            reasons=reasons.strip(),
        )
        _event(
            c,
            "special.applied",
            f"申请转入专门学校（学生#{party.pk}），待教育行政部门决定",
            by,
            data={"id": a.pk},
        )
        notify(
            bureau_staff(c.county_id),
            kind="special_school",
            title=f"{c.school.name}申请转入专门学校：{c.number}",
            url=reverse("cases:case_detail", args=[c.pk]),
            dedupe_key=f"special:{a.pk}",
            county=c.county_id,
        )
        return a


def decide_special_school(
    application: SpecialSchoolApplication,
    *,
    by,
    approved: bool,
    decided_on: dt.date,
    assessment: str = "",
    assessed_on: dt.date | None = None,
    decision_no: str = "",
    note: str = "",
) -> SpecialSchoolApplication:
    """The bureau's decision (LAW 16): approval records the 专门教育指导委员会 assessment."""
    with _acting(application.case_id, by, "special_decide") as c:
        a = SpecialSchoolApplication.objects.select_for_update().get(pk=application.pk, case=c)
        if a.status != ApplicationStatus.APPLIED:
            raise Refused("该申请已有决定")
        if approved and not (assessment.strip() and assessed_on):
            raise Refused(
                "同意转入专门学校须记录专门教育指导委员会的评估意见和评估日期（预防未成年人犯罪法第四十四条）"
            )
        a.status = ApplicationStatus.APPROVED if approved else ApplicationStatus.REJECTED
        a.assessment, a.assessed_on, a.decided_on = assessment.strip(), assessed_on, decided_on
        a.decision_no, a.decision_note, a.decided_by = decision_no.strip(), note.strip(), by
        a.save()
        # PJDL 45: the student's 学籍 stays at the original school — nothing in roster changes here.
        _event(
            c,
            "special.decided",
            f"教育行政部门决定：{a.get_status_display()}（学籍保留在原学校）",
            by,
            data={"id": a.pk, "approved": approved},
        )
        return a


# --- appeals (LAW 14) --------------------------------------------------------------------------


def _notice_date(c: BullyingCase, party: CaseParty, purposes) -> dt.date | None:
    n = c.notices.filter(party=party, purpose__in=purposes).aggregate(last=Max("notified_at"))["last"]
    return clock.local_date(n) if n else None


def file_appeal(
    case,
    *,
    by,
    kind: str,
    party: CaseParty,
    appellant: str,
    filed_on: dt.date,
    grounds: str,
    measure: Measure | None = None,
    notified_on: dt.date | None = None,
    notice_correction: str = "",
    parent: Appeal | None = None,
    expected_version: int | None = None,
) -> Appeal:
    """An appeal within its window (LAW 14): 申诉 within ``APPEAL_WORKING_DAYS`` working days
    of the decision being told (DR 17), 复核 at the education authority after it (DR 18);
    county 复查 of the determination, decided within ``COUNTY_REVIEW_DAYS`` (P2017); a city
    复核 only where the county has switched that stage on.

    The window runs from the notice on record (the guardians' notice, or the earlier
    decision's date). A different ``notified_on`` is a correction: it needs
    ``notice_correction`` (the reason) and is logged on the timeline."""
    from anxin.cases.calendar import add_working_days

    if kind not in AppealKind.values:
        raise Refused("请选择申诉类别")
    if not grounds.strip() or not appellant.strip():
        raise Refused("请填写申请人和理由")
    if filed_on > clock.today():
        raise Refused("申请日期不能晚于今天")
    actions = ["appeal"] if kind == AppealKind.SCHOOL_APPEAL else ["appeal", "review"]
    with _acting(case, by, actions, step="appeal", expected_version=expected_version) as c:
        if kind == AppealKind.CITY_REVIEW and not law_settings.get("CITY_REVIEW_ENABLED", case=c):
            raise Refused("本县未启用市级复核阶段")
        typed_on = notified_on
        if party.case_id != c.pk:
            raise Refused("学生不属于本案")
        det = rules.current_determination(c)
        due_on = None
        if kind == AppealKind.SCHOOL_APPEAL:
            if measure is None or measure.case_id != c.pk or measure.party_id != party.pk:
                raise Refused("请选择该学生被申诉的处置措施")
            if measure.state == MeasureState.REVOKED:
                raise Refused("该措施已撤销")
            notified_on = _notice_date(c, party, [NoticePurpose.OUTCOME, NoticePurpose.PRIOR])
        elif kind in (AppealKind.AUTHORITY_REVIEW, AppealKind.CITY_REVIEW):
            need = (
                AppealKind.SCHOOL_APPEAL if kind == AppealKind.AUTHORITY_REVIEW else AppealKind.COUNTY_REVIEW
            )
            parent = Appeal.objects.filter(pk=getattr(parent, "pk", None)).first()
            if parent is None or parent.case_id != c.pk or parent.kind != need or not parent.outcome:
                raise Refused(f"须先有已作出决定的{AppealKind(need).label}")
            notified_on = parent.decided_on
            measure = parent.measure
            if kind == AppealKind.CITY_REVIEW:
                due_on = filed_on + dt.timedelta(days=law_settings.get("CITY_REVIEW_DAYS", case=c))
        else:  # county 复查 of the determination
            if det is None:
                raise Refused("尚未作出认定，无从复查")
            notified_on = _notice_date(c, party, [NoticePurpose.DETERMINATION])
            due_on = filed_on + dt.timedelta(days=law_settings.get("COUNTY_REVIEW_DAYS", case=c))
        on_record = notified_on
        if typed_on is not None and typed_on != on_record:
            # the window runs from the notice on record; another date is a logged correction
            if len((notice_correction or "").strip()) < 10:
                raise Refused(
                    "申请期限按已记录的告知日期"
                    + (f"（{on_record:%Y年%m月%d日}）" if on_record else "")
                    + "计算；如告知日期有误，须写明更正理由（不少于10个字）"
                )
            if typed_on > clock.today():
                raise Refused("告知日期不能晚于今天")
            notified_on = typed_on
        if notified_on is None:
            raise Refused("尚未记录决定告知家长的日期，无法计算申请期限")
        window_ends = add_working_days(
            notified_on, law_settings.get("APPEAL_WORKING_DAYS", case=c), c.county_id
        )
        if filed_on > window_ends:
            raise Refused(
                f"已超过申请期限：决定告知之日（{notified_on:%Y年%m月%d日}）起"
                f"{law_settings.get('APPEAL_WORKING_DAYS', case=c)}个工作日内，即{window_ends:%Y年%m月%d日}前"
            )
        if Appeal.objects.filter(case=c, kind=kind, party=party, outcome="").exists():
            raise Refused("该学生已有同类未决申请")
        a = Appeal.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            kind=kind,
            party=party,
            appellant=appellant.strip(),
            filed_on=filed_on,
            notified_on=notified_on,
            window_ends=window_ends,
            due_on=due_on,
            measure=measure,
            determination=det if kind in (AppealKind.COUNTY_REVIEW, AppealKind.CITY_REVIEW) else None,
            parent=parent,
            grounds=grounds.strip(),
            recorded_by=by,
        )
        if notified_on != on_record:
            _event(
                c,
                "appeal.notice_corrected",
                (f"更正决定告知日期：{on_record:%Y-%m-%d} → " if on_record else "补记决定告知日期：")
                + f"{notified_on:%Y-%m-%d}；理由：{notice_correction.strip()[:100]}",
                by,
                data={
                    "appeal_id": a.pk,
                    "on_record": on_record.isoformat() if on_record else None,
                    "corrected": notified_on.isoformat(),
                    "reason": notice_correction.strip()[:300],
                },
            )
        _event(
            c,
            "appeal.filed",
            f"{AppealKind(kind).label}：学生#{party.pk}（期限{window_ends:%Y-%m-%d}）",
            by,
            data={"id": a.pk, "kind": kind},
        )
        if kind != AppealKind.SCHOOL_APPEAL:
            notify(
                bureau_staff(c.county_id),
                kind="case_review",
                title=f"{AppealKind(kind).label}：{c.number}",
                url=reverse("cases:case_detail", args=[c.pk]),
                dedupe_key=f"appeal:{a.pk}:filed",
                county=c.county_id,
            )
        return a


def decide_appeal(
    appeal: Appeal,
    *,
    by,
    outcome: str,
    outcome_text: str,
    decided_on: dt.date | None = None,
    new_result: str | None = None,
    elements: dict | None = None,
    expected_version: int | None = None,
) -> Appeal:
    """Record the decision. A changed determination is a new :class:`Determination` (LAW 8, 14),
    a revoked or changed measure is revoked with the reason — nothing is edited away."""
    if outcome not in AppealOutcome.values:
        raise Refused("请选择决定结果")
    if len(outcome_text.strip()) < 4:
        raise Refused("请写明决定内容和理由")
    action = "appeal_decide" if appeal.kind == AppealKind.SCHOOL_APPEAL else "review"
    with _acting(appeal.case_id, by, action, expected_version=expected_version) as c:
        a = Appeal.objects.select_for_update().get(pk=appeal.pk, case=c)
        if a.outcome:
            raise Refused("该申请已作出决定")
        a.outcome, a.outcome_text, a.decided_on, a.decided_by = (
            outcome,
            outcome_text.strip(),
            decided_on or clock.today(),
            by,
        )
        a.save(update_fields=["outcome", "outcome_text", "decided_on", "decided_by", "updated_at"])
        _event(
            c,
            "appeal.decided",
            f"{a.get_kind_display()}决定：{a.get_outcome_display()}",
            by,
            data={"id": a.pk, "outcome": outcome},
        )
        if outcome == AppealOutcome.UPHELD:
            return a
        if a.kind in (AppealKind.SCHOOL_APPEAL, AppealKind.AUTHORITY_REVIEW):
            if a.measure_id:
                m = Measure.objects.get(pk=a.measure_id)
                if m.state != MeasureState.REVOKED:
                    _revoke_measure(
                        c, m, by, f"{a.get_kind_display()}{a.get_outcome_display()}：{a.outcome_text}"
                    )
                if c.state in workflow.REOPEN_SOURCES:
                    old = c.state
                    c.state, c.closed_at = S.HANDLING, None
                    _touch(c, "state", "closed_at")
                    _event(
                        c,
                        "transition",
                        f"{S(old).label} → {S.HANDLING.label}：申诉变更处置措施，重新处置",
                        by,
                        data={"from": old, "to": S.HANDLING, "transition": "reopen"},
                    )
            return a
        # 复查 / 复核 of the determination: a new determination, pointing at the earlier one
        if outcome != AppealOutcome.CHANGED or not new_result:
            raise Refused("变更认定须选择新的认定结果")
        if new_result not in {code for code, *_ in RESULTS}:
            raise Refused("请选择认定结果")
        prev = rules.current_determination(c)
        fields = (
            {
                k: getattr(prev, k)
                for k in ("between_students", "deliberate", "means", "harm_types", "advantage_bases")
            }
            if prev
            else {}
        )
        fields.update(elements or {})
        gaps = rules.elements_recorded(new_result, fields)
        if gaps:
            raise Refused(gaps)
        det = Determination.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            seq=(prev.seq + 1 if prev else 1),
            source=DeterminationSource.COUNTY_REVIEW
            if a.kind == AppealKind.COUNTY_REVIEW
            else DeterminationSource.CITY_REVIEW,
            result=new_result,
            reason=a.outcome_text,
            supersedes=prev,
            appeal=a,
            recorded_by=by,
            **{
                k: fields[k]
                for k in ("between_students", "deliberate", "means", "harm_types", "advantage_bases")
                if k in fields
            },
        )
        if prev is not None and new_result in BULLYING_RESULTS:
            bullies = list(prev.bullies.all()) or [
                p for p in c.parties.all() if p.role == PartyRole.ALLEGED_BULLY
            ]
            det.bullies.set(bullies, through_defaults=keys_of(det))
        _event(
            c,
            "determination.changed",
            f"{a.get_kind_display()}变更认定：{law_label(RESULTS, prev.result) if prev else '—'} → "
            f"{law_label(RESULTS, new_result)}（{a.outcome_text[:80]}）",
            by,
            data={
                "id": det.pk,
                "result": new_result,
                "previous": getattr(prev, "result", None),
                "appeal_id": a.pk,
            },
            corrects=_last_determination_event(c),
        )
        _apply_result(c, det, by)
        return a
