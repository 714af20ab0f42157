"""The guards of the workflow: each consults the law tables (``anxin.cases.law``) and returns
the list of what is missing, in Chinese, naming the rule. An empty list means the guard holds.

Guards never change anything; ``anxin.cases.workflow`` names which guards each transition
needs, and ``services`` runs them inside the transaction that holds the case row locked.
"""

from __future__ import annotations

from dataclasses import dataclass

from anxin.cases.law import response_for
from anxin.cases.law import settings as law_settings
from anxin.cases.law.catalogue import item as catalogue_item
from anxin.cases.law.definitions import BULLYING_RESULTS, SEVERE_RESULTS
from anxin.cases.law.response import ANY_BULLYING
from anxin.cases.models import (
    ApplicationStatus,
    BullyingCase,
    CaseParty,
    CommitteeMember,
    Determination,
    MeasureState,
    MemberKind,
    NoticePurpose,
    PartyRole,
    SupportKind,
)

ROLE_WORD = {PartyRole.VICTIM: "被欺凌学生", PartyRole.ALLEGED_BULLY: "实施欺凌学生"}


def who(party: CaseParty) -> str:
    return f"{ROLE_WORD.get(party.role, party.get_role_display())}{party.name}"


_MISSING = object()


# what each relation needs joined when a guard reads it itself
_RELATED = {"measures": ("party__student",)}


def _rows(case: BullyingCase, rel: str) -> list:
    """The case's rows of ``rel`` (``"notices"``, ``"measures"`` …). The case page loads each
    relation once for its own display and hands the rows over (``case._page_rows``), so the
    guards and the closing checklist filter them in Python instead of asking again; services
    never hand rows over and read them here, inside their transaction."""
    memo = getattr(case, "_page_rows", None)
    if memo is not None and rel in memo:
        return memo[rel]
    return list(getattr(case, rel).select_related(*_RELATED.get(rel, ())))


def _parties(case: BullyingCase) -> list[CaseParty]:
    # a page may hand over the parties it loaded (``case._page_parties``); services never do,
    # so guards run inside a transaction always read fresh rows
    cached = getattr(case, "_page_parties", None)
    if cached is not None:
        return cached
    return list(case.parties.select_related("student").order_by("role", "id"))


def side_parties(case: BullyingCase) -> list[CaseParty]:
    """The student parties of both sides (victims and alleged bullies)."""
    return [
        p for p in _parties(case) if p.role in (PartyRole.VICTIM, PartyRole.ALLEGED_BULLY) and p.is_student
    ]


def current_determination(case: BullyingCase) -> Determination | None:
    cached = getattr(case, "_page_determination", _MISSING)
    if cached is not _MISSING:
        return cached
    return case.determinations.order_by("-seq").first()


def bully_parties(case: BullyingCase, det: Determination | None = None) -> list[CaseParty]:
    """Those found to have bullied (the determination's list), or the alleged bullies."""
    det = det or current_determination(case)
    if det is not None and det.is_bullying:
        cached = getattr(case, "_page_bullies", None)
        page_det = getattr(case, "_page_determination", None)
        found = (
            cached
            if cached is not None and page_det is not None and page_det.pk == det.pk
            else list(det.bullies.select_related("student").order_by("id"))
        )
        if found:
            return found
    return [
        p for p in case.parties.select_related("student").order_by("id") if p.role == PartyRole.ALLEGED_BULLY
    ]


# --- registration and the first steps ---------------------------------------------------------


def parties_recorded(case: BullyingCase, ctx: dict) -> list[str]:
    if not _parties(case):
        return ["尚未登记当事人（被欺凌学生、实施欺凌学生、目击者或旁观者）"]
    return []


def immediate_measures_recorded(case: BullyingCase, ctx: dict) -> list[str]:
    # seed 二(四): 一旦发现学生遭受欺凌，都应主动予以制止，并采取相应处置措施
    if not _rows(case, "immediate_measures"):
        return ["尚未记录制止与初步处置措施（发现欺凌应主动予以制止）"]
    return []


def both_sides_notified(case: BullyingCase, ctx: dict) -> list[str]:
    """R-CASE-2 (seed 二(四) 学校和家长要相互通知): each side's guardians told of the incident."""
    missing = []
    told = {n.party_id for n in _rows(case, "notices") if n.purpose == NoticePurpose.INITIAL}
    parties = side_parties(case)
    if not parties:
        return ["尚未登记被欺凌学生或实施欺凌学生，无法家校互通"]
    for p in parties:
        if p.pk not in told:
            missing.append(f"尚未通知{who(p)}的监护人（学校和家长要相互通知）")
    return missing


