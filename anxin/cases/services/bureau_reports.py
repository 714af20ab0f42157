"""Reports to the county bureau (LAW 7; R-CASE-7): 首报, 续报, 终报 drafted from the case's
record, edited while drafts, frozen when submitted (with what changed), acknowledged."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from anxin.cases import rules
from anxin.cases.law import settings as law_settings
from anxin.cases.law.definitions import (
    RESULTS,
)
from anxin.cases.law.definitions import label as law_label
from anxin.cases.models import (
    REPORT_FIELDS,
    BullyingCase,
    BureauReport,
    Investigation,
    MeasureState,
    NoticePurpose,
    PartyRole,
    ReportKind,
)
from anxin.cases.services._common import Refused, _acting, _event, _now, _touch, bureau_staff
from anxin.core import clock, crypto
from anxin.core.notify import notify
from anxin.core.roles import Role

# --- bureau reports (LAW 7; R-CASE-7) ----------------------------------------------------------


def _people_text(c: BullyingCase) -> str:
    """涉及人员 by grade, class, role and count — never names (FORMATS.md: names in the annex)."""
    groups: dict[tuple[str, str], int] = {}
    for p in c.parties.select_related("student__klass__grade", "student__school"):
        if p.student_id:
            where = f"{p.student.school.name if p.student.school_id != c.school_id else ''}{p.student.klass}"
        else:
            where = "校外人员"
        key = (PartyRole(p.role).label, where)
        groups[key] = groups.get(key, 0) + 1
    return "；".join(f"{where}{role}{n}名" for (role, where), n in sorted(groups.items()))


def _annex(c: BullyingCase) -> list[dict]:
    out = []
    for p in c.parties.select_related("student__klass__grade", "student__school").order_by("role", "id"):
        out.append(
            {
                "name": p.name,
                "role": str(PartyRole(p.role).label),
                "school": p.student.school.name if p.student_id else (p.outsider_note or "校外"),
                "class": str(p.student.klass) if p.student_id else "",
            }
        )
    return out


def _fmt(moment: dt.datetime | None) -> str:
    """A moment for a report; an unknown time stays unknown (a bare date is stored at local
    midnight: the hour is not invented)."""
    if moment is None:
        return "不详"
    local = moment.astimezone(clock.SHANGHAI)
    if (local.hour, local.minute, local.second) == (0, 0, 0):
        return local.strftime("%Y年%m月%d日（具体时间不详）")
    return local.strftime("%Y年%m月%d日%H时%M分")


UNDER_INVESTIGATION = "尚在调查核实中"


def _measures_so_far(c: BullyingCase) -> str:
    """已采取的措施 (seed 二(四)): the immediate measures, the guardians told, the investigation
    and the measures recorded — by role, never by name."""
    parts = [
        f"{m.taken_at.astimezone(clock.SHANGHAI):%m月%d日%H时%M分}{m.get_kind_display()}"
        + (f"（{m.description}）" if m.description else "")
        for m in c.immediate_measures.order_by("taken_at", "id")
    ]
    told = c.notices.filter(purpose=NoticePurpose.INITIAL).values("party_id").distinct().count()
    if told:
        parts.append(f"已通知{told}名学生的监护人")
    inv = Investigation.objects.filter(case=c).first()
    if inv is not None:
        n = c.statements.count()
        parts.append(
            f"{inv.started_at.astimezone(clock.SHANGHAI):%m月%d日}开始调查"
            + (f"，制作询问笔录{n}份" if n else "")
            + ("，调查已完成" if inv.finished_at else "")
        )
    for m in c.measures.select_related("party").exclude(state=MeasureState.REVOKED).order_by("id"):
        parts.append(f"对{rules.ROLE_WORD.get(m.party.role, '有关学生')}{m.label}（{m.get_state_display()}）")
    return "；".join(parts)


def leadership_contact(school) -> str:
    """联系人及电话 from the school's leadership: the safety leader (else the principal) and the
    school's phone for them (their own phone when the school's record has none)."""
    from anxin.accounts.models import Membership

    posts = (
        Membership.objects.active()
        .filter(school_id=school.pk, role__in=[Role.SAFETY_LEADER, Role.PRINCIPAL], user__is_active=True)
        .select_related("user")
        .order_by("started_on", "id")
    )
    by_role = {}
    for m in posts:
        by_role.setdefault(m.role, m.user)
    person = by_role.get(Role.SAFETY_LEADER) or by_role.get(Role.PRINCIPAL)
    phone = school.safety_leader_phone or school.antibullying_phone or (person.phone if person else "") or ""
    name = (person.real_name or person.username) if person else ""
    return " ".join(filter(None, [name, phone]))[:80]


def _prefill(c: BullyingCase, kind: str, previous: BureauReport | None) -> dict:
    """The report drafted from the case's record (R-CASE-7; seed 二(四) 时间、地点、起因、过程、
    涉及人员、已采取的措施): the investigation's findings where there are any, else what was
    recorded at opening; what is not known yet says so."""
    inv = Investigation.objects.filter(case=c).first()
    if previous is not None:
        values = {f: getattr(previous, f) for f, _l in REPORT_FIELDS}
        if inv is not None:
            # a 续报/终报 carries what the investigation has found since
            values.update({k: v for k, v in _investigated(c, inv).items() if v})
        values["measures_taken"] = _measures_so_far(c) or values.get("measures_taken", "")
    else:
        values = {
            "occurred_text": f"发生时间：{_fmt(c.occurred_at)}；发现时间：{_fmt(c.discovered_at)}",
            "place": c.place or UNDER_INVESTIGATION,
            "cause": c.cause or UNDER_INVESTIGATION,
            "process": c.process or c.summary,
            "people": _people_text(c),
            "injuries": c.injuries,
            "findings": "",
            "measures_taken": _measures_so_far(c),
            "next_steps": "继续调查核实，提请学校学生欺凌治理委员会认定，做好心理疏导和家校沟通。",
            "contact": leadership_contact(c.school),
        }
        if inv is not None:
            values.update({k: v for k, v in _investigated(c, inv).items() if v})
    det = rules.current_determination(c)
    if kind == ReportKind.FINAL and det is not None:
        values["determination_text"] = f"经学校学生欺凌治理委员会认定：{law_label(RESULTS, det.result)}。"
        values["handling_text"] = "；".join(
            f"{rules.ROLE_WORD.get(m.party.role, '')}：{m.label}（{m.get_state_display()}）"
            for m in c.measures.select_related("party").exclude(state=MeasureState.REVOKED)
        )
        done = c.support_actions.filter(done_at__isnull=False).count()
        fus = c.follow_ups.filter(done_at__isnull=False).count()
        values["aftercare_text"] = f"已完成心理辅导、加强管教和家庭教育指导{done}项，回访{fus}次。"
    return values


def _investigated(c: BullyingCase, inv: Investigation) -> dict:
    """The report fields the investigation has established (R-CASE-3)."""
    occurred = (
        f"发生时间：{inv.fact_time.strip()}；发现时间：{_fmt(c.discovered_at)}"
        if inv.fact_time.strip()
        else ""
    )
    return {
        "occurred_text": occurred,
        "place": inv.fact_place.strip(),
        "cause": inv.fact_cause.strip(),
        "process": inv.fact_process.strip(),
        "findings": inv.findings.strip(),
        "people": _people_text(c),
    }


def draft_report(
    case, *, by, kind: str | None = None, expected_version: int | None = None, **fields
) -> BureauReport:
    """Start a report to the bureau, prefilled from the case: 首报 first, then 续报 or 终报
    (LAW 7; FORMATS.md)."""
    with _acting(case, by, "report_draft", step="bureau_report", expected_version=expected_version) as c:
        if c.bureau_reports.filter(submitted_at__isnull=True).exists():
            raise Refused("已有尚未报送的报告草稿，请先完成或报送")
        submitted = list(c.bureau_reports.filter(submitted_at__isnull=False).order_by("id"))
        if not submitted:
            if kind not in (None, ReportKind.FIRST):
                raise Refused("须先报送首报")
            kind = ReportKind.FIRST
        else:
            kind = kind or ReportKind.FOLLOW
            if kind == ReportKind.FIRST:
                raise Refused("已报送首报，请提交续报或终报")
        previous = submitted[-1] if submitted else None
        seq = sum(1 for r in submitted if r.kind == ReportKind.FOLLOW) + 1 if kind == ReportKind.FOLLOW else 1
        values = _prefill(c, kind, previous)
        unknown = set(fields) - {f for f, _l in REPORT_FIELDS}
        if unknown:
            raise Refused(f"不能填写：{'、'.join(sorted(unknown))}")
        values.update({k: v for k, v in fields.items() if v is not None})
        r = BureauReport.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            kind=kind,
            seq=seq,
            previous=previous,
            drafted_by=by,
            **values,
        )
        _event(c, "report.drafted", f"起草向县教体局的{r.title_suffix}", by, data={"id": r.pk, "kind": kind})
        return r


def update_report(report: BureauReport, *, by, expected_version: int | None = None, **fields) -> BureauReport:
    """Edit a draft. A submitted report is frozen: changes go out as a 续报."""
    with _acting(
        report.case_id, by, "report_draft", step="bureau_report", expected_version=expected_version
    ) as c:
        r = BureauReport.objects.select_for_update().get(pk=report.pk, case=c)
        if r.submitted_at is not None:
            raise Refused("已报送的报告不能修改；情况有变化请提交续报")
        allowed = {f for f, _l in REPORT_FIELDS}
        changed = []
        for k, v in fields.items():
            if k not in allowed:
                raise Refused(f"不能填写：{k}")
            if getattr(r, k) != (v or ""):
                setattr(r, k, v or "")
                changed.append(k)
        if changed:
            cleared = r.signed_off_at is not None
            if cleared:
                # what was signed is not what will be sent: it must be signed again
                r.signed_off_by, r.signed_off_at = None, None
                changed += ["signed_off_by", "signed_off_at"]
            r.save(update_fields=changed + ["updated_at"])
            if cleared:
                _event(
                    c,
                    "report.signoff_cleared",
                    f"{r.title_suffix}签发后被修改，须重新签发",
                    by,
                    data={"id": r.pk, "changed": [f for f in changed if f in allowed]},
                )
        return r


def may_sign(user, report: BureauReport) -> bool:
    """Is ``user`` the principal, or the deputy the school designated, for this report's case?"""
    from anxin.cases import permissions

    return permissions.can_case(user, report.case, "report_sign")


