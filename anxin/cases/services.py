"""Domain operations of incident cases: the ONLY place that changes case state (GUIDE).

Every operation:

1. locks the case row (``select_for_update``) inside one transaction, and — when the caller
   passes ``expected_version`` (forms and the API do) — refuses if someone else acted on the
   case since the page was loaded; it then checks the state *inside* the transaction, so two
   people completing conflicting steps at once cannot both succeed;
2. checks the actor's right on this case (``anxin.cases.permissions``; pages and the API
   check first, this is the second line);
3. checks the law (``anxin.cases.rules`` consulting ``anxin.cases.law``) and refuses with a
   Chinese message naming what is missing (:class:`Refused`, a ``ValidationError``);
4. writes its rows and appends one hash-chained event to the case's timeline; the models'
   ``@audited`` signals write the audit trail. Signals to other apps and e-mail go out only
   after the transaction commits.

Nothing is deleted: corrections, downgrades and appeal outcomes are new rows and new events
that point at what they change (LAW 8).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext

from anxin.cases import permissions, rules, timeline, workflow
from anxin.cases.law import find_banned, response_for
from anxin.cases.law import settings as law_settings
from anxin.cases.law.banned import BANNED
from anxin.cases.law.catalogue import item as catalogue_item
from anxin.cases.law.definitions import (
    ADVANTAGE_BASES,
    BEHAVIOUR_TYPES,
    BULLYING_RESULTS,
    HARM_TYPES,
    RESULT_RANK,
    RESULTS,
)
from anxin.cases.law.definitions import label as law_label
from anxin.cases.law.response import ANY_BULLYING
from anxin.cases.models import (
    FIRST_RESPONDER_SOURCES,
    REPORT_FIELDS,
    Appeal,
    AppealKind,
    AppealOutcome,
    ApplicationStatus,
    BullyingCase,
    BureauReport,
    CaseCounter,
    CaseEvent,
    CaseNote,
    CaseParty,
    CaseReferral,
    CaseState,
    Committee,
    CommitteeMember,
    Determination,
    DeterminationSource,
    Evidence,
    FollowUp,
    FollowUpOutcome,
    GuardianNotice,
    ImmediateKind,
    ImmediateMeasure,
    Investigation,
    LegalParameterVersion,
    Measure,
    MeasureState,
    MemberKind,
    NoticeMethod,
    NoticePurpose,
    PartyRole,
    PoliceReport,
    ReportKind,
    Source,
    SpeakerKind,
    SpecialSchoolApplication,
    Statement,
    SupportAction,
    SupportKind,
)
from anxin.cases.signals import bullying_confirmed, case_party_added
from anxin.core import clock, crypto, filecrypt, policy
from anxin.core.notify import notify
from anxin.core.roles import Role

S = CaseState


class Refused(ValidationError):
    """A step refused by the law or the workflow; ``missing`` lists what is missing, each item
    a whole Chinese sentence; ``title`` names the step refused (pages show it as a heading)."""

    def __init__(self, missing: str | Sequence[str], title: str = ""):
        self.missing = [missing] if isinstance(missing, str) else list(missing)
        self.title = title
        super().__init__(self.missing, code="refused")


class StaleCase(Refused):
    """Someone else acted on the case since the page was loaded (optimistic check)."""


STEP_LABELS = {
    "add_party": "添加当事人",
    "update_facts": "修改事件基本情况",
    "correct_facts": "更正记录",
    "flag_report": "标记须报告事件",
    "immediate": "记录制止与初步处置",
    "notice": "记录家长通知",
    "statement": "添加询问笔录",
    "investigation": "填写调查情况",
    "evidence": "上传证据材料",
    "determination": "记录委员会认定",
    "measure": "记录处置措施",
    "measure_progress": "办理处置措施",
    "support": "记录心理辅导与家庭教育指导",
    "special_school": "申请转入专门学校",
    "referral": "移交法治副校长或公安、司法机关",
    "follow_up": "记录回访",
    "police_report": "记录向公安机关报告",
    "bureau_report": "向教体局报告",
    "appeal": "登记申诉、复查",
    "note": "添加备注",
    "settle": "直接处理玩笑打闹、一般纠纷",
    "escalate": "提请委员会认定",
}


# --- the frame every operation runs in ---------------------------------------------------------


def _require(by, case: BullyingCase, action: str) -> None:
    if by is None or not permissions.can_case(by, case, action):
        raise PermissionDenied(f"cases.bullyingcase.{action}")


def _touch(case: BullyingCase, *fields: str) -> None:
    case._dirty = getattr(case, "_dirty", set()) | set(fields)


@contextmanager
def _acting(
    case: BullyingCase | int,
    by,
    action: str | Sequence[str],
    *,
    step: str | None = None,
    expected_version: int | None = None,
) -> Iterator[BullyingCase]:
    """Lock the case, check the version, the right and the state; save the head after."""
    original = case if isinstance(case, BullyingCase) else None
    pk = case.pk if isinstance(case, BullyingCase) else int(case)
    with transaction.atomic():
        locked = BullyingCase.objects.select_for_update().select_related("school", "county").get(pk=pk)
        if expected_version is not None and locked.version != int(expected_version):
            raise StaleCase(
                f"本案刚被其他人更新（当前为「{locked.get_state_display()}」阶段），请刷新页面、核对后再操作"
            )
        actions = [action] if isinstance(action, str) else list(action)
        if not any(permissions.can_case(by, locked, a) for a in actions):
            raise PermissionDenied(f"cases.bullyingcase.{actions[0]}")
        if step is not None and locked.state not in workflow.ACTIONS[step]:
            raise Refused(
                f"本案当前处于「{locked.get_state_display()}」阶段，不能{STEP_LABELS.get(step, step)}"
            )
        locked._dirty = set()
        yield locked
        locked.version += 1
        fields = {"version", "timeline_seq", "timeline_hash", "updated_at"} | locked._dirty
        locked.save(update_fields=sorted(fields))
    if original is not None:
        for f in BullyingCase._meta.concrete_fields:
            setattr(original, f.attname, getattr(locked, f.attname))


def _event(
    case: BullyingCase, kind: str, summary: str, by, *, data: dict | None = None, corrects=None
) -> CaseEvent:
    return timeline.append(case, kind, summary, by=by, data=data, corrects=corrects)


def _now() -> dt.datetime:
    return clock.now()


def _user_label(user) -> str:
    return (user.real_name or user.username) if user is not None else "system"


def case_url(case: BullyingCase) -> str:
    return reverse("cases:case_detail", args=[case.pk])


# --- who to tell ---------------------------------------------------------------------------------


def school_leaders(school_id: int, roles: Iterable[str] = (Role.SAFETY_LEADER,)) -> list:
    from anxin.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(school_id=school_id, role__in=list(roles))
        .select_related("user")
    ]


def bureau_staff(county_id: int) -> list:
    from anxin.accounts.models import Membership

    return [
        m.user
        for m in Membership.objects.active()
        .filter(county_id=county_id, role=Role.BUREAU_SAFETY, school__isnull=True)
        .select_related("user")
    ]


# --- opening a case (wave-2 interface) ---------------------------------------------------------


def _check_open_right(by, school) -> None:
    schools = policy.schools_for(by, "cases.bullyingcase.open")
    if not policy.can(by, "cases.bullyingcase.open") or (schools is not None and school.pk not in schools):
        raise PermissionDenied("cases.bullyingcase.open")


def _next_number(school, year: int) -> str:
    counter, _ = CaseCounter.objects.get_or_create(school=school, year=year)
    counter = CaseCounter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    prefix = (school.short_name or school.name).strip()
    return f"{prefix}-{year}-{counter.last:04d}"


def _check_behaviour(types: Iterable[str]) -> list[str]:
    codes = {c for c, *_ in BEHAVIOUR_TYPES}
    types = list(dict.fromkeys(types or []))
    bad = [t for t in types if t not in codes]
    if bad:
        raise Refused(f"未知的行为类型：{'、'.join(bad)}")
    return types


def open_case(
    *,
    by,
    school,
    source: str,
    discovered_at: dt.datetime,
    summary: str,
    place: str = "",
    occurred_at: dt.datetime | None = None,
    report=None,
    concern=None,
    students: Iterable[tuple[Any, str]] = (),
    outsiders: Iterable[tuple[str, str, str]] = (),
    behaviour_types: Iterable[str] = (),
    cause: str = "",
    process: str = "",
    first_responder=None,
    owner=None,
    is_public_opinion: bool = False,
    suspected_serious: bool = False,
) -> BullyingCase:
    """Open a case from any channel (R-CASE-1; LAW 17: it is in the county register at once).

    ``students`` are ``(Student, role)`` of any school of the county; ``outsiders`` are
    ``(name, note, role)``. Cases taken by phone or e-mail name their 首问负责人."""
    _check_open_right(by, school)
    if source not in Source.values:
        raise Refused(f"未知的来源：{source}")
    if not (summary or "").strip():
        raise Refused("请填写简要情况")
    now = _now()
    if discovered_at > now + dt.timedelta(minutes=5):
        raise Refused("发现时间不能晚于现在")
    if occurred_at is not None and occurred_at > now + dt.timedelta(minutes=5):
        raise Refused("发生时间不能晚于现在")
    if source in FIRST_RESPONDER_SOURCES and first_responder is None:
        first_responder = by  # 首问负责制: whoever took the call or the e-mail
    types = _check_behaviour(behaviour_types)
    students = list(dict.fromkeys((st, str(role)) for st, role in students))  # a pair once
    for st, role in students:
        _check_party(school.county_id, role, st)
    with transaction.atomic():
        case = BullyingCase(
            county_id=school.county_id,
            school=school,
            number=_next_number(school, clock.local_date(now).year),
            source=source,
            first_responder=first_responder,
            opened_by=by,
            owner=owner or by,
            discovered_at=discovered_at,
            occurred_at=occurred_at,
            place=(place or "").strip()[:120],
            behaviour_types=types,
            summary=summary.strip(),
            cause=cause,
            process=process,
            is_public_opinion=is_public_opinion or source == Source.PUBLIC_OPINION,
            suspected_serious=suspected_serious,
            report_id=getattr(report, "pk", report),
            concern_id=getattr(concern, "pk", concern),
            # R-Q-7: the case keeps the county's legal parameters in force today
            legal_params=LegalParameterVersion.in_force(school.county_id, clock.local_date(now)),
        )
        case.save()
        case = BullyingCase.objects.select_for_update().get(pk=case.pk)
        case._dirty = set()
        _event(
            case,
            "opened",
            f"登记事件（来源：{Source(source).label}）",
            by,
            data={
                "source": source,
                "report_id": case.report_id,
                "concern_id": case.concern_id,
                "first_responder_id": getattr(first_responder, "pk", None),
                "fields": [
                    "discovered_at",
                    "occurred_at",
                    "place",
                    "behaviour_types",
                    "summary",
                    "cause",
                    "process",
                ],
            },
        )
        for st, role in students:
            _add_party(case, by, role, student=st)
        for name, note, role in outsiders:
            _add_party(case, by, role, outsider_name=name, outsider_note=note)
        _update_report_requirement(case, by)
        case.save(update_fields=sorted({"timeline_seq", "timeline_hash"} | case._dirty))
        school_id, number, url = case.school_id, case.number, case_url(case)
        notify(
            school_leaders(school_id) + ([case.owner] if case.owner_id != by.pk else []),
            kind="case_opened",
            title=f"新登记欺凌事件 {number}",
            body="请及时制止、处置并通知双方家长。",
            url=url,
            dedupe_key=f"case:{case.pk}:opened",
            school=school_id,
        )
    return case


# --- parties ---------------------------------------------------------------------------------


def _check_party(county_id: int, role: str, student=None, outsider_name: str = "") -> None:
    if role not in PartyRole.values:
        raise Refused(f"未知的当事人身份：{role}")
    if student is None and not outsider_name.strip():
        raise Refused("请选择学生，或填写校外人员姓名")
    if student is not None and student.county_id != county_id:
        raise Refused("只能添加本县学校的学生；其他人员请按校外人员登记")


def _add_party(
    case, by, role, *, student=None, outsider_name: str = "", outsider_note: str = ""
) -> CaseParty:
    _check_party(case.county_id, role, student, outsider_name)
    if student is not None and CaseParty.objects.filter(case=case, student=student, role=role).exists():
        raise Refused("该学生已以相同身份登记在本案中")
    party = CaseParty.objects.create(
        county_id=case.county_id,
        school_id=case.school_id,
        case=case,
        role=role,
        student=student,
        outsider_name=outsider_name.strip(),
        outsider_note=outsider_note.strip(),
        added_by=by,
    )
    # names stay out of the chained timeline (they can be corrected in the party record)
    _event(
        case,
        "party.added",
        f"添加当事人：{PartyRole(role).label}（#{party.pk}）",
        by,
        data={"party_id": party.pk, "role": role, "student_id": getattr(student, "pk", None)},
    )
    if student is not None:
        transaction.on_commit(
            lambda: case_party_added.send(sender=BullyingCase, case=case, student=student, role=role)
        )
    return party


def add_party(
    case,
    *,
    by,
    role: str,
    student=None,
    outsider_name: str = "",
    outsider_note: str = "",
    expected_version: int | None = None,
) -> CaseParty:
    with _acting(case, by, "change", step="add_party", expected_version=expected_version) as c:
        return _add_party(
            c, by, role, student=student, outsider_name=outsider_name, outsider_note=outsider_note
        )


# --- the record's facts ----------------------------------------------------------------------

FACT_FIELDS = ("occurred_at", "place", "behaviour_types", "summary", "cause", "process", "injuries")
FACT_LABELS = {
    "occurred_at": "发生时间",
    "place": "地点",
    "behaviour_types": "行为类型",
    "summary": "简要情况",
    "cause": "起因",
    "process": "经过",
    "injuries": "伤情",
    "owner": "承办人",
}


def _jsonable(value):
    if isinstance(value, dt.datetime):
        return value.astimezone(clock.SHANGHAI).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "pk"):
        return value.pk
    return value


# narrative fields: the timeline keeps both values encrypted, never in plain text (LAW 20)
SEALED_FACTS = frozenset({"place", "summary", "cause", "process", "injuries"})


def _diff_value(field: str, value):
    value = _jsonable(value)
    return crypto.seal(value) if field in SEALED_FACTS else value


def _apply_facts(c: BullyingCase, changes: dict) -> dict:
    diff = {}
    for field, value in changes.items():
        if field not in FACT_FIELDS + ("owner",):
            raise Refused(f"不能修改：{field}")
        if field == "behaviour_types":
            value = _check_behaviour(value)
        attname = "owner_id" if field == "owner" else field
        new = getattr(value, "pk", value) if field == "owner" else value
        old = getattr(c, attname)
        if old != new:
            diff[field] = {"before": _diff_value(field, old), "after": _diff_value(field, new)}
            setattr(c, attname, new)
            _touch(c, attname)
    return diff


def update_facts(case, *, by, expected_version: int | None = None, **changes) -> BullyingCase:
    """Complete the record while the facts are still being gathered (before determination)."""
    with _acting(case, by, "change", step="update_facts", expected_version=expected_version) as c:
        diff = _apply_facts(c, changes)
        if diff:
            labels = "、".join(FACT_LABELS[f] for f in diff)
            _event(
                c,
                "facts.updated",
                f"补充事件基本情况：{labels}",
                by,
                data={"fields": sorted(diff), "diff": diff},
            )
    return case


def _last_event_touching(c: BullyingCase, field: str) -> CaseEvent | None:
    for ev in c.events.filter(kind__in=["opened", "facts.updated", "correction"]).order_by("-seq"):
        if field in (ev.data or {}).get("fields", []):
            return ev
    return None


def correct_facts(
    case,
    *,
    by,
    reason: str,
    corrects: CaseEvent | None = None,
    expected_version: int | None = None,
    **changes,
) -> CaseEvent:
    """A correction (LAW 8): a new event pointing at the one it corrects, with the reason and
    both values; the earlier event stays as it was."""
    if len((reason or "").strip()) < 4:
        raise Refused("更正须写明理由")
    with _acting(case, by, "change", step="correct_facts", expected_version=expected_version) as c:
        diff = _apply_facts(c, changes)
        if not diff:
            raise Refused("没有需要更正的内容")
        if corrects is not None and corrects.case_id != c.pk:
            raise Refused("只能更正本案的记录")
        target = corrects or _last_event_touching(c, next(iter(diff)))
        labels = "、".join(FACT_LABELS[f] for f in diff)
        return _event(
            c,
            "correction",
            f"更正：{labels}（理由：{reason.strip()[:120]}）",
            by,
            data={"fields": sorted(diff), "diff": diff, "reason": reason.strip()},
            corrects=target,
        )


def flag_for_report(
    case,
    *,
    by,
    public_opinion: bool = False,
    suspected_serious: bool = False,
    reason: str = "",
    expected_version: int | None = None,
) -> BullyingCase:
    """Mark a case as 舆情 or as looking serious: from now it must be reported (LAW 7). A mark
    is never taken back (LAW 8: 不得瞒报)."""
    if not (public_opinion or suspected_serious):
        raise Refused("请选择标记：舆情事件或初步研判情节严重")
    with _acting(case, by, "change", step="flag_report", expected_version=expected_version) as c:
        marks = []
        if public_opinion and not c.is_public_opinion:
            c.is_public_opinion = True
            _touch(c, "is_public_opinion")
            marks.append("舆情事件")
        if suspected_serious and not c.suspected_serious:
            c.suspected_serious = True
            _touch(c, "suspected_serious")
            marks.append("初步研判情节严重")
        if marks:
            _event(
                c,
                "flagged",
                f"标记为{'、'.join(marks)}" + (f"（{reason.strip()[:100]}）" if reason else ""),
                by,
                data={"marks": marks},
            )
            _update_report_requirement(c, by)
    return case


def _update_report_requirement(c: BullyingCase, by) -> None:
    """LAW 7: once a case must be reported, it stays so; the first report is due
    ``BUREAU_REPORT_HOURS`` after discovery, and later than that it is 迟报."""
    if c.report_required or not rules.requires_report(c.result, c):
        return
    c.report_required = True
    hours = law_settings.get("BUREAU_REPORT_HOURS", case=c)
    c.report_due_at = c.discovered_at + dt.timedelta(hours=hours)
    _touch(c, "report_required", "report_due_at")
    if c.first_reported_at is not None and c.first_reported_at > c.report_due_at:
        c.report_late = True
        _touch(c, "report_late")
    _event(
        c,
        "report.required",
        f"须立即向公安机关和县教体局报告（首报时限：发现后{hours}小时）",
        by,
        data={"due_at": c.report_due_at.isoformat()},
    )
    case_id, school_id, number = c.pk, c.school_id, c.number
    notify(
        school_leaders(school_id, (Role.SAFETY_LEADER, Role.PRINCIPAL)),
        kind="report_due",
        title=f"{number} 须立即向县教体局和公安机关报告",
        body="情节恶劣、涉嫌违法犯罪或舆情事件须立即报告，超过时限即为迟报。",
        url=reverse("cases:case_detail", args=[case_id]),
        dedupe_key=f"case:{case_id}:report_required",
        school=school_id,
    )


# --- 制止与初步处置, 家校互通 -------------------------------------------------------------------


def record_immediate(
    case,
    *,
    by,
    kind: str,
    taken_at: dt.datetime,
    description: str = "",
    taken_by=None,
    expected_version: int | None = None,
) -> ImmediateMeasure:
    """R-CASE-2: 主动予以制止，并采取相应处置措施."""
    if kind not in ImmediateKind.values:
        raise Refused("请选择措施")
    if find_banned(description):
        raise Refused(_banned_message(find_banned(description)))
    with _acting(case, by, "change", step="immediate", expected_version=expected_version) as c:
        m = ImmediateMeasure.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            kind=kind,
            description=description,
            taken_at=taken_at,
            taken_by=taken_by or by,
        )
        _event(
            c,
            "immediate",
            f"制止与初步处置：{ImmediateKind(kind).label}",
            by,
            data={"id": m.pk, "kind": kind},
        )
        return m


def notify_guardian(
    case,
    *,
    by,
    party: CaseParty,
    purpose: str,
    method: str,
    notified_at: dt.datetime,
    guardian=None,
    guardian_name: str = "",
    participated: bool = False,
    participation: str = "",
    notified_by=None,
    measure: Measure | None = None,
    expected_version: int | None = None,
) -> GuardianNotice:
    """A guardian told (who, how, when) and whether they took part (R-CASE-2; LAW 5, 10, 11)."""
    if purpose not in NoticePurpose.values:
        raise Refused("请选择通知事项")
    if method not in NoticeMethod.values:
        raise Refused("请选择通知方式")
    if notified_at > _now() + dt.timedelta(minutes=5):
        raise Refused("通知时间不能晚于现在")
    actions = ["change", "statement"] if purpose == NoticePurpose.INITIAL else ["change"]
    with _acting(case, by, actions, step="notice", expected_version=expected_version) as c:
        if party.case_id != c.pk:
            raise Refused("当事人不属于本案")
        if guardian is not None and (party.student_id is None or guardian.student_id != party.student_id):
            raise Refused("所选监护人不是该学生的监护人")
        if guardian is None and not guardian_name.strip():
            if party.student_id is None:
                raise Refused("请填写被通知的监护人")
            guardian = party.student.guardians.filter(is_guardian=True).order_by("position").first()
            if guardian is None:
                raise Refused("名册中没有该学生的监护人，请填写被通知的监护人")
        if measure is not None and measure.case_id != c.pk:
            raise Refused("措施不属于本案")
        n = GuardianNotice.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            party=party,
            purpose=purpose,
            guardian=guardian,
            guardian_name=guardian_name.strip(),
            notified_by=notified_by or by,
            method=method,
            notified_at=notified_at,
            participated=participated,
            participation=participation.strip(),
            measure=measure,
        )
        _event(
            c,
            "notice",
            f"{NoticePurpose(purpose).label}：通知{rules.ROLE_WORD.get(party.role, '当事人')}"
            f"（#{party.pk}）监护人（{NoticeMethod(method).label}）" + ("，已参与" if participated else ""),
            by,
            data={"id": n.pk, "party_id": party.pk, "purpose": purpose, "participated": participated},
        )
        return n


def record_participation(
    notice: GuardianNotice, *, by, participation: str, expected_version: int | None = None
) -> GuardianNotice:
    """The guardian took part (LAW 5): e.g. 到校面谈、参加调查、出席认定会议."""
    if not participation.strip():
        raise Refused("请写明监护人如何参与")
    with _acting(notice.case_id, by, "change", step="notice", expected_version=expected_version) as c:
        n = GuardianNotice.objects.get(pk=notice.pk, case=c)
        n.participated = True
        n.participation = participation.strip()[:200]
        n.save(update_fields=["participated", "participation", "updated_at"])
        _event(c, "notice.participated", f"当事人（#{n.party_id}）监护人已参与处理", by, data={"id": n.pk})
        return n


# --- investigation ---------------------------------------------------------------------------


def record_statement(
    case,
    *,
    by,
    speaker_kind: str,
    content: str,
    taken_at: dt.datetime,
    party=None,
    speaker: str = "",
    expected_version: int | None = None,
) -> Statement:
    """A statement (R-CASE-3). A class teacher may add them to cases of own students."""
    if speaker_kind not in SpeakerKind.values:
        raise Refused("请选择陈述人类别")
    if not content.strip():
        raise Refused("请填写陈述内容")
    with _acting(case, by, ["change", "statement"], step="statement", expected_version=expected_version) as c:
        if party is not None and party.case_id != c.pk:
            raise Refused("当事人不属于本案")
        s = Statement.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            party=party,
            speaker_kind=speaker_kind,
            speaker=speaker.strip(),
            content=content.strip(),
            taken_at=taken_at,
            taken_by=by,
        )
        _event(c, "statement", f"询问笔录：{SpeakerKind(speaker_kind).label}", by, data={"id": s.pk})
        return s


def update_investigation(case, *, by, expected_version: int | None = None, **facts) -> Investigation:
    """The five facts (时间、地点、起因、过程、涉及人员) and the findings (R-CASE-3)."""
    allowed = set(Investigation.FACTS) | {"findings"}
    with _acting(case, by, "change", step="investigation", expected_version=expected_version) as c:
        inv = Investigation.objects.get(case=c)
        changed = []
        for k, v in facts.items():
            if k not in allowed:
                raise Refused(f"不能修改：{k}")
            if getattr(inv, k) != (v or ""):
                setattr(inv, k, v or "")
                changed.append(k)
        if changed:
            inv.save(update_fields=changed + ["updated_at"])
            labels = "、".join(str(Investigation._meta.get_field(f).verbose_name) for f in changed)
            _event(c, "investigation", f"调查情况：{labels}", by, data={"fields": changed})
        return inv


# --- evidence ----------------------------------------------------------------------------------


def check_upload(upload) -> str:
    """The content type of an evidence upload, checked by content (R-Q-4); refuses with a reason."""
    import filetype

    limit = law_settings.get("EVIDENCE_MAX_BYTES")
    if upload.size is None or upload.size == 0:
        raise Refused("文件为空")
    if upload.size > limit:
        raise Refused(f"文件过大（{upload.size / 1048576:.1f} MB），不能超过 {limit // 1048576} MB")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    allowed = set(law_settings.get("EVIDENCE_TYPES"))
    if kind is None:
        raise Refused("无法识别文件类型：请上传图片、PDF、音频或视频文件")
    if kind.mime not in allowed:
        raise Refused(f"不支持的文件类型（按内容识别为 {kind.mime}）：请上传图片、PDF、音频或视频文件")
    return kind.mime


def _clean_evidence(upload, mime: str) -> tuple[Any, str]:
    """The content to store and its type: photos re-encoded without their metadata (EXIF/GPS)
    and with the decode limits of report photos (``intake.uploads``: one frame, pixel cap;
    HEIC kept as JPEG), phone videos with their metadata boxes blanked and their duration
    capped; PDF and audio as they are."""
    from django.core.files.base import ContentFile

    from anxin.intake import uploads, video

    target = uploads.CONVERTED.get(mime, mime)
    if target in uploads.IMAGE_TYPES:
        try:
            data = uploads.reencode(upload, uploads.IMAGE_TYPES[target])
        except ValidationError as exc:
            raise Refused(exc.messages) from exc
        except Exception as exc:  # noqa: BLE001 — any decoder error means a bad file
            raise Refused(gettext("文件已损坏或不是有效的图片。")) from exc
        return ContentFile(data), target
    if mime in video.ISO_TYPES:
        try:
            uploads.check_duration(upload, mime, 1)
            content, _blanked = video.strip_metadata(upload)
        except ValidationError as exc:
            raise Refused(exc.messages) from exc
        except video.Malformed as exc:
            raise Refused(gettext("文件已损坏或不是有效的视频。")) from exc
        return content, mime
    return upload, mime


def upload_evidence(
    case, *, by, upload, description: str = "", expected_version: int | None = None
) -> Evidence:
    """Store an evidence file whole or not at all: a failure after the file was written removes it.
    Stored without metadata (``_clean_evidence``) and encrypted (``core.filecrypt``); size and
    hash are those of the stored content, what a download gives back."""
    mime = check_upload(upload)
    content, mime = _clean_evidence(upload, mime)
    digest = hashlib.sha256()
    content.seek(0)
    size = 0
    for chunk in iter(lambda: content.read(65536), b""):
        digest.update(chunk)
        size += len(chunk)
    content.seek(0)
    stored: list[str] = []
    try:
        with _acting(case, by, "change", step="evidence", expected_version=expected_version) as c:
            ev = Evidence(
                county_id=c.county_id,
                school_id=c.school_id,
                case=c,
                original_name=(upload.name or "")[:200],
                content_type=mime,
                size=size,
                sha256=digest.hexdigest(),
                description=description[:200],
                uploaded_by=by,
            )
            ext = _evidence_ext(mime, upload.name)
            ev.file.save(f"file.{ext}", filecrypt.encrypted_file(content), save=False)
            stored.append(ev.file.name)
            ev.save()
            _event(
                c,
                "evidence",
                f"上传证据材料（{mime}，{size} 字节）",
                by,
                data={"id": ev.pk, "sha256": ev.sha256},
            )
            return ev
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise


def _evidence_ext(mime: str, name: str | None) -> str:
    """File extension of a stored evidence file: from its (checked) type, else the uploaded name."""
    from anxin.intake import uploads

    ext = uploads._EXT.get(mime)
    if ext:
        return ext
    return (name or "").rsplit(".", 1)[-1].lower()[:8] if "." in (name or "") else "bin"


# --- the committee (LAW 3, 4) ------------------------------------------------------------------


def committee_for(school) -> Committee | None:
    return Committee.objects.filter(school_id=getattr(school, "pk", school)).first()


def _require_committee_right(by, committee_or_school) -> None:
    school_id = getattr(committee_or_school, "school_id", None) or committee_or_school.pk
    probe = Committee(county_id=committee_or_school.county_id, school_id=school_id)
    if by is None or not policy.allows(by, probe, "change"):
        raise PermissionDenied("cases.committee.change")


@transaction.atomic
def constitute_committee(
    *, by, school, established_on: dt.date | None = None, name: str = "学生欺凌治理委员会"
) -> Committee:
    """Set up the school's 学生欺凌治理委员会 (then add its members)."""
    _require_committee_right(by, school)
    if committee_for(school) is not None:
        raise Refused("本校已组建学生欺凌治理委员会")
    return Committee.objects.create(
        county_id=school.county_id, school=school, name=name, established_on=established_on or clock.today()
    )