def behaviour_type_recorded(case: BullyingCase, ctx: dict) -> list[str]:
    # LAW 1 (SPR 21): at least one behaviour type before determination
    if not case.behaviour_types:
        return ["尚未记录行为类型（肢体、言语、财物、排斥孤立、网络或其他）"]
    return []


def five_facts_recorded(case: BullyingCase, ctx: dict) -> list[str]:
    # R-CASE-3 (seed 二(四)): 时间、地点、起因、过程、涉及人员
    inv = getattr(case, "investigation", None)
    if inv is None:
        return ["尚未开始调查"]
    missing = [f"调查尚未查明{f}" for f in inv.missing_facts]
    if not _rows(case, "statements"):
        missing.append("尚无询问笔录（当事学生、目击者的陈述）")
    return missing


def reports_recorded(case: BullyingCase, ctx: dict) -> list[str]:
    """LAW 7: 情节恶劣, 涉嫌违法犯罪 and 舆情 cases cannot advance until reports to the police
    and to the bureau are both recorded (UPL 39; PSAL 60; seed 二(四))."""
    if not case.report_required:
        return []
    missing = []
    if not _rows(case, "police_reports"):
        missing.append("尚未记录向公安机关报告（接报单位、时间）")
    if not any(r.submitted_at for r in _rows(case, "bureau_reports")):
        missing.append("尚未向县教体局报告（首报）")
    return missing


# --- the committee (LAW 3, 4) ------------------------------------------------------------------


def school_has_senior_grades(school) -> bool:
    from anxin.org.models import Grade, SchoolType, Stage

    if school.type in (SchoolType.SENIOR, SchoolType.VOCATIONAL, SchoolType.TECHNICAL):
        return True
    return Grade.objects.filter(school=school, stage__in=[Stage.SENIOR, Stage.VOCATIONAL]).exists()


def committee_gaps(committee, school=None, case=None) -> list[str]:
    """LAW 4: chaired by the principal, with staff, at least one parent representative and one
    outside member; a student representative where the school has 高中 grades."""
    if committee is None:
        return ["学校尚未组建学生欺凌治理委员会"]
    school = school or committee.school
    members = list(CommitteeMember.objects.filter(committee=committee, left_on__isnull=True))
    kinds = {m.kind for m in members}
    gaps = []
    if not any(m.is_chair and m.kind == MemberKind.PRINCIPAL for m in members):
        gaps.append("学生欺凌治理委员会须由校长担任主任")
    if MemberKind.STAFF not in kinds:
        gaps.append("学生欺凌治理委员会缺少教职工代表")
    if MemberKind.PARENT not in kinds:
        gaps.append("学生欺凌治理委员会缺少家长代表")
    if MemberKind.OUTSIDE not in kinds:
        gaps.append("学生欺凌治理委员会缺少校外专业人员（法治副校长、社区、专家等）")
    if (
        law_settings.get("COMMITTEE_STUDENT_REP_WITH_SENIOR", case=case, county_id=school.county_id)
        and MemberKind.STUDENT not in kinds
        and school_has_senior_grades(school)
    ):
        gaps.append("设有高中年级的学校，学生欺凌治理委员会须有学生代表")
    return gaps


def meeting_valid(
    committee, present: list[CommitteeMember], votes_for: int, votes_against: int, votes_abstain: int
) -> list[str]:
    """LAW 3: a recorded decision of the committee — its own members, the chair present, a
    majority of those present in favour, no more votes than members present."""
    gaps = []
    if not present:
        return ["未记录出席会议的委员"]
    if any(m.committee_id != committee.pk or m.left_on is not None for m in present):
        gaps.append("出席委员须为本校学生欺凌治理委员会的现任委员")
    if not any(m.is_chair for m in present):
        gaps.append("委员会主任（校长）未出席，不能作出认定")
    active = CommitteeMember.objects.filter(committee=committee, left_on__isnull=True).count()
    if len(present) * 2 <= active:
        gaps.append(f"出席委员不足半数（现任委员{active}人，出席{len(present)}人）")
    if votes_for + votes_against + votes_abstain > len(present):
        gaps.append("票数多于出席委员人数")
    if votes_for * 2 <= len(present):
        gaps.append("赞成票未超过出席委员半数，认定未通过")
    return gaps