def sign_off(by, report: BureauReport, *, expected_version: int | None = None) -> BureauReport:
    """签发: the principal (or the deputy the school designated) signs the report in the system
    before it is sent (seed 二(四); R-CASE-7). Any later edit clears the sign-off."""
    with _acting(
        report.case_id, by, "report_sign", step="bureau_report", expected_version=expected_version
    ) as c:
        r = BureauReport.objects.select_for_update().get(pk=report.pk, case=c)
        if r.submitted_at is not None:
            raise Refused("该报告已报送，不能再签发")
        if r.signed_off_at is not None:
            raise Refused(f"该报告已由{_signer_label(r)}签发")
        r.signed_off_by, r.signed_off_at = by, _now()
        r.save(update_fields=["signed_off_by", "signed_off_at", "updated_at"])
        _event(c, "report.signed_off", f"{r.title_suffix}已签发", by, data={"id": r.pk})
        report.signed_off_by, report.signed_off_at = r.signed_off_by, r.signed_off_at
        if r.drafted_by_id != by.pk:
            notify(
                [r.drafted_by],
                kind="bureau_report_signed",
                title=f"{c.number} {r.title_suffix}已签发，可以报送",
                url=reverse("cases:report_detail", args=[r.pk]),
                dedupe_key=f"report:{r.pk}:signed:{r.signed_off_at.isoformat()}",
                school=c.school_id,
            )
        return r


