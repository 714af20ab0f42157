"""Every write of this app: check the right (policy), validate (Chinese messages), save in a
transaction; the models are audited on save.

An observation at a post is written to screening's monitoring duty log through
``screening.services.log_duty`` (with ``checked=True``: the right checked here is
``oversight.observation.change`` and the recorder must stand a shift at the post), so a flagged
one reaches the triage inbox as a 苗头 through the same concern sink as any duty log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import clock, policy
from anxin.oversight.models import (
    AccountabilitySetting,
    Action,
    ActionKind,
    Level,
    Observation,
    Post,
    PostShift,
)

MAX_SUMMARY = 500


def _require(by, obj, action: str) -> None:
    if not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


def staff_of(school_id: int):
    from anxin.screening.services import staff_of as screening_staff

    return screening_staff(school_id)


def _check_staff(school_id: int, user, field: str) -> None:
    if user is not None and not staff_of(school_id).filter(pk=user.pk).exists():
        raise ValidationError({field: _("请选择本校在岗教职工。")})


def _text(value, field: str, label: str, max_chars: int, required: bool = False) -> str:
    value = str(value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > max_chars:
        raise ValidationError({field: _("%(label)s不超过 %(n)s 字。") % {"label": label, "n": max_chars}})
    return value


# --- posts and shifts ------------------------------------------------------------------------


@transaction.atomic
def save_post(*, by, school, data: Mapping[str, Any], post: Post | None = None) -> Post:
    post = post or Post(county_id=school.county_id, school_id=school.pk, created_by=by)
    _require(by, post, "change")
    name = _text(data.get("name", post.name), "name", _("监督岗名称"), 60, required=True)
    hazard = data.get("hazard", post.hazard if post.hazard_id else None)
    if hazard is not None and hazard.school_id != school.pk:
        raise ValidationError({"hazard": _("隐患点不属于本校。")})
    place = _text(data.get("place", post.place), "place", _("地点"), 100)
    if hazard is None and not place:
        raise ValidationError({"place": _("请选择隐患点或填写地点。")})
    if Post.objects.filter(school_id=school.pk, name=name).exclude(pk=post.pk).exists():
        raise ValidationError({"name": _("本校已有同名监督岗。")})
    post.name, post.hazard, post.place = name, hazard, place
    post.duties = _text(data.get("duties", post.duties), "duties", _("岗位职责"), 200)
    post.active = bool(data.get("active", post.active))
    post.save()
    return post


def _check_officer(school_id: int, officer) -> None:
    if officer is None:
        return
    if officer.school_id != school_id or officer.ended_on is not None:
        raise ValidationError({"officer": _("请选择本校在任的学生安全员。")})


@transaction.atomic
def save_shift(*, by, post: Post, data: Mapping[str, Any], shift: PostShift | None = None) -> PostShift:
    shift = shift or PostShift(county_id=post.county_id, school_id=post.school_id, post=post)
    _require(by, post, "change")
    try:
        weekday = int(data.get("weekday", shift.weekday) or 0)
    except (TypeError, ValueError):
        weekday = 0
    if not 1 <= weekday <= 7:
        raise ValidationError({"weekday": _("请选择星期一至星期日。")})
    start, end = data.get("start_time", shift.start_time), data.get("end_time", shift.end_time)
    if start is None or end is None:
        raise ValidationError({"start_time": _("请填写值岗时段。")})
    if end <= start:
        raise ValidationError({"end_time": _("结束时间须晚于开始时间。")})
    staff = data.get("staff", shift.staff if shift.staff_id else None)
    officer = data.get("officer", shift.officer if shift.officer_id else None)
    _check_staff(post.school_id, staff, "staff")
    _check_officer(post.school_id, officer)
    if staff is None and officer is None:
        raise ValidationError(
            {"staff": _("请安排值岗教职工或学生安全员（只有学生安全员的班次仍列为缺岗）。")}
        )
    shift.weekday, shift.start_time, shift.end_time = weekday, start, end
    shift.staff, shift.officer = staff, officer
    shift.save()
    return shift


@transaction.atomic
def delete_shift(*, by, shift: PostShift) -> None:
    _require(by, shift.post, "change")
    shift.delete()


# --- observations ----------------------------------------------------------------------------


def shift_now(user, post: Post, at: dt.datetime) -> PostShift | None:
    """The user's shift at the post covering ``at`` (else their shift that day)."""
    local = timezone.localtime(at)
    mine = [s for s in post.shifts.filter(staff=user, weekday=local.isoweekday())]
    for s in mine:
        if s.start_time <= local.time() <= s.end_time:
            return s
    return mine[0] if mine else None


def may_record(user, post: Post) -> bool:
    """Leaders of the school record at any post; other staff at the posts where they stand a
    shift."""
    if not policy.allows(user, Observation(county_id=post.county_id, school_id=post.school_id), "change"):
        return False
    return policy.allows(user, post, "change") or post.shifts.filter(staff=user).exists()