@transaction.atomic
def add_member(
    committee: Committee,
    *,
    by,
    kind: str,
    name: str,
    title: str = "",
    user=None,
    is_chair: bool = False,
    joined_on: dt.date | None = None,
) -> CommitteeMember:
    """LAW 4: the chair is the principal; one chair at a time."""
    _require_committee_right(by, committee)
    if kind not in MemberKind.values:
        raise Refused("请选择委员类别")
    if not name.strip():
        raise Refused("请填写委员姓名")
    if is_chair and kind != MemberKind.PRINCIPAL:
        raise Refused("学生欺凌治理委员会主任由校长担任")
    committee = Committee.objects.select_for_update().get(pk=committee.pk)
    if is_chair and committee.members.filter(is_chair=True, left_on__isnull=True).exists():
        raise Refused("委员会已有主任；请先办理原主任退出")
    return CommitteeMember.objects.create(
        county_id=committee.county_id,
        school_id=committee.school_id,
        committee=committee,
        kind=kind,
        name=name.strip(),
        title=title.strip(),
        user=user,
        is_chair=is_chair,
        joined_on=joined_on or clock.today(),
    )


@transaction.atomic
def member_leaves(member: CommitteeMember, *, by, left_on: dt.date | None = None) -> CommitteeMember:
    _require_committee_right(by, member.committee)
    member = CommitteeMember.objects.select_for_update().get(pk=member.pk)
    if member.left_on is not None:
        raise Refused("该委员已退出")
    member.left_on = left_on or clock.today()
    member.save(update_fields=["left_on", "updated_at"])
    return member


