"""Opening a case and completing its record: the case, its parties, the facts and their
corrections (LAW 8), the marks that make it reportable (LAW 7), 制止与初步处置 and the guardians
told (家校互通; R-CASE-1, R-CASE-2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from anxin.cases import rules
from anxin.cases.law import find_banned
from anxin.cases.law.definitions import (
    BEHAVIOUR_TYPES,
)
from anxin.cases.models import (
    FIRST_RESPONDER_SOURCES,
    BullyingCase,
    CaseCounter,
    CaseEvent,
    CaseParty,
    GuardianNotice,
    ImmediateKind,
    ImmediateMeasure,
    LegalParameterVersion,
    Measure,
    NoticeMethod,
    NoticePurpose,
    PartyRole,
    Source,
)
from anxin.cases.services._common import (
    Refused,
    _acting,
    _banned_message,
    _event,
    _now,
    _touch,
    _update_report_requirement,
    case_url,
    school_leaders,
)
from anxin.cases.signals import case_party_added
from anxin.core import clock, crypto, policy
from anxin.core.notify import notify

# --- opening a case (wave-2 interface) ---------------------------------------------------------


def _check_open_right(by, school) -> None:
    schools = policy.schools_for(by, "cases.bullyingcase.open")
    if not policy.can(by, "cases.bullyingcase.open") or (schools is not None and school.pk not in schools):
        raise PermissionDenied("cases.bullyingcase.open")


def _next_number(school, year: int) -> str:
    counter, _ = CaseCounter.objects.get_or_create(
        school=school, year=year, defaults={"county_id": school.county_id}
    )
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