@transaction.atomic
def record_observation(*, by, post: Post, summary: str, flagged: bool = False, at=None) -> Observation:
    from anxin.screening.services import log_duty

    if not may_record(by, post):
        raise PermissionDenied("oversight.observation.change")
    if not post.active:
        raise ValidationError(_("该监督岗已停用。"))
    summary = _text(summary, "summary", _("值岗情况"), MAX_SUMMARY, required=True)
    at = at or clock.now()
    obs = Observation(
        county_id=post.county_id,
        school_id=post.school_id,
        post=post,
        shift=shift_now(by, post, at),
        at=at,
        recorded_by=by,
        summary=summary,
        flagged=bool(flagged),
    )
    entry = log_duty(
        by=by,
        school=post.school,
        summary=_("【监督岗·%(post)s】%(s)s") % {"post": post.name, "s": summary},
        is_sign=bool(flagged),
        place=post.where,
        at=at,
        checked=True,
    )
    obs.duty_log, obs.concern_id = entry, entry.concern_id
    obs.save()
    return obs


# --- accountability --------------------------------------------------------------------------


def setting_for(county_id: int) -> AccountabilitySetting:
    return AccountabilitySetting.objects.filter(county_id=county_id).first() or AccountabilitySetting(
        county_id=county_id
    )


SETTING_FIELDS = ("class_cases", "grade_cases", "school_cases", "repeat_bully_cases")


@transaction.atomic
def update_setting(*, by, county_id: int, data: Mapping[str, Any]) -> AccountabilitySetting:
    setting = setting_for(county_id)
    _require(by, setting, "change")
    for f in SETTING_FIELDS:
        if f in data:
            try:
                value = int(data[f])
            except (TypeError, ValueError):
                value = -1
            low = 0 if f == "repeat_bully_cases" else 1
            if not low <= value <= 50:
                raise ValidationError({f: _("请填写 %(low)s 至 50 之间的整数。") % {"low": low}})
            setattr(setting, f, value)
    if "severe_any" in data:
        setting.severe_any = bool(data["severe_any"])
    setting.save()
    return setting


def _target(school, level: str, grade, klass):
    if level not in Level.values:
        raise ValidationError({"level": _("请选择问责对象。")})
    if level == Level.CLASS:
        if klass is None or klass.school_id != school.pk:
            raise ValidationError({"klass": _("请选择本校的班级。")})
        return klass.grade, klass
    if level == Level.GRADE:
        if grade is None or grade.school_id != school.pk:
            raise ValidationError({"grade": _("请选择本校的年级。")})
        return grade, None
    return None, None


@transaction.atomic
def save_action(*, by, school, data: Mapping[str, Any], action: Action | None = None) -> Action:
    action = action or Action(county_id=school.county_id, school_id=school.pk, decided_by=by)
    _require(by, action, "change")
    kind = data.get("kind", action.kind)
    if kind not in ActionKind.values:
        raise ValidationError({"kind": _("请选择问责方式。")})
    level = data.get("level", action.level)
    grade, klass = _target(school, level, data.get("grade"), data.get("klass"))
    reason = _text(data.get("reason", action.reason), "reason", _("问责原因"), 1000, required=True)
    cases = _text(data.get("cases", action.cases), "cases", _("涉及事件"), 400)
    decided_on = data.get("decided_on") or action.decided_on or clock.today()
    due = data.get("follow_up_due", action.follow_up_due)
    if due is None:
        raise ValidationError({"follow_up_due": _("请填写整改期限。")})
    if due < decided_on:
        raise ValidationError({"follow_up_due": _("整改期限不能早于问责日期。")})
    owner = data.get("owner", action.owner if action.owner_id else None)
    if owner is None:
        raise ValidationError({"owner": _("请指定整改责任人。")})
    _check_staff(school.pk, owner, "owner")
    interview = kind == ActionKind.INTERVIEW
    fields = {
        "interviewees": _text(
            data.get("interviewees"), "interviewees", _("被约谈人"), 200, required=interview
        ),
        "interviewers": _text(data.get("interviewers"), "interviewers", _("约谈人"), 200, required=interview),
        "agreed": _text(data.get("agreed"), "agreed", _("约谈要求与整改承诺"), 2000, required=interview),
    }
    action.kind, action.level, action.grade, action.klass = kind, level, grade, klass
    action.reason, action.cases, action.decided_on = reason, cases, decided_on
    action.follow_up_due, action.owner = due, owner
    for k, v in fields.items():
        setattr(action, k, v)
    action.save()
    return action


def may_follow(user, action: Action) -> bool:
    return (action.owner_id == user.pk and policy.allows(user, action, "follow")) or policy.allows(
        user, action, "change"
    )


@transaction.atomic
def complete_action(*, by, action: Action, note: str, done_on: dt.date | None = None) -> Action:
    if not may_follow(by, action):
        raise PermissionDenied("oversight.action.follow")
    action = Action.objects.select_for_update().get(pk=action.pk)  # two recording at once: one wins
    if action.done_on is not None:
        raise ValidationError(_("该问责措施的整改已记录完成。"))
    action.done_note = _text(note, "done_note", _("整改情况"), 1000, required=True)
    done_on = done_on or clock.today()
    if done_on < action.decided_on:
        raise ValidationError({"done_on": _("完成日期不能早于问责日期。")})
    action.done_on = done_on
    action.save()
    return action