# --- determination (LAW 1–5, 8) --------------------------------------------------------------


def record_determination(
    case,
    *,
    by,
    meeting_at: dt.datetime,
    members_present: Sequence[CommitteeMember],
    votes_for: int,
    votes_against: int = 0,
    votes_abstain: int = 0,
    result: str,
    record: str = "",
    meeting_place: str = "",
    between_students: bool = False,
    deliberate: bool = False,
    means: str = "",
    harm_types: Sequence[str] = (),
    advantage_bases: Sequence[str] = (),
    advantage_note: str = "",
    bullies: Sequence[CaseParty] | None = None,
    reason: str = "",
    expected_version: int | None = None,
) -> Determination:
    """Record the committee's determination (R-CASE-4). Only the constituted committee's
    recorded vote decides (LAW 3, 4); a finding of bullying records its elements (LAW 2);
    both sides' guardians must have taken part (LAW 5); a later determination supersedes the
    earlier one, needs a reason and keeps both (LAW 8)."""
    if result not in {c for c, *_ in RESULTS}:
        raise Refused("请选择认定结果")
    harm_types = [h for h in harm_types if h]
    advantage_bases = [a for a in advantage_bases if a]
    if set(harm_types) - {c for c, _ in HARM_TYPES} or set(advantage_bases) - {c for c, _ in ADVANTAGE_BASES}:
        raise Refused("损害类型或优势依据不在规定范围内")
    if not (record or "").strip():
        raise Refused("请填写会议记录")
    with _acting(case, by, "determine", step="determination", expected_version=expected_version) as c:
        committee = committee_for(c.school_id)
        gaps = rules.committee_gaps(committee, c.school, case=c)
        if gaps:
            raise Refused(["学生欺凌治理委员会未依法组成，不能认定"] + gaps)
        present = list(members_present)
        gaps = rules.meeting_valid(committee, present, votes_for, votes_against, votes_abstain)
        elements = {
            "between_students": between_students,
            "deliberate": deliberate,
            "means": means,
            "harm_types": harm_types,
            "advantage_bases": advantage_bases,
        }
        gaps += rules.elements_recorded(result, elements)
        if gaps:
            raise Refused(gaps)
        previous = rules.current_determination(c)
        # a direct settlement (LAW 3 exception) the committee now decides on is not a re-determination
        direct = previous is not None and previous.source == DeterminationSource.DIRECT
        if previous is not None and not direct:
            if c.state == S.DETERMINING:
                raise Refused("本案已有认定")
            if len(reason.strip()) < 10:
                down = RESULT_RANK[result] < RESULT_RANK[previous.result]
                raise Refused(
                    "降低认定等级须写明理由（不少于10个字），原认定将一并保留"
                    if down
                    else "重新认定须写明理由（不少于10个字），原认定将一并保留"
                )
        parties = list(c.parties.all())
        bully_list = (
            list(bullies)
            if bullies is not None
            else [p for p in parties if p.role == PartyRole.ALLEGED_BULLY]
        )
        if result in BULLYING_RESULTS:
            if not any(p.role == PartyRole.VICTIM for p in parties):
                raise Refused("认定为欺凌须登记被欺凌学生")
            if not bully_list:
                raise Refused("认定为欺凌须确定实施欺凌的学生")
            if any(p.case_id != c.pk or p.role != PartyRole.ALLEGED_BULLY for p in bully_list):
                raise Refused("实施欺凌的学生须为本案登记的被反映实施欺凌学生")
        det = Determination.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            seq=(previous.seq + 1 if previous else 1),
            source=DeterminationSource.COMMITTEE,
            committee=committee,
            meeting_at=meeting_at,
            meeting_place=meeting_place,
            record=record,
            votes_for=votes_for,
            votes_against=votes_against,
            votes_abstain=votes_abstain,
            result=result,
            advantage_note=advantage_note,
            reason=reason.strip(),
            supersedes=previous,
            recorded_by=by,
            **elements,
        )
        det.members_present.set(present)
        if result in BULLYING_RESULTS:
            det.bullies.set(bully_list)
        if c.state == S.DETERMINING:
            _run_transition(c, workflow.TRANSITIONS["determine"], by, {})
        corrects = _last_determination_event(c) if previous else None
        _event(
            c,
            "determination",
            f"学生欺凌治理委员会认定：{law_label(RESULTS, result)}（赞成{votes_for}、反对{votes_against}、弃权{votes_abstain}）"
            + (f"；变更理由：{reason.strip()[:100]}" if previous else ""),
            by,
            data={"id": det.pk, "result": result, "previous": getattr(previous, "result", None)},
            corrects=corrects,
        )
        _apply_result(c, det, by)
        return det