def _signer_label(r: BureauReport) -> str:
    u = r.signed_off_by
    return (u.real_name or u.username) if u is not None else ""


def report_diff(report: BureauReport, previous: BureauReport | None) -> list[dict]:
    """What changed against the previous report (shown on a 续报 and frozen with it)."""
    if previous is None:
        return []
    out = []
    for field, label in REPORT_FIELDS:
        before, after = getattr(previous, field) or "", getattr(report, field) or ""
        if before != after:
            # frozen with the report; the texts stay encrypted (BureauReport.diff_shown opens them)
            out.append(
                {"field": field, "label": label, "before": crypto.seal(before), "after": crypto.seal(after)}
            )
    return out


REQUIRED_FIRST = (
    "occurred_text",
    "place",
    "cause",
    "process",
    "people",
    "measures_taken",
    "contact",
)


def submit_report(report: BureauReport, *, by, expected_version: int | None = None) -> BureauReport:
    """Send a signed-off report (LAW 7). Frozen from now on; a 首报 later than the deadline is
    迟报."""
    with _acting(
        report.case_id, by, "report_submit", step="bureau_report", expected_version=expected_version
    ) as c:
        r = BureauReport.objects.select_for_update().get(pk=report.pk, case=c)
        if r.submitted_at is not None:
            raise Refused("该报告已报送")
        required = REQUIRED_FIRST if r.kind == ReportKind.FIRST else ("contact",)
        labels = dict(REPORT_FIELDS)
        missing = [f"请填写{labels[f]}" for f in required if not (getattr(r, f) or "").strip()]
        if r.kind == ReportKind.FINAL and not r.determination_text.strip():
            missing.append("终报须写明认定结果")
        if r.signed_off_at is None:
            missing.append("报告须经校长（或校长指定的副校长）在系统中签发后才能报送")
        if missing:
            raise Refused(["报告不能报送"] + missing)
        now = _now()
        r.diff = report_diff(r, r.previous)
        if r.kind != ReportKind.FIRST and not r.diff:
            raise Refused("与上一次报告相比没有变化，无需续报")
        r.annex = _annex(c)
        r.submitted_at, r.submitted_by = now, by
        if r.kind == ReportKind.FIRST:
            due = c.discovered_at + dt.timedelta(hours=law_settings.get("BUREAU_REPORT_HOURS", case=c))
            r.is_late = bool(c.report_required and now > due)
            c.first_reported_at, c.report_late = now, r.is_late
            _touch(c, "first_reported_at", "report_late")
        r.save()
        elapsed = now - c.discovered_at
        hours, minutes = int(elapsed.total_seconds() // 3600), int(elapsed.total_seconds() % 3600 // 60)
        _event(
            c,
            "report.submitted",
            f"向县教体局报送{r.title_suffix}（距发现{hours}小时{minutes}分）"
            + ("，迟报" if r.is_late else ""),
            by,
            data={"id": r.pk, "kind": r.kind, "late": r.is_late, "changed": [d["field"] for d in r.diff]},
        )
        notify(
            bureau_staff(c.county_id),
            kind="bureau_report",
            title=f"{c.school.name}报送欺凌事件{r.title_suffix}：{c.number}"
            + ("（迟报）" if r.is_late else ""),
            body="请及时签收。",
            url=reverse("cases:report_detail", args=[r.pk]),
            dedupe_key=f"report:{r.pk}:submitted",
            county=c.county_id,
        )
        return r


def acknowledge_report(report: BureauReport, *, by, note: str = "") -> BureauReport:
    """The bureau acknowledges a 首报, 续报 or 终报 (R-CASE-7)."""
    with _acting(report.case_id, by, "acknowledge") as c:
        r = BureauReport.objects.select_for_update().get(pk=report.pk, case=c)
        if r.submitted_at is None:
            raise Refused("报告尚未报送")
        if r.acknowledged_at is not None:
            raise Refused("该报告已签收")
        r.acknowledged_at, r.acknowledged_by, r.ack_note = _now(), by, note.strip()[:300]
        r.save(update_fields=["acknowledged_at", "acknowledged_by", "ack_note", "updated_at"])
        _event(c, "report.acknowledged", f"县教体局已签收{r.title_suffix}", by, data={"id": r.pk})
        return r
