"""Measures and hearings (LAW 10–13, 15, 16): the catalogue item checked against the result,
the student's grade and the decider; 拟作出 → 陈述申辩 / 听证 → 生效 → 执行完毕; revocation."""

from __future__ import annotations

import datetime as dt

from anxin.cases import permissions, rules
from anxin.cases.law import find_banned, response_for
from anxin.cases.law import settings as law_settings
from anxin.cases.law.banned import BANNED
from anxin.cases.law.catalogue import item as catalogue_item
from anxin.cases.law.definitions import (
    RESULTS,
)
from anxin.cases.law.definitions import label as law_label
from anxin.cases.models import (
    BullyingCase,
    CaseParty,
    Measure,
    MeasureState,
    NoticePurpose,
    PartyRole,
)
from anxin.cases.services._common import Refused, _acting, _banned_message, _event, _now
from anxin.cases.services.referrals import _refer
from anxin.core import clock

# --- measures (LAW 10–13, 15, 16) ------------------------------------------------------------


def allowed_items(case: BullyingCase, party: CaseParty, teacher_only: bool = False) -> list:
    """The catalogue items that may be chosen for ``party`` now (the form offers only these)."""
    from anxin.cases.law import CATALOGUE

    out = []
    for it in CATALOGUE:
        try:
            _check_item(case, party, it, teacher_only=teacher_only, suspension_days=it.max_days)
        except Refused:
            continue
        out.append(it)
    return out


def _check_item(
    c: BullyingCase, party: CaseParty, it, *, teacher_only: bool, suspension_days=None, description: str = ""
) -> None:
    from anxin.org.models import COMPULSORY_TYPES, Stage

    if it.application_only:
        # LAW 16 (PJDL 43–47): the school can only apply
        raise Refused("转入专门学校只能由学校提出申请，由教育行政部门经专门教育指导委员会评估后决定")
    if not c.result:
        raise Refused("尚未作出认定，不能采取处置措施")
    resp = response_for(c.result)
    if it.level not in resp.allowed or (resp.only and it.code not in resp.only):
        raise Refused(
            f"认定为「{law_label(RESULTS, c.result)}」的事件不能采取「{it.label}」（分级处置：{resp.summary}）"
        )
    # LAW 11: a teacher may record Art 8 measures; Art 9 and above need a school decision
    if teacher_only and it.decider != "teacher":
        raise Refused(
            f"班主任只能采取一般教育惩戒（《中小学教育惩戒规则（试行）》第八条）；「{it.label}」须由学校决定"
        )
    if party.student_id is None:
        raise Refused("校外人员不适用学校的教育惩戒，请移交有关部门")
    student = party.student
    grade = student.klass.grade
    # LAW 12: Art 10 measures not below grade 4 (setting); no expulsion in compulsory education
    if it.min_grade is not None:
        min_grade = law_settings.get(it.min_grade, case=c) if isinstance(it.min_grade, str) else it.min_grade
        if grade.year < min_grade:
            raise Refused(
                f"「{it.label}」不适用于{min_grade}年级以下学生（《中小学教育惩戒规则（试行）》第十条）"
            )
    if it.senior_only and (
        student.school.type in COMPULSORY_TYPES or grade.stage not in (Stage.SENIOR, Stage.VOCATIONAL)
    ):
        raise Refused("义务教育阶段不得开除学籍（《义务教育法》第二十七条）")
    if it.max_days is not None:
        if not suspension_days:
            raise Refused("请填写停课停学天数")
        if int(suspension_days) > it.max_days:
            raise Refused(f"停课停学不得超过{it.max_days}天（《中小学教育惩戒规则（试行）》第十条）")
    elif suspension_days:
        raise Refused("只有停课停学须填写天数")
    if find_banned(description):
        raise Refused(_banned_message(find_banned(description)))


def record_measure(
    case,
    *,
    by,
    party: CaseParty,
    item_code: str,
    description: str = "",
    owner=None,
    owner_unit: str = "",
    due_on: dt.date | None = None,
    suspension_days: int | None = None,
    refer_to=None,
    expected_version: int | None = None,
) -> Measure:
    """A measure from the catalogue for one student (R-CASE-5). Art 10 measures and sanctions
    start as 拟作出 and take effect only through :func:`put_into_effect` (LAW 11, 13)."""
    banned = {code: (label, src) for code, label, _w, src in BANNED}
    if item_code in banned:  # LAW 15 (DR 12)
        label, src = banned[item_code]
        raise Refused(_banned_message([(item_code, label, src)]))
    it = catalogue_item(item_code)
    if it is None:
        raise Refused("该措施不在《中小学教育惩戒规则（试行）》及分级处置规定的措施目录中")
    school_decides = permissions.can_case(by, case, "measure")
    action = "measure" if school_decides else "measure_teacher"
    with _acting(case, by, action, step="measure", expected_version=expected_version) as c:
        if party.case_id != c.pk:
            raise Refused("学生不属于本案")
        det = rules.current_determination(c)
        if det is not None and det.is_bullying:
            if party.pk not in {p.pk for p in rules.bully_parties(c, det)}:
                raise Refused("处置措施只针对认定实施欺凌的学生")
        elif party.role not in (PartyRole.ALLEGED_BULLY, PartyRole.VICTIM):
            raise Refused("批评教育针对事件双方学生")
        if not school_decides and (
            party.student_id is None or party.student.klass_id not in permissions.teacher_class_ids(by)
        ):
            # LAW 11; ROLES.md: a teacher only for students of the classes they teach
            raise Refused("教师只能对本人任教班级的学生采取一般教育惩戒")
        _check_item(
            c,
            party,
            it,
            teacher_only=not school_decides,
            suspension_days=suspension_days,
            description=description,
        )
        if it.decider == "outside" and not owner_unit.strip():
            raise Refused("请填写执行单位（公安机关、人民检察院或人民法院）")
        m = Measure.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            party=party,
            item_code=it.code,
            level=it.level,
            article=it.article,
            decider=it.decider,
            decided_by=by,
            decided_at=_now(),
            description=description,
            owner=owner or (None if it.decider == "outside" else by),
            owner_unit=owner_unit.strip(),
            due_on=due_on,
            suspension_days=suspension_days or None,
            state=MeasureState.PROPOSED if it.defence else MeasureState.EFFECTIVE,
        )
        _event(
            c,
            "measure",
            f"处置措施：{it.label}（学生#{party.pk}；{it.article}）"
            + ("，待告知家长并听取陈述申辩" if it.defence else ""),
            by,
            data={"id": m.pk, "item": it.code, "party_id": party.pk, "state": m.state},
        )
        if refer_to is not None:
            _refer(c, by, refer_to, f"执行：{it.label}", measure=m)
        return m