def _last_determination_event(c: BullyingCase) -> CaseEvent | None:
    return c.events.filter(kind__in=["determination", "determination.changed"]).order_by("-seq").first()


def _apply_result(c: BullyingCase, det: Determination, by) -> None:
    """Effects of a (new) determination: the case's result, the report requirement (LAW 7),
    the support duties of any bullying (LAW 9), a return to 处置 when a changed result needs
    new handling, and the ``bullying_confirmed`` signal."""
    changed = c.result != det.result
    c.result = det.result
    c.is_bullying = det.is_bullying
    _touch(c, "result", "is_bullying")
    _update_report_requirement(c, by)
    if det.is_bullying:
        _plan_support(c, det, by)
    if changed and c.state in workflow.REOPEN_SOURCES:
        old = c.state
        c.state = S.HANDLING
        c.closed_at = None
        _touch(c, "state", "closed_at")
        _event(
            c,
            "transition",
            f"{S(old).label} → {S.HANDLING.label}：认定变更，重新处置",
            by,
            data={"from": old, "to": S.HANDLING, "transition": "reopen"},
        )
    if det.is_bullying:
        bullies = [p.student for p in det.bullies.select_related("student") if p.student_id]
        victims = [
            p.student
            for p in c.parties.select_related("student").filter(role=PartyRole.VICTIM)
            if p.student_id
        ]
        case = c
        transaction.on_commit(
            lambda: bullying_confirmed.send(sender=BullyingCase, case=case, bullies=bullies, victims=victims)
        )


