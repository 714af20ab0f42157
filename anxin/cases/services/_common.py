"""What every case operation shares: the refusal (:class:`Refused`), the frame each runs in
(``_acting``: lock, version, right, state; save after), the timeline event, who to tell, and
the effects of a (new) determination that several stages apply (opening, determination,
direct settlement, appeals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from anxin.cases import permissions, rules, timeline, workflow
from anxin.cases.law import settings as law_settings
from anxin.cases.law.response import ANY_BULLYING
from anxin.cases.models import (
    BullyingCase,
    CaseEvent,
    CaseState,
    Determination,
    PartyRole,
    SupportAction,
)
from anxin.cases.signals import bullying_confirmed
from anxin.core import clock
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
    "reassign": "更换承办人",
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


# --- shared by several stages ------------------------------------------------------------------


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


def _banned_message(found) -> str:
    return "禁止的惩戒方式，不得录入：" + "、".join(f"{label}（{src}）" for _c, label, src in found)


# --- the effects of a (new) determination ------------------------------------------------------


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