def elements_recorded(result: str, data: dict) -> list[str]:
    """LAW 2 (UPL 130; SPR 21): a finding of bullying records all five elements."""
    if result not in BULLYING_RESULTS:
        return []
    gaps = []
    if not data.get("between_students"):
        gaps.append("认定为欺凌须确认发生在学生之间")
    if not data.get("deliberate"):
        gaps.append("认定为欺凌须确认一方蓄意或者恶意")
    if not (data.get("means") or "").strip():
        gaps.append("认定为欺凌须写明手段（肢体、语言、网络等）")
    if not data.get("harm_types"):
        gaps.append("认定为欺凌须写明损害类型（身体伤害、财产损失、精神损害）")
    if not data.get("advantage_bases"):
        gaps.append("认定为欺凌须写明优势依据（年龄、身体、人数等）")
    return gaps


def guardians_took_part(case: BullyingCase, ctx: dict) -> list[str]:
    """LAW 5 (UPL 39): no determination until both sides' guardians were notified and took part."""
    notices = _rows(case, "notices")
    took_part = {n.party_id for n in notices if n.participated}
    told = {n.party_id for n in notices}
    missing = []
    for p in side_parties(case):
        if p.pk not in told:
            missing.append(f"尚未通知{who(p)}的监护人")
        elif p.pk not in took_part:
            missing.append(f"{who(p)}的监护人尚未参与处理")
    return missing


# --- handling (LAW 10, 13) ----------------------------------------------------------------------


def determination_notified(case: BullyingCase, ctx: dict) -> list[str]:
    # R-CASE-4: the decision is notified to both sides' guardians
    det = current_determination(case)
    if det is None:
        return ["尚未作出认定"]
    told = {
        n.party_id
        for n in _rows(case, "notices")
        if n.purpose == NoticePurpose.DETERMINATION and n.created_at >= det.created_at
    }
    return [f"尚未将认定结果告知{who(p)}的监护人" for p in side_parties(case) if p.pk not in told]


def outcomes_for_bullies(case: BullyingCase, ctx: dict) -> list[str]:
    """LAW 10 and the graded response: every bully has the required measures in effect and
    their guardians were told the outcome."""
    det = current_determination(case)
    if det is None:
        return ["尚未作出认定"]
    resp = response_for(det.result)
    missing = []
    measures, notices = _rows(case, "measures"), _rows(case, "notices")
    for b in bully_parties(case, det):
        if not b.is_student:
            continue
        codes = {
            m.item_code
            for m in measures
            if m.party_id == b.pk and m.state in (MeasureState.EFFECTIVE, MeasureState.DONE)
        }
        for alternatives in resp.required:
            if not codes & set(alternatives):
                labels = "或".join(f"「{catalogue_item(c).label}」" for c in alternatives)
                missing.append(f"对{who(b)}尚未采取{labels}（{resp.summary}）")
        if det.is_bullying and not any(
            n.party_id == b.pk and n.purpose == NoticePurpose.OUTCOME for n in notices
        ):
            missing.append(f"尚未将处理决定告知{who(b)}的监护人")
    return missing


def no_pending_measures(case: BullyingCase, ctx: dict) -> list[str]:
    # LAW 13: Art 10 measures and sanctions take effect only after 陈述申辩 (and 听证)
    return [
        f"措施「{m.label}」尚未生效（须事先告知家长并记录陈述申辩，申请听证的须记录听证）"
        for m in _rows(case, "measures")
        if m.state == MeasureState.PROPOSED
    ]


# --- closing (LAW 9; R-CASE-9) -----------------------------------------------------------------


@dataclass
class CheckItem:
    label: str
    missing: list[str]

    @property
    def ok(self) -> bool:
        return not self.missing