def _plan_support(c: BullyingCase, det: Determination, by) -> None:
    """LAW 9: plan each support duty of any bullying (done later; closing checks them)."""
    existing = set(c.support_actions.values_list("party_id", "kind"))
    victims = [p for p in c.parties.all() if p.role == PartyRole.VICTIM and p.student_id]
    bullies = [p for p in det.bullies.all() if p.student_id]
    due = clock.today() + dt.timedelta(days=7)
    planned = 0
    for kind, role, _what, _src in ANY_BULLYING:
        for p in victims if role == PartyRole.VICTIM else bullies:
            if (p.pk, kind) not in existing:
                SupportAction.objects.create(
                    county_id=c.county_id,
                    school_id=c.school_id,
                    case=c,
                    party=p,
                    kind=kind,
                    due_on=due,
                    owner=c.owner,
                )
                existing.add((p.pk, kind))
                planned += 1
    if planned:
        _event(
            c, "support.planned", f"安排心理辅导、加强管教和家庭教育指导{planned}项", by, data={"n": planned}
        )


# --- transitions -------------------------------------------------------------------------------


def _run_transition(c: BullyingCase, t: workflow.Transition, by, ctx: dict) -> None:
    if c.state not in t.sources:
        raise Refused(f"本案当前处于「{c.get_state_display()}」阶段，不能{t.label}")
    missing = workflow.missing_for(c, t.name, ctx)
    if missing:
        raise Refused(missing, title=f"不能{t.label}：")
    old = c.state
    c.state = t.target
    _touch(c, "state")
    for name in t.effects:
        EFFECTS[name](c, by, ctx)
    _event(
        c,
        "transition",
        f"{S(old).label} → {S(t.target).label}：{t.label}",
        by,
        data={
            "from": old,
            "to": t.target,
            "transition": t.name,
            **({"reason": ctx["reason"]} if ctx.get("reason") else {}),
        },
    )