def _measure_case(measure: Measure, by, action="measure", expected_version=None, step="measure_progress"):
    return _acting(measure.case_id, by, action, step=step, expected_version=expected_version)


def record_defence(
    measure: Measure,
    *,
    by,
    at: dt.datetime,
    record: str,
    hearing_requested: bool = False,
    expected_version: int | None = None,
) -> Measure:
    """The student's 陈述申辩 (DR Art 16–17; LAW 13)."""
    if not record.strip():
        raise Refused("请填写陈述申辩记录")
    with _measure_case(measure, by, expected_version=expected_version) as c:
        m = Measure.objects.get(pk=measure.pk, case=c)
        if m.state != MeasureState.PROPOSED:
            raise Refused("只有拟作出的措施需要陈述申辩")
        m.defence_at, m.defence_record, m.hearing_requested = at, record.strip(), hearing_requested
        m.save(update_fields=["defence_at", "defence_record", "hearing_requested", "updated_at"])
        _event(
            c,
            "measure.defence",
            f"记录陈述申辩（措施#{m.pk}）" + ("，学生申请听证" if hearing_requested else ""),
            by,
            data={"id": m.pk},
        )
        return m


def record_hearing(
    measure: Measure, *, by, at: dt.datetime, record: str, expected_version: int | None = None
) -> Measure:
    """The 听证 requested by the student or guardians (DR Art 16; LAW 13)."""
    if not record.strip():
        raise Refused("请填写听证记录")
    with _measure_case(measure, by, expected_version=expected_version) as c:
        m = Measure.objects.get(pk=measure.pk, case=c)
        if not m.hearing_requested:
            raise Refused("未申请听证")
        m.hearing_at, m.hearing_record = at, record.strip()
        m.save(update_fields=["hearing_at", "hearing_record", "updated_at"])
        _event(c, "measure.hearing", f"记录听证（措施#{m.pk}）", by, data={"id": m.pk})
        return m


def put_into_effect(measure: Measure, *, by, expected_version: int | None = None) -> Measure:
    """LAW 11 and 13: an Art 10 measure or sanction takes effect only after guardians were
    told in advance and the student's 陈述申辩 (and a requested 听证) is recorded."""
    with _measure_case(measure, by, expected_version=expected_version) as c:
        m = Measure.objects.get(pk=measure.pk, case=c)
        if m.state != MeasureState.PROPOSED:
            raise Refused("该措施不是拟作出状态")
        missing = []
        if (
            m.item
            and m.item.needs_prior_notice
            and not m.notices.filter(purpose=NoticePurpose.PRIOR).exists()
        ):
            missing.append("尚未事先告知家长（严重教育惩戒和纪律处分须事先告知）")
        if not m.defence_record:
            missing.append("尚未记录学生的陈述申辩")
        if m.hearing_requested and not m.hearing_record:
            missing.append("学生申请了听证，尚未记录听证")
        if missing:
            raise Refused(["措施不能生效"] + missing)
        m.state = MeasureState.EFFECTIVE
        m.save(update_fields=["state", "updated_at"])
        _event(c, "measure.effective", f"措施生效：{m.label}（措施#{m.pk}）", by, data={"id": m.pk})
        return m


def complete_measure(
    measure: Measure, *, by, done_on: dt.date | None = None, expected_version: int | None = None
) -> Measure:
    """A measure carried out, with its done date (R-CASE-5)."""
    actions = ["measure", "measure_teacher", "referral"]
    with _acting(
        measure.case_id, by, actions, step="measure_progress", expected_version=expected_version
    ) as c:
        m = Measure.objects.get(pk=measure.pk, case=c)
        if m.state != MeasureState.EFFECTIVE:
            raise Refused("只有已生效的措施可以记录执行完毕")
        done_on = done_on or clock.today()
        if done_on > clock.today():
            raise Refused("完成日期不能晚于今天")
        m.state, m.done_on = MeasureState.DONE, done_on
        m.save(update_fields=["state", "done_on", "updated_at"])
        _event(c, "measure.done", f"措施执行完毕：{m.label}（措施#{m.pk}）", by, data={"id": m.pk})
        return m


def _revoke_measure(c: BullyingCase, m: Measure, by, reason: str) -> None:
    m.state, m.revoked_reason = MeasureState.REVOKED, reason
    m.save(update_fields=["state", "revoked_reason", "updated_at"])
    _event(c, "measure.revoked", f"撤销措施：{m.label}（措施#{m.pk}；{reason[:80]}）", by, data={"id": m.pk})
