"""Every write of this app: check the right (policy, or the team / recipient rule of
``access``), validate (Chinese messages), save in a transaction; models are audited on save and
domain steps append their own events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core import audit, clock, policy
from anxin.core.roles import Role
from anxin.supervision import access, files
from anxin.supervision.checklist import items_for
from anxin.supervision.models import (
    ChecklistItem,
    Evidence,
    Inspection,
    PartnerContact,
    PartnerUnit,
    RectificationItem,
    Referral,
    Score,
    TeamMember,
    Visit,
)

RS = RectificationItem.Status


def _require(by, obj, action: str) -> None:
    if not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


def _work(by, visit: Visit) -> None:
    if not access.may_work(by, visit):
        raise PermissionDenied("supervision.visit.change")


def supervisors_of(school_id: int):
    """The school's responsible supervisors: accounts holding an active 责任督学 post there."""
    from anxin.accounts.models import Membership, User

    ids = Membership.objects.active().filter(school_id=school_id, role=Role.SUPERVISOR).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("real_name", "username")


# --- the checklist (bureau) -------------------------------------------------------------------


@transaction.atomic
def save_item(
    by, county_id: int, data: Mapping[str, Any], item: ChecklistItem | None = None
) -> ChecklistItem:
    item = item or ChecklistItem(county_id=county_id)
    _require(by, item, "change")
    for f in ("category", "text", "weight", "position", "active"):
        if f in data:
            setattr(item, f, data[f])
    item.category = (item.category or "").strip()
    item.text = (item.text or "").strip()
    errors = {}
    if not item.category:
        errors["category"] = _("请填写所属方面，如“工作机制”。")
    if not item.text:
        errors["text"] = _("请填写检查内容。")
    try:
        weight = int(item.weight)
    except (TypeError, ValueError):
        weight = 0
    if not 1 <= weight <= 100:
        errors["weight"] = _("分值须在 1 至 100 之间。")
    if errors:
        raise ValidationError(errors)
    item.weight = weight
    item.full_clean(exclude=["county"])
    item.save()
    return item


# --- visits (R-SUP-1) --------------------------------------------------------------------------


def _snapshot_scores(visit: Visit) -> int:
    items = items_for(visit.county_id)
    Score.objects.bulk_create(
        Score(
            county_id=visit.county_id,
            school_id=visit.school_id,
            visit=visit,
            item=i,
            category=i.category,
            text=i.text,
            weight=i.weight,
            position=i.position,
        )
        for i in items
    )
    visit.full = sum(i.weight for i in items)
    visit.save(update_fields=["full", "updated_at"])
    return len(items)


@transaction.atomic
def plan_visit(by, school, *, planned_on: dt.date, purpose: str = "", supervisor=None) -> Visit:
    """A supervisor plans a visit to one of their schools (the bureau may plan one for a
    supervisor of that school); the checklist in force is copied onto it."""
    supervisor = supervisor or by
    visit = Visit(
        county_id=school.county_id,
        school_id=school.pk,
        supervisor=supervisor,
        planned_on=planned_on,
        purpose=(purpose or "").strip(),
    )
    _require(by, visit, "change")
    if not supervisors_of(school.pk).filter(pk=supervisor.pk).exists():
        raise ValidationError({"supervisor": _("只能由该校的责任督学开展督导。")})
    if planned_on is None:
        raise ValidationError({"planned_on": _("请填写计划日期。")})
    visit.full_clean(exclude=["county", "school", "supervisor", "inspection"])
    visit.save()
    n = _snapshot_scores(visit)
    audit.record("supervision.plan", visit, data={"items": n})
    return visit


def _draft(by, visit: Visit) -> None:
    _work(by, visit)
    if visit.status != Visit.Status.PLANNED:
        raise ValidationError(_("督导已完成，评分和发现不能再修改。"))


def _parse_score(raw, weight: int):
    raw = ("" if raw is None else str(raw)).strip()
    if raw == "":
        return None, None
    try:
        value = Decimal(raw).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        return None, _("请填写数字。")
    if value < 0 or value > weight:
        return None, _("得分须在 0 至 %(w)d 之间。") % {"w": weight}
    return value, None