def advance(case, name: str, *, by, expected_version: int | None = None, **ctx) -> BullyingCase:
    """Take a step of the main track (``workflow.TRANSITIONS``); refused with what is missing."""
    if name not in workflow.TRANSITIONS:
        raise Refused(f"未知的操作：{name}")
    t = workflow.TRANSITIONS[name]
    if name == "determine":
        raise Refused("认定须记录学生欺凌治理委员会会议（会议记录、出席委员、表决）")
    with _acting(case, by, t.action, expected_version=expected_version) as c:
        _run_transition(c, t, by, ctx)
    return case


def close_unfounded(case, *, by, reason: str, expected_version: int | None = None) -> BullyingCase:
    """查无实据结案 (LAW 8): only with a reason; the history keeps the report and the reason."""
    return advance(case, "close_unfounded", by=by, reason=reason, expected_version=expected_version)


def _effect_open_investigation(c: BullyingCase, by, ctx: dict) -> None:
    # LAW 6 (P2017): due INVESTIGATION_DAYS after it starts (calendar or working days)
    from anxin.cases.calendar import add_days

    now = _now()
    days = law_settings.get("INVESTIGATION_DAYS", case=c)
    kind = law_settings.get("INVESTIGATION_DAY_KIND", case=c)
    due_day = add_days(clock.local_date(now), days, kind, c.county_id)
    due = dt.datetime.combine(due_day, dt.time(23, 59), tzinfo=clock.SHANGHAI)
    Investigation.objects.create(
        county_id=c.county_id,
        school_id=c.school_id,
        case=c,
        investigator=c.owner or by,
        started_at=now,
        due_at=due,
    )