def support_missing(case: BullyingCase) -> list[str]:
    """LAW 9 (UPL 39; seed 二(三)): counselling for the bullied student, counselling and a
    supervision plan for the bully, 家庭教育指导 for both families."""
    det = current_determination(case)
    if det is None or not det.is_bullying:
        return []
    done = {(a.party_id, a.kind) for a in _rows(case, "support_actions") if a.done_at}
    missing = []
    victims = [p for p in _parties(case) if p.role == PartyRole.VICTIM and p.is_student]
    bullies = [p for p in bully_parties(case, det) if p.is_student]
    for kind, role, _what, _src in ANY_BULLYING:
        for p in victims if role == PartyRole.VICTIM else bullies:
            if (p.pk, kind) in done:
                continue
            if kind == SupportKind.VICTIM_COUNSELLING:
                missing.append(f"受欺凌学生{p.name}尚未接受心理辅导，不能结案")
            elif kind == SupportKind.BULLY_COUNSELLING:
                missing.append(f"实施欺凌学生{p.name}尚未接受心理辅导和教育，不能结案")
            elif kind == SupportKind.SUPERVISION_PLAN:
                missing.append(f"实施欺凌学生{p.name}尚无加强管教（监督）计划，不能结案")
            else:
                missing.append(f"尚未对{who(p)}的家庭进行家庭教育指导，不能结案")
    return missing


def closing_checklist(case: BullyingCase) -> list[CheckItem]:
    """Every obligation before 结案, each with what is still missing (empty when done)."""
    det = current_determination(case)
    items = [CheckItem("学生欺凌治理委员会已作出认定", [] if det else ["尚未作出认定"])]
    if det is None:
        return items
    items.append(CheckItem("认定结果已告知双方监护人", determination_notified(case, {})))
    items.append(CheckItem("每名学生均有处理结果并告知监护人", outcomes_for_bullies(case, {})))
    items.append(CheckItem("惩戒措施均已生效", no_pending_measures(case, {})))
    not_done = [
        f"措施「{m.label}」（{m.party.name}）尚未执行完毕"
        for m in _rows(case, "measures")
        if m.state == MeasureState.EFFECTIVE
    ]
    items.append(CheckItem("处置措施均已执行完毕", not_done))
    if det.is_bullying:
        items.append(CheckItem("心理辅导、加强管教与家庭教育指导", support_missing(case)))
        follow_ups = _rows(case, "follow_ups")
        open_fu = sum(1 for f in follow_ups if f.done_at is None)
        scheduled = bool(follow_ups)
        fu_missing = (
            []
            if scheduled and not open_fu
            else ([f"尚有{open_fu}次回访未完成"] if scheduled else ["尚未安排回访"])
        )
        items.append(CheckItem("回访已完成", fu_missing))
    report_missing = reports_recorded(case, {})
    sent = [r for r in _rows(case, "bureau_reports") if r.submitted_at]
    if sent and not any(r.kind == "final" for r in sent):
        report_missing.append("已向教体局报告的事件，结案前须报送终报")
    items.append(CheckItem("向公安机关、教体局报告与终报", report_missing))
    pending = [
        f"{a.get_kind_display()}（{a.filed_on:%Y-%m-%d}）尚未作出决定"
        for a in _rows(case, "appeals")
        if a.outcome == ""
    ]
    items.append(CheckItem("无未决的申诉、复查", pending))
    special = [
        "专门学校申请尚待教育行政部门决定"
        for a in _rows(case, "special_applications")
        if a.status == ApplicationStatus.APPLIED
    ]
    referrals = [f"移交事项「{r.purpose}」尚无处理结果" for r in _rows(case, "referrals") if r.outcome == ""]
    items.append(CheckItem("专门学校申请与移交事项已有结果", special + referrals))
    return items


def closing_missing(case: BullyingCase, ctx: dict) -> list[str]:
    out: list[str] = []
    checklist = getattr(case, "_page_checklist", None) or closing_checklist(case)
    for it in checklist:
        out.extend(it.missing)
    return out


def is_bullying(case: BullyingCase, ctx: dict) -> list[str]:
    if case.result not in BULLYING_RESULTS:
        return ["认定不构成欺凌的事件批评教育后直接结案，无需回访"]
    return []


def not_bullying(case: BullyingCase, ctx: dict) -> list[str]:
    if case.result in BULLYING_RESULTS:
        return ["构成欺凌的事件须完成回访后方可结案"]
    return []


def reason_given(case: BullyingCase, ctx: dict) -> list[str]:
    # LAW 8: closing a report as unfounded needs a reason; history keeps both
    if len((ctx.get("reason") or "").strip()) < 10:
        return ["查无实据结案须写明理由（不少于10个字）"]
    return []


def requires_report(result: str, case: BullyingCase) -> bool:
    # LAW 7: 舆情 and suspected-serious cases always; the determinations the county lists
    # (REPORT_RESULTS, at least 情节恶劣 and 涉嫌违法犯罪) from the case's parameters
    return bool(
        case.is_public_opinion
        or case.suspected_serious
        or result in SEVERE_RESULTS
        or result in law_settings.get("REPORT_RESULTS", case=case)
    )