@transaction.atomic
def save_scores(
    by, visit: Visit, values: Mapping[int, tuple[Any, str]], data: Mapping[str, Any] | None = None
) -> Visit:
    """Scores ({score id: (value or "", note)}) and the visit's findings. All or nothing: a
    wrong score refuses the whole save, the errors keyed ``score_<id>``."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)  # not over a completion meanwhile
    _draft(by, visit)
    errors: dict[str, str] = {}
    rows = {s.pk: s for s in visit.scores.all()}
    changed = []
    for pk, (raw, note) in values.items():
        s = rows.get(pk)
        if s is None:
            continue
        value, err = _parse_score(raw, s.weight)
        if err:
            errors[f"score_{pk}"] = err
            continue
        note = (note or "").strip()[:300]
        if (s.score, s.note) != (value, note):
            s.score, s.note = value, note
            changed.append(s)
    if errors:
        raise ValidationError(errors)
    for s in changed:
        s.save()
    data = data or {}
    for f in ("findings", "strengths", "visited_on", "purpose"):
        if f in data:
            setattr(visit, f, data[f].strip() if isinstance(data[f], str) else data[f])
    visit.total = _total(rows.values())
    visit.save()
    return visit


def _total(scores: Iterable[Score]):
    got = [s.score for s in scores if s.score is not None]
    return sum(got, Decimal("0")) if got else None


@transaction.atomic
def complete_visit(by, visit: Visit) -> Visit:
    """Done: every item scored, the findings written, the date of the visit known."""
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    _draft(by, visit)
    scores = list(visit.scores.all())
    missing = [s for s in scores if s.score is None]
    if missing:
        raise ValidationError(_("还有 %(n)d 项未评分，请全部评分后再完成督导。") % {"n": len(missing)})
    if not visit.findings.strip():
        raise ValidationError({"findings": _("请填写主要发现。")})
    visit.visited_on = visit.visited_on or clock.today()
    if visit.visited_on > clock.today():
        raise ValidationError({"visited_on": _("督导日期不能晚于今天。")})
    visit.total = _total(scores)
    visit.status = Visit.Status.DONE
    visit.completed_at = clock.now()
    visit.save()
    audit.record("supervision.complete", visit, data={"total": str(visit.total), "full": visit.full})
    return visit


# --- rectification items -------------------------------------------------------------------------


@transaction.atomic
def raise_rectification(
    by, visit: Visit, *, problem: str, requirement: str, due_date: dt.date
) -> RectificationItem:
    _work(by, visit)
    item = RectificationItem(
        county_id=visit.county_id,
        school_id=visit.school_id,
        visit=visit,
        problem=(problem or "").strip(),
        requirement=(requirement or "").strip(),
        due_date=due_date,
        raised_by=by,
    )
    errors = {}
    if not item.problem:
        errors["problem"] = _("请填写存在的问题。")
    if not item.requirement:
        errors["requirement"] = _("请填写整改要求。")
    if due_date is None:
        errors["due_date"] = _("请填写整改期限。")
    elif due_date < clock.today():
        errors["due_date"] = _("整改期限不能早于今天。")
    if errors:
        raise ValidationError(errors)
    item.full_clean(exclude=["county", "school", "visit", "raised_by"])
    item.save()
    audit.record("supervision.rectification.raise", item, data={"due": due_date.isoformat()})
    return item


def _answering(by, item: RectificationItem) -> None:
    _require(by, item, "respond")
    if item.status not in (RS.OPEN, RS.RETURNED):
        raise ValidationError(_("该整改事项已报送或已核验，不能再修改。"))


@transaction.atomic
def save_response(by, item: RectificationItem, *, action_taken: str) -> RectificationItem:
    item = RectificationItem.objects.select_for_update().get(pk=item.pk)
    _answering(by, item)
    item.action_taken = (action_taken or "").strip()
    item.full_clean(exclude=["county", "school", "visit", "raised_by"])
    item.save()
    return item


@transaction.atomic
def add_evidence(by, item: RectificationItem, upload) -> Evidence:
    item = RectificationItem.objects.select_for_update().get(pk=item.pk)
    _answering(by, item)
    ev = Evidence(county_id=item.county_id, school_id=item.school_id, rectification=item, uploaded_by=by)
    files.store(ev, upload)
    ev.save()
    return ev


@transaction.atomic
def submit_response(by, item: RectificationItem, *, action_taken: str | None = None) -> RectificationItem:
    """The school reports the rectification done: what it did, with at least one file."""
    item = RectificationItem.objects.select_for_update().get(pk=item.pk)
    _answering(by, item)
    if action_taken is not None:
        item.action_taken = action_taken.strip()
    if not item.action_taken:
        raise ValidationError({"action_taken": _("请填写整改情况。")})
    if not item.evidence.exists():
        raise ValidationError(_("请至少上传一份整改佐证材料（照片、文件）后再报送。"))
    item.status = RS.SUBMITTED
    item.submitted_by = by
    item.submitted_at = clock.now()
    item.save()
    audit.record("supervision.rectification.submit", item)
    return item


@transaction.atomic
def review(by, item: RectificationItem, *, accept: bool, note: str = "") -> RectificationItem:
    """The supervisor verifies the rectification (核验通过) or sends it back with a reason."""
    item = RectificationItem.objects.select_for_update().select_related("visit").get(pk=item.pk)
    _work(by, item.visit)
    if item.status != RS.SUBMITTED:
        raise ValidationError(_("只有学校已报送的整改事项才能核验。"))
    note = (note or "").strip()
    if not accept and not note:
        raise ValidationError({"review_note": _("退回时请写明需要继续整改的内容。")})
    item.status = RS.VERIFIED if accept else RS.RETURNED
    item.review_note = note
    item.reviewed_by = by
    item.reviewed_at = clock.now()
    if not accept:
        item.returns += 1
    item.save()
    audit.record("supervision.rectification.verify" if accept else "supervision.rectification.return", item)
    return item


# --- joint inspections (R-SUP-2) -----------------------------------------------------------------


def _check_dates(starts_on, ends_on) -> None:
    if starts_on is None or ends_on is None:
        raise ValidationError({"starts_on": _("请填写检查的开始和结束日期。")})
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})


@transaction.atomic
def create_inspection(
    by, county, *, title: str, starts_on, ends_on, schools, units=(), lead=None
) -> Inspection:
    insp = Inspection(
        county_id=county.pk,
        title=(title or "").strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        lead=lead or by,
    )
    _require(by, insp, "change")
    if not insp.title:
        raise ValidationError({"title": _("请填写检查名称。")})
    _check_dates(starts_on, ends_on)
    schools = list(schools)
    if not schools:
        raise ValidationError({"schools": _("请至少选择一所学校。")})
    if any(s.county_id != county.pk for s in schools):
        raise ValidationError({"schools": _("只能检查本县的学校。")})
    units = list(units)
    if any(u.county_id != county.pk for u in units):
        raise ValidationError({"units": _("只能选择本县的联动单位。")})
    insp.save()
    insp.units.set(units)
    TeamMember.objects.create(
        county_id=county.pk,
        inspection=insp,
        user=insp.lead,
        name=str(insp.lead),
        unit=county.bureau_name,
        duty="牵头",
    )
    for s in schools:
        _add_school_visit(insp, s)
    audit.record("supervision.inspection.create", insp, data={"schools": len(schools), "units": len(units)})
    return insp


def _add_school_visit(insp: Inspection, school) -> Visit:
    visit = Visit.objects.create(
        county_id=insp.county_id,
        school_id=school.pk,
        inspection=insp,
        supervisor=insp.lead,
        planned_on=insp.starts_on,
        purpose=insp.title,
    )
    _snapshot_scores(visit)
    return visit


def _still_open(insp: Inspection) -> None:
    if insp.status == Inspection.Status.CLOSED:
        raise ValidationError(_("联合检查已结束，检查组和检查名单不能再调整。"))


@transaction.atomic
def add_school(by, insp: Inspection, school) -> Visit:
    _require(by, insp, "change")
    insp = Inspection.objects.select_for_update().get(pk=insp.pk)
    _still_open(insp)
    if school.county_id != insp.county_id:
        raise ValidationError({"school": _("只能检查本县的学校。")})
    if insp.visits.filter(school=school).exists():
        raise ValidationError({"school": _("该校已在检查名单中。")})
    return _add_school_visit(insp, school)


@transaction.atomic
def remove_school(by, visit: Visit) -> None:
    visit = Visit.objects.select_for_update().get(pk=visit.pk)
    insp = visit.inspection
    if insp is None:
        raise ValidationError(_("这不是联合检查中的学校。"))
    _require(by, insp, "change")
    _still_open(insp)
    if visit.status == Visit.Status.DONE or visit.rectifications.exists():
        raise ValidationError(_("已评分完成或已提出整改的学校不能移出检查名单。"))
    visit.delete()


@transaction.atomic
def add_member(
    by, insp: Inspection, *, user=None, name: str = "", unit: str = "", duty: str = ""
) -> TeamMember:
    _require(by, insp, "change")
    _still_open(insp)
    name = (name or "").strip() or (str(user.real_name or user.username) if user else "")
    if not name:
        raise ValidationError({"name": _("请填写成员姓名或选择平台账号。")})
    if user is not None:
        if user.county_id != insp.county_id:
            raise ValidationError({"user": _("只能选择本县的账号。")})
        if insp.team.filter(user=user).exists():
            raise ValidationError({"user": _("该成员已在检查组中。")})
        if not (
            policy.can(user, "supervision.inspection.join")
            or policy.can(user, "supervision.inspection.change")
        ):
            # a school's own staff do not inspect (and would verify their own rectifications)
            raise ValidationError(
                {
                    "user": _(
                        "检查组成员须是教体局人员、责任督学或检察、公安等联动单位人员（法治副校长、联络员）。"
                    )
                }
            )
        if not unit:
            unit = next((m.unit for m in policy.memberships(user) if m.unit), "")
    m = TeamMember(
        county_id=insp.county_id,
        inspection=insp,
        user=user,
        name=name[:40],
        unit=(unit or "").strip()[:80],
        duty=(duty or "").strip()[:60],
    )
    m.save()
    return m


@transaction.atomic
def remove_member(by, member: TeamMember) -> None:
    insp = member.inspection
    _require(by, insp, "change")
    _still_open(insp)
    if member.user_id == insp.lead_id:
        raise ValidationError(_("牵头人不能移出检查组。"))
    member.delete()


@transaction.atomic
def close_inspection(by, insp: Inspection) -> Inspection:
    _require(by, insp, "change")
    left = insp.visits.filter(status=Visit.Status.PLANNED).count()
    if left:
        raise ValidationError(_("还有 %(n)d 所学校未完成评分，不能结束检查。") % {"n": left})
    insp.status = Inspection.Status.CLOSED
    insp.save()
    audit.record("supervision.inspection.close", insp)
    return insp


# --- partner directory and referrals (R-SUP-3) -------------------------------------------------


@transaction.atomic
def save_unit(by, county_id: int, data: Mapping[str, Any], unit: PartnerUnit | None = None) -> PartnerUnit:
    unit = unit or PartnerUnit(county_id=county_id)
    _require(by, unit, "change")
    for f in ("kind", "name", "phone", "address", "active"):
        if f in data:
            setattr(unit, f, data[f].strip() if isinstance(data[f], str) else data[f])
    if not unit.name:
        raise ValidationError({"name": _("请填写单位名称。")})
    unit.full_clean(exclude=["county"])
    unit.save()
    return unit


@transaction.atomic
def save_contact(
    by, unit: PartnerUnit, data: Mapping[str, Any], contact: PartnerContact | None = None
) -> PartnerContact:
    _require(by, unit, "change")
    contact = contact or PartnerContact(county_id=unit.county_id, unit=unit)
    for f in ("name", "title", "phone", "user"):
        if f in data:
            setattr(contact, f, data[f].strip() if isinstance(data[f], str) else data[f])
    if not contact.name:
        raise ValidationError({"name": _("请填写联系人姓名。")})
    if contact.user is not None and contact.user.county_id != unit.county_id:
        raise ValidationError({"user": _("只能关联本县的账号。")})
    if contact.user is not None and not policy.can(contact.user, "supervision.referral.respond"):
        raise ValidationError(
            {"user": _("只能关联法治副校长或公检法联络员的账号（他们接收转介并反馈结果）。")}
        )
    contact.full_clean(exclude=["county", "unit", "user"])
    contact.save()
    return contact


@transaction.atomic
def remove_contact(by, contact: PartnerContact) -> None:
    _require(by, contact.unit, "change")
    contact.delete()


def _school_student(school, text: str):
    """The school's enrolled student named in ``text`` ("张三", or "张三 初一1班" when two share
    the name), from the roster: the referral links the record, no name is typed into it."""
    from anxin.roster.models import Student, StudentStatus

    parts = (text or "").split()
    if not parts:
        return None
    name, klass = parts[0], "".join(parts[1:])
    found = list(
        Student.objects.filter(school_id=school.pk, status=StudentStatus.ENROLLED, name=name).select_related(
            "klass__grade"
        )
    )
    if klass:
        found = [s for s in found if s.klass and f"{s.klass.grade.name}{s.klass.name}" == klass]
    if not found:
        raise ValidationError({"student_name": _("本校在册学生中没有找到“%(t)s”。") % {"t": text.strip()}})
    if len(found) > 1:
        classes = "、".join(f"{s.klass.grade.name}{s.klass.name}" for s in found if s.klass)
        raise ValidationError(
            {
                "student_name": _("本校有%(n)s名学生叫“%(name)s”（%(c)s），请写成“姓名 班级”。")
                % {"n": len(found), "name": name, "c": classes}
            }
        )
    return found[0]


@transaction.atomic
def refer(by, school, data: Mapping[str, Any]) -> Referral:
    """A school refers a matter to a partner unit; a contact with an account receives it."""
    unit = data.get("unit")
    contact = data.get("contact")
    r = Referral(
        county_id=school.county_id,
        school_id=school.pk,
        unit=unit,
        contact=contact,
        recipient=contact.user if contact else None,
        reason=data.get("reason") or "",
        student=_school_student(school, data.get("student_name") or ""),
        child=(data.get("child") or "").strip(),
        details=(data.get("details") or "").strip(),
        request=(data.get("request") or "").strip(),
        respond_by=data.get("respond_by"),
        referred_by=by,
    )
    _require(by, r, "change")
    errors = {}
    if unit is None or unit.county_id != school.county_id:
        errors["unit"] = _("请选择本县的联动单位。")
    elif contact is not None and contact.unit_id != unit.pk:
        errors["contact"] = _("联系人不属于所选单位。")
    if not r.details:
        errors["details"] = _("请填写情况说明。")
    if not r.request:
        errors["request"] = _("请填写请求协助的事项。")
    if r.respond_by is None:
        errors["respond_by"] = _("请填写希望反馈的日期。")
    elif r.respond_by < clock.today():
        errors["respond_by"] = _("希望反馈日期不能早于今天。")
    if errors:
        raise ValidationError(errors)
    r.full_clean(exclude=["county", "school", "unit", "contact", "recipient", "referred_by"])
    r.save()
    audit.record(
        "supervision.referral.send", r, data={"unit": unit.pk, "to_account": r.recipient_id is not None}
    )
    return r


def may_record_outcome(user, r: Referral) -> bool:
    """The recipient records receipt and outcome; with no recipient account, the school does."""
    if r.recipient_id and _recipient_can_answer(r):
        return r.recipient_id == user.pk
    # no recipient account, or it no longer answers (post ended): the school records it
    return policy.allows(user, r, "change")


def _recipient_can_answer(r: Referral) -> bool:
    return bool(r.recipient_id) and policy.can(r.recipient, "supervision.referral.respond")


@transaction.atomic
def receive(by, r: Referral) -> Referral:
    r = Referral.objects.select_for_update().get(pk=r.pk)
    if not (r.recipient_id and r.recipient_id == by.pk and policy.can(by, "supervision.referral.respond")):
        raise PermissionDenied("supervision.referral.respond")
    if r.status != Referral.Status.SENT:
        raise ValidationError(_("该转介已接收。"))
    r.status = Referral.Status.RECEIVED
    r.received_at = clock.now()
    r.save()
    audit.record("supervision.referral.receive", r)
    return r


@transaction.atomic
def record_outcome(by, r: Referral, *, outcome: str) -> Referral:
    r = Referral.objects.select_for_update().get(pk=r.pk)
    if not may_record_outcome(by, r):
        raise PermissionDenied("supervision.referral.respond")
    if r.status == Referral.Status.CLOSED:
        raise ValidationError(_("该转介已反馈结果。"))
    outcome = (outcome or "").strip()
    if not outcome:
        raise ValidationError({"outcome": _("请填写处理结果。")})
    r.outcome = outcome
    r.outcome_by = by
    r.outcome_at = clock.now()
    r.received_at = r.received_at or r.outcome_at
    r.status = Referral.Status.CLOSED
    r.full_clean(exclude=["county", "school", "unit", "contact", "recipient", "referred_by", "outcome_by"])
    r.save()
    audit.record("supervision.referral.outcome", r)
    return r