def _effect_finish_investigation(c: BullyingCase, by, ctx: dict) -> None:
    Investigation.objects.filter(case=c).update(finished_at=_now())


def _effect_schedule_follow_ups(c: BullyingCase, by, ctx: dict) -> None:
    # R-CASE-9: check-ins with the bullied student and the bully after 1, 4 and 12 weeks
    today = clock.today()
    det = rules.current_determination(c)
    targets = [p for p in c.parties.all() if p.role == PartyRole.VICTIM and p.student_id]
    targets += [p for p in rules.bully_parties(c, det) if p.student_id]
    for week in law_settings.get("FOLLOW_UP_WEEKS"):
        for p in targets:
            if not FollowUp.objects.filter(case=c, party=p, week=week).exists():
                FollowUp.objects.create(
                    county_id=c.county_id,
                    school_id=c.school_id,
                    case=c,
                    party=p,
                    week=week,
                    due_on=today + dt.timedelta(weeks=week),
                    owner=c.owner,
                )


def _effect_settle_directly(c: BullyingCase, by, ctx: dict) -> None:
    """LAW 3 exception (seed 二(三)): the school's own finding of 玩笑打闹/一般纠纷, recorded with
    its grounds as a determination of the school (not the committee), and the 批评教育 given to
    the students involved — no 教育惩戒 measure."""
    result, grounds = ctx["result"], ctx["grounds"].strip()
    det = Determination.objects.create(
        county_id=c.county_id,
        school_id=c.school_id,
        case=c,
        seq=1,
        source=DeterminationSource.DIRECT,
        result=result,
        record=grounds,
        reason=grounds,
        recorded_by=by,
    )
    _event(
        c,
        "settlement",
        f"学校初步判断为{law_label(RESULTS, result)}，直接予以批评教育；依据：{grounds[:100]}",
        by,
        data={"id": det.pk, "result": result},
    )
    _apply_result(c, det, by)
    today = clock.today()
    for p in c.parties.filter(role=PartyRole.ALLEGED_BULLY, student__isnull=False):
        m = Measure.objects.create(
            county_id=c.county_id,
            school_id=c.school_id,
            case=c,
            party=p,
            item_code="criticism",
            level="education",
            article="SEED 二(三)",
            decider="teacher",
            decided_by=by,
            decided_at=_now(),
            description="直接予以批评教育",
            owner=by,
            done_on=today,
            state=MeasureState.DONE,
        )
        _event(
            c,
            "measure",
            f"处置措施：批评教育（学生#{p.pk}；SEED 二(三)）",
            by,
            data={"id": m.pk, "item": "criticism", "party_id": p.pk, "state": m.state},
        )


def _effect_reopen_for_committee(c: BullyingCase, by, ctx: dict) -> None:
    """The committee path after a direct settlement: the investigation (re)opens, then 认定."""
    c.closed_at = None
    c.close_kind = ""
    c.result, c.is_bullying = "", None  # the committee decides now
    _touch(c, "closed_at", "close_kind", "result", "is_bullying")
    _event(
        c,
        "settlement.escalated",
        f"提请学生欺凌治理委员会认定：{rules.ESCALATION_GROUNDS[ctx['ground']]}",
        by,
        data={"ground": ctx["ground"]},
    )
    inv = Investigation.objects.filter(case=c).first()
    if inv is None:
        _effect_open_investigation(c, by, ctx)
    elif inv.finished_at is not None:
        Investigation.objects.filter(pk=inv.pk).update(finished_at=None)


def settle_directly(
    case, *, by, result: str, grounds: str, expected_version: int | None = None
) -> BullyingCase:
    """LAW 3 exception: the safety leader settles an incident the school judges to be
    玩笑打闹 or 一般纠纷 directly with 批评教育 (workflow ``settle``)."""
    with _acting(case, by, "settle", step="settle", expected_version=expected_version) as c:
        _run_transition(c, workflow.TRANSITIONS["settle"], by, {"result": result, "grounds": grounds or ""})
    return case