# --- LAW 3 exception: 玩笑打闹 / 一般纠纷 settled directly (seed 二(三)) --------------------------


def settle_allowed(case: BullyingCase, ctx: dict) -> list[str]:
    """Seed 二(三) 学校初步判断为“玩笑打闹”或一般纠纷的，可直接予以批评教育解决: only for those
    two results, with the grounds, before any determination, never for a case that must be
    reported, and not once a family disagreed or a determination was asked for."""
    from anxin.cases.law.definitions import NOT_BULLYING_RESULTS

    out = []
    if ctx.get("result") not in NOT_BULLYING_RESULTS:
        out.append("直接处理只适用于学校初步判断为玩笑打闹或一般纠纷的事件")
    if len((ctx.get("grounds") or "").strip()) < 10:
        out.append("请写明初步判断为玩笑打闹或一般纠纷的依据（不少于10个字）")
    if current_determination(case) is not None:
        out.append("本案已有认定，不能直接处理")
    if case.report_required or case.is_public_opinion or case.suspected_serious:
        out.append("初步研判情节严重或舆情事件须提请学生欺凌治理委员会认定")
    if any(e.kind == "settlement.escalated" for e in _rows(case, "events")):
        out.append("家长有异议或已申请认定，须由学生欺凌治理委员会认定")
    return out


def repeat_meetings(case: BullyingCase, days: int) -> list[str]:
    """Other cases and reports within ``days`` of this one that name the same students (two
    of them, or the one student where the case has only one)."""
    import datetime as dt

    from django.apps import apps

    students = set(
        case.parties.filter(
            student__isnull=False, role__in=[PartyRole.VICTIM, PartyRole.ALLEGED_BULLY]
        ).values_list("student_id", flat=True)
    )
    if not students:
        return []
    need = min(2, len(students))
    lo, hi = case.discovered_at - dt.timedelta(days=days), case.discovered_at + dt.timedelta(days=days)
    found: list[str] = []
    by_case: dict[str, set] = {}
    rows = (
        CaseParty.objects.filter(student_id__in=students, case__discovered_at__range=(lo, hi))
        .exclude(case_id=case.pk)
        .values_list("case__number", "student_id")
    )
    for number, student_id in rows:
        by_case.setdefault(number, set()).add(student_id)
    found += [f"案件{n}" for n, sts in sorted(by_case.items()) if len(sts) >= need]
    if apps.is_installed("anxin.intake"):
        linked = apps.get_model("intake", "ReportStudent")
        by_report: dict[int, set] = {}
        for report_id, student_id in (
            linked.objects.filter(student_id__in=students, report__created_at__range=(lo, hi))
            .exclude(report_id=case.report_id or 0)
            .values_list("report_id", "student_id")
        ):
            by_report.setdefault(report_id, set()).add(student_id)
        n = sum(1 for sts in by_report.values() if len(sts) >= need)
        if n:
            found.append(f"举报{n}件")
    return found


def no_repeat_within_window(case: BullyingCase, ctx: dict) -> list[str]:
    # LAW 3: the same students again within the county's window (default 90 days) → committee
    days = law_settings.get("JOKE_REPEAT_DAYS", case=case)
    meets = repeat_meetings(case, days)
    if meets:
        return [f"同一学生{days}日内另有事件（{'、'.join(meets)}），须提请学生欺凌治理委员会认定"]
    return []


ESCALATION_GROUNDS = {
    "family_disagrees": "家长对直接处理有异议",
    "determination_requested": "当事人或其他人申请认定",
    "repeat": "同一学生再次发生",
}


def settled_directly(case: BullyingCase, ctx: dict) -> list[str]:
    det = current_determination(case)
    if det is None or det.source != "direct":
        return ["本案不是学校直接处理的玩笑打闹或一般纠纷"]
    return []


def escalation_ground(case: BullyingCase, ctx: dict) -> list[str]:
    out = []
    if ctx.get("ground") not in ESCALATION_GROUNDS:
        out.append("请选择提请认定的原因（家长有异议、申请认定或再次发生）")
    if len((ctx.get("reason") or "").strip()) < 10:
        out.append("请写明提请认定的具体情况（不少于10个字）")
    return out
