"""Contact logs and intervention tasks: a logged contact refreshes its plans, may open a task, and
tells the risk engine.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.care.models import (
    CarePlan,
    ContactKind,
    ContactLog,
    CounsellingSession,
    InterventionTask,
)
from anxin.core import clock
from anxin.core.notify import notify

from .common import DEFAULT_TASK_DAYS, MAX_BACKDATE_DAYS, _require, _setting, safety_leaders
from .plans import _check_owner, _plan_for, _refresh_plans

# Kinds a teacher logs by hand; counselling contacts come from a counselling session.
LOGGABLE_KINDS = [k for k in ContactKind.values if k != ContactKind.COUNSELLING]


@transaction.atomic
def log_contact(
    by,
    *,
    student=None,
    plan: CarePlan | None = None,
    kind: str = ContactKind.TALK,
    summary: str,
    occurred_at: dt.datetime | None = None,
    next_step: str = "",
    anomaly: bool = False,
    anomaly_note: str = "",
    participants: str = "",
    session: CounsellingSession | None = None,
) -> ContactLog:
    """Log one contact (谈心谈话, 家访, 电话家访 …) with sensible defaults: now, by me, the plan's
    student. An anomaly opens an intervention task and tells the safety leader (R-CARE-2)."""
    if plan is not None:
        plan = CarePlan.objects.select_related("student__klass__grade").get(pk=plan.pk)
        student = plan.student
        if not plan.is_active:
            raise ValidationError(_("计划已结束，不能再记录联系。"))
    if student is None:
        raise ValidationError({"student": _("请选择学生。")})
    if plan is None:
        plan = _plan_for(student, kind)
    now = clock.now()
    occurred_at = occurred_at or now
    errors: dict[str, str] = {}
    if kind not in ContactKind.values:
        errors["kind"] = _("请选择联系方式。")
    elif kind == ContactKind.COUNSELLING and session is None:
        errors["kind"] = _("心理辅导请由心理教师在“心理辅导”中记录。")
    summary = (summary or "").strip()
    if not summary:
        errors["summary"] = _("请填写情况摘要。")
    if occurred_at > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = _("联系时间不能晚于现在。")
    elif occurred_at < now - dt.timedelta(days=_setting("ANXIN_CARE_MAX_BACKDATE_DAYS", MAX_BACKDATE_DAYS)):
        errors["occurred_at"] = _("只能补记最近 %(n)s 天内的联系。") % {
            "n": _setting("ANXIN_CARE_MAX_BACKDATE_DAYS", MAX_BACKDATE_DAYS)
        }
    anomaly_note = (anomaly_note or "").strip()
    if anomaly and not anomaly_note:
        errors["anomaly_note"] = _("发现异常时请写明异常情况。")
    if errors:
        raise ValidationError(errors)
    contact = ContactLog(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        plan=plan,
        kind=kind,
        staff=by,
        occurred_at=occurred_at,
        participants=(participants or "").strip()[:100],
        summary=summary[:2000],
        next_step=(next_step or "").strip()[:300],
        anomaly=bool(anomaly),
        anomaly_note=anomaly_note[:1000] if anomaly else "",
        session=session,
    )
    _require(by, contact, "change")
    contact.save()
    _refresh_plans(student.pk, occurred_at)
    if contact.anomaly:
        open_task_from(by, contact)
    return contact


def _task_url(task: InterventionTask) -> str:
    return reverse("care:task_detail", args=[task.pk])


def _tell_risk_engine(contact: ContactLog) -> None:
    """The risk engine raises the student's level for a while after an anomaly (screening)."""
    try:
        from anxin.screening.services import note_care_anomaly
    except (ImportError, AttributeError):
        return
    note_care_anomaly(contact.student, contact)


def open_task_from(by, contact: ContactLog) -> InterventionTask:
    """发现异常及时干预: a task for the plan's owner (or the person who found it), due in a few
    days, and a notice to the school's safety leader. Names stay out of the notice."""
    owner = contact.plan.owner if contact.plan_id else by
    task = InterventionTask.objects.create(
        county_id=contact.county_id,
        school_id=contact.school_id,
        student_id=contact.student_id,
        plan_id=contact.plan_id,
        source=contact,
        title=_("%(kind)s发现异常，及时干预") % {"kind": contact.get_kind_display()},
        detail=contact.anomaly_note,
        owner=owner,
        due_on=clock.today() + dt.timedelta(days=_setting("ANXIN_CARE_TASK_DAYS", DEFAULT_TASK_DAYS)),
    )
    _tell_risk_engine(contact)
    klass = contact.student.klass
    notify(
        [*safety_leaders(contact.school_id), owner],
        kind="care_anomaly",
        title=_("关爱对象出现异常，已生成干预任务"),
        body=_("%(klass)s：%(kind)s中发现异常，请于 %(due)s 前处置。")
        % {"klass": str(klass), "kind": contact.get_kind_display(), "due": task.due_on.isoformat()},
        url=_task_url(task),
        dedupe_key=f"care:anomaly:{contact.pk}",
        school=contact.school_id,
        county=contact.county_id,
    )
    return task


@transaction.atomic
def update_task(
    by,
    task: InterventionTask,
    *,
    status: str | None = None,
    outcome: str | None = None,
    owner=None,
    due_on: dt.date | None = None,
) -> InterventionTask:
    """Record progress on an intervention task; finishing it needs the outcome."""
    task = InterventionTask.objects.select_for_update().get(pk=task.pk)
    _require(by, task, "change")
    if task.status == InterventionTask.Status.DONE:
        raise ValidationError(_("任务已完成，不能再修改。"))
    if outcome is not None:
        task.outcome = outcome.strip()[:2000]
    if due_on is not None:
        task.due_on = due_on
    reassigned = owner is not None and owner.pk != task.owner_id
    if reassigned:
        _check_owner(owner, task.school_id)
        task.owner = owner
    if status is not None:
        if status not in InterventionTask.Status.values:
            raise ValidationError({"status": _("请选择状态。")})
        task.status = status
    if task.status == InterventionTask.Status.DONE:
        if not task.outcome:
            raise ValidationError({"outcome": _("完成任务须填写处理结果。")})
        task.done_at = clock.now()
        task.done_by = by
    task.save()
    if reassigned:
        notify(
            [owner],
            kind="care_task",
            title=_("你有一项新的干预任务"),
            body=_("请于 %(due)s 前处置。") % {"due": task.due_on.isoformat()},
            url=_task_url(task),
            dedupe_key=f"care:task-owner:{task.pk}:{owner.pk}",
            school=task.school_id,
            county=task.county_id,
        )
    return task