def escalate_settlement(
    case, *, by, ground: str, reason: str, expected_version: int | None = None
) -> BullyingCase:
    """A family disagrees, someone asks for a determination, or the same students meet again:
    the directly settled case goes to the committee (workflow ``escalate``)."""
    with _acting(case, by, "change", step="escalate", expected_version=expected_version) as c:
        _run_transition(c, workflow.TRANSITIONS["escalate"], by, {"ground": ground, "reason": reason or ""})
    return case


def _effect_closed(c: BullyingCase, by, ctx: dict) -> None:
    c.closed_at = _now()
    c.close_kind = "unfounded" if ctx.get("reason") else "handled"
    c.close_reason = (ctx.get("reason") or "").strip()
    _touch(c, "closed_at", "close_kind", "close_reason")


EFFECTS = {
    "open_investigation": _effect_open_investigation,
    "finish_investigation": _effect_finish_investigation,
    "apply_determination": lambda c, by, ctx: None,  # record_determination applies it itself
    "schedule_follow_ups": _effect_schedule_follow_ups,
    "closed": _effect_closed,
    "settle_directly": _effect_settle_directly,
    "reopen_for_committee": _effect_reopen_for_committee,
}


# --- measures (LAW 10–13, 15, 16) ------------------------------------------------------------


def _banned_message(found) -> str:
    return "禁止的惩戒方式，不得录入：" + "、".join(f"{label}（{src}）" for _c, label, src in found)


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


# --- support (LAW 9) ---------------------------------------------------------------------------


def record_support(
    case,
    *,
    by,
    party: CaseParty,
    kind: str,
    done_at: dt.datetime | None = None,
    provider: str = "",
    summary: str = "",
    notes: str = "",
    owner=None,
    due_on: dt.date | None = None,
    expected_version: int | None = None,
) -> SupportAction:
    """Record (or plan, without ``done_at``) counselling, a supervision plan or 家庭教育指导.
    A counsellor records counselling only (ROLES.md)."""
    if kind not in SupportKind.values:
        raise Refused("请选择事项")
    manager = permissions.can_case(by, case, "change")
    if not manager and kind not in (SupportKind.VICTIM_COUNSELLING, SupportKind.BULLY_COUNSELLING):
        raise PermissionDenied("cases.bullyingcase.support")
    with _acting(case, by, "support", step="support", expected_version=expected_version) as c:
        if party.case_id != c.pk or not party.student_id:
            raise Refused("请选择本案的当事学生")
        if done_at is not None and done_at > _now() + dt.timedelta(minutes=5):
            raise Refused("完成时间不能晚于现在")
        action = (
            SupportAction.objects.select_for_update()
            .filter(case=c, party=party, kind=kind, done_at__isnull=True)
            .order_by("id")
            .first()
        )
        if action is None:
            action = SupportAction(
                county_id=c.county_id, school_id=c.school_id, case=c, party=party, kind=kind
            )
        action.owner = owner or action.owner or by
        action.due_on = due_on or action.due_on
        if done_at is not None:
            action.done_at, action.provider, action.summary = done_at, provider.strip(), summary.strip()
            action.notes = notes
            action.recorded_by = by
        action.save()
        _event(
            c,
            "support",
            f"{SupportKind(kind).label}：学生#{party.pk}" + ("已完成" if done_at else "已安排"),
            by,
            data={"id": action.pk, "kind": kind, "done": done_at is not None},
        )
        return action


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
            "contact": "",
            "signer": "",
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
            r.save(update_fields=changed + ["updated_at"])
        return r


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
    "signer",
)


def submit_report(report: BureauReport, *, by, expected_version: int | None = None) -> BureauReport:
    """Sign off and send (LAW 7). Frozen from now on; a 首报 later than the deadline is 迟报."""
    with _acting(
        report.case_id, by, "report_submit", step="bureau_report", expected_version=expected_version
    ) as c:
        r = BureauReport.objects.select_for_update().get(pk=report.pk, case=c)
        if r.submitted_at is not None:
            raise Refused("该报告已报送")
        required = REQUIRED_FIRST if r.kind == ReportKind.FIRST else ("contact", "signer")
        labels = dict(REPORT_FIELDS)
        missing = [f"请填写{labels[f]}" for f in required if not (getattr(r, f) or "").strip()]
        if r.kind == ReportKind.FINAL and not r.determination_text.strip():
            missing.append("终报须写明认定结果")
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
            det.bullies.set(bullies)
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


# --- follow-up, notes ------------------------------------------------------------------------


def record_follow_up(
    follow_up: FollowUp,
    *,
    by,
    outcome: str,
    note: str = "",
    done_at: dt.datetime | None = None,
    expected_version: int | None = None,
) -> FollowUp:
    """A 回访 done (R-CASE-9). A repeat alerts the safety leader (重点盯防)."""
    if outcome not in FollowUpOutcome.values:
        raise Refused("请选择回访情况")
    with _acting(follow_up.case_id, by, "change", step="follow_up", expected_version=expected_version) as c:
        f = FollowUp.objects.select_for_update().get(pk=follow_up.pk, case=c)
        if f.done_at is not None:
            raise Refused("该次回访已记录")
        f.done_at, f.done_by, f.outcome, f.note = done_at or _now(), by, outcome, note.strip()[:300]
        f.save(update_fields=["done_at", "done_by", "outcome", "note", "updated_at"])
        _event(
            c,
            "follow_up",
            f"第{f.week}周回访（学生#{f.party_id}）：{f.get_outcome_display()}",
            by,
            data={"id": f.pk, "outcome": outcome},
        )
        if outcome == FollowUpOutcome.REPEAT:
            notify(
                school_leaders(c.school_id),
                kind="watch_alert",
                title=f"{c.number} 回访发现再次欺凌，请重点盯防",
                url=case_url(c),
                dedupe_key=f"followup:{f.pk}:repeat",
                school=c.school_id,
            )
        return f


def add_note(case, *, by, text: str, expected_version: int | None = None) -> CaseNote:
    """A human note, apart from the machine timeline; the timeline records that it was added."""
    if not text.strip():
        raise Refused("请填写备注内容")
    with _acting(case, by, ["change", "note"], step="note", expected_version=expected_version) as c:
        n = CaseNote.objects.create(
            county_id=c.county_id, school_id=c.school_id, case=c, author=by, text=text.strip()
        )
        _event(c, "note", "添加备注", by, data={"id": n.pk})
        return n
