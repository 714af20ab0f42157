"""Every write of this app: check the right (policy), validate (Chinese messages), save in a
transaction; the models are audited on save, and domain steps append their own events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from anxin.core import audit, clock, policy
from anxin.core.roles import Role
from anxin.education.models import (
    LEGAL_VP_KINDS,
    Activity,
    CheckIn,
    ClassAttendance,
    EducationSetting,
    EligibilityOverride,
    Kind,
    Law,
    Material,
    StaffAttendance,
)
from anxin.education.permissions import MANAGERS, STAFF
from anxin.governance import files

FIELDS = (
    "kind",
    "title",
    "held_on",
    "laws",
    "staff_level",
    "presenter",
    "presenter_name",
    "presenter_unit",
    "summary",
    "parents_count",
)


def _require(by, obj, action: str) -> None:
    if not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


def manages(user, school_id: int) -> bool:
    """Does the user run activities at this school as a leader or 德育/政教主任 (not only as
    法治副校长)?"""
    return any(m.role in MANAGERS and m.school_id == school_id for m in policy.memberships(user))


def school_staff(school_id: int):
    """The school's staff who attend trainings (not supervisors or 法治副校长)."""
    from anxin.accounts.models import Membership, User

    ids = Membership.objects.active().filter(school_id=school_id, role__in=list(STAFF)).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("real_name", "username")


def presenters(school_id: int):
    """Who may be named presenter: the school's staff and its 法治副校长."""
    from anxin.accounts.models import Membership, User

    ids = (
        Membership.objects.active()
        .filter(school_id=school_id, role__in=[*STAFF, Role.LEGAL_VP])
        .values("user_id")
    )
    return User.objects.filter(pk__in=ids, is_active=True).order_by("real_name", "username")


# --- settings (bureau) ---------------------------------------------------------------------------


@transaction.atomic
def update_setting(by, county_id: int, data: Mapping[str, Any]) -> EducationSetting:
    setting = EducationSetting.objects.filter(county_id=county_id).first() or EducationSetting(
        county_id=county_id
    )
    _require(by, setting, "change")
    n = int(data.get("class_meetings_per_term", setting.class_meetings_per_term))
    days = int(data.get("overdue_days", setting.overdue_days))
    if not 1 <= n <= 20:
        raise ValidationError({"class_meetings_per_term": _("每学期主题班会次数须在 1 至 20 之间。")})
    if not 0 <= days <= 90:
        raise ValidationError({"overdue_days": _("逾期天数须在 0 至 90 之间。")})
    setting.class_meetings_per_term, setting.overdue_days = n, days
    setting.save()
    return setting


def setting_for(county_id: int) -> EducationSetting:
    return EducationSetting.objects.filter(county_id=county_id).first() or EducationSetting(
        county_id=county_id
    )


# --- activities ----------------------------------------------------------------------------------


def _validate(by, a: Activity) -> None:
    errors: dict[str, str] = {}
    a.title = (a.title or "").strip()
    a.presenter_name = (a.presenter_name or "").strip()
    if not a.title:
        errors["title"] = _("请填写活动主题。")
    if a.held_on is None:
        errors["held_on"] = _("请填写活动日期。")
    elif a.held_on > clock.today() + dt.timedelta(days=366):
        errors["held_on"] = _("活动日期不能晚于一年以后。")
    a.laws = [c for c in dict.fromkeys(a.laws or []) if c in Law.values]
    if a.kind == Kind.LAW and not a.laws:
        errors["laws"] = _("法治教育请选择所学法律（未成年人保护法、预防未成年人犯罪法等）。")
    if a.kind == Kind.STAFF_TRAINING:
        if not a.staff_level:
            errors["staff_level"] = _("教职工专题培训请选择培训对象：班子成员、中层干部或全体教职工。")
    else:
        a.staff_level = ""
    if not manages(by, a.school_id):
        # a 法治副校长 records their own visits and law lessons only
        if a.kind not in LEGAL_VP_KINDS:
            errors["kind"] = _("法治副校长只能登记本人进校开展的法治教育。")
        if a.presenter_id != by.pk:
            a.presenter_id = by.pk
    if a.kind == Kind.LEGAL_VISIT and not (a.presenter_id or a.presenter_name):
        errors["presenter"] = _("请填写进校的法治副校长或公检法司人员。")
    if a.presenter_id and not presenters(a.school_id).filter(pk=a.presenter_id).exists():
        errors["presenter"] = _("主讲人须是本校教职工或本校法治副校长；校外人员请填写姓名和单位。")
    a.parents_count = a.parents_count or 0
    if errors:
        raise ValidationError(errors)


def _may_edit(by, a: Activity) -> None:
    _require(by, a, "change")
    if not manages(by, a.school_id) and by.pk not in (a.presenter_id, a.created_by_id):
        raise PermissionDenied(_("只能修改本人登记的活动。"))


@transaction.atomic
def create_activity(by, school, data: Mapping[str, Any]) -> Activity:
    a = Activity(county_id=school.county_id, school_id=school.pk, created_by=by)
    _require(by, a, "change")
    for f in FIELDS:
        if f in data:
            setattr(a, f, data[f])
    _validate(by, a)
    a.save()
    return a


@transaction.atomic
def update_activity(by, activity: Activity, data: Mapping[str, Any]) -> Activity:
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    _may_edit(by, a)
    for f in FIELDS:
        if f in data:
            setattr(a, f, data[f])
    _validate(by, a)
    a.save()
    return a


@transaction.atomic
def close_activity(by, activity: Activity) -> Activity:
    """End the activity: the QR code stops accepting check-ins."""
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    _may_edit(by, a)
    if a.status == Activity.Status.CLOSED:
        return a
    a.status, a.closed_at = Activity.Status.CLOSED, timezone.now()
    a.save(update_fields=["status", "closed_at", "updated_at"])
    return a


@transaction.atomic
def reopen_activity(by, activity: Activity) -> Activity:
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    _may_edit(by, a)
    a.status, a.closed_at = Activity.Status.OPEN, None
    a.save(update_fields=["status", "closed_at", "updated_at"])
    return a


@transaction.atomic
def set_classes(
    by, activity: Activity, classes: Mapping[Any, int | None] | Iterable
) -> list[ClassAttendance]:
    """The classes that took part (replacing the previous list); ``classes`` maps a class to
    the number of its students present (None: not counted)."""
    _may_edit(by, activity)
    from anxin.org.models import SchoolClass

    wanted = dict(classes) if isinstance(classes, Mapping) else dict.fromkeys(classes)
    ids = {getattr(k, "pk", k): v for k, v in wanted.items()}
    valid = set(
        SchoolClass.objects.filter(pk__in=ids, school_id=activity.school_id, active=True).values_list(
            "pk", flat=True
        )
    )
    if set(ids) - valid:
        raise ValidationError({"classes": _("请选择本校在用的班级。")})
    if activity.kind == Kind.CLASS_MEETING and not ids:
        raise ValidationError({"classes": _("主题班会请至少选择一个班级。")})
    for v in ids.values():
        if v is not None and not 0 <= int(v) <= 200:
            raise ValidationError({"classes": _("参加学生人数须在 0 至 200 之间。")})
    ClassAttendance.objects.filter(activity=activity).exclude(klass_id__in=ids).delete()
    have = {c.klass_id: c for c in ClassAttendance.objects.filter(activity=activity)}
    out = []
    for kid, n in ids.items():
        row = have.get(kid) or ClassAttendance(
            county_id=activity.county_id, school_id=activity.school_id, activity=activity, klass_id=kid
        )
        if row.pk is None or row.students != n:
            row.students = n
            row.save()
        out.append(row)
    return out


@transaction.atomic
def set_staff(by, activity: Activity, users: Iterable) -> int:
    """The staff recorded as present from the school's posts (replacing the previous roster
    entries; check-ins by QR code stay, they are the person's own). Returns how many attend."""
    _may_edit(by, activity)
    ids = {getattr(u, "pk", u) for u in users}
    valid = set(school_staff(activity.school_id).filter(pk__in=ids).values_list("pk", flat=True))
    if ids - valid:
        raise ValidationError({"staff": _("请选择本校在岗教职工。")})
    StaffAttendance.objects.filter(activity=activity, via=CheckIn.ROSTER).exclude(user_id__in=ids).delete()
    have = set(StaffAttendance.objects.filter(activity=activity).values_list("user_id", flat=True))
    for uid in sorted(ids - have):
        StaffAttendance.objects.create(
            county_id=activity.county_id,
            school_id=activity.school_id,
            activity=activity,
            user_id=uid,
            via=CheckIn.ROSTER,
            recorded_by=by,
        )
    return StaffAttendance.objects.filter(activity=activity).count()


def check_in(by, activity: Activity) -> tuple[StaffAttendance, bool]:
    """The logged-in member of staff checks in by the QR code: records ``by`` only. Returns the
    attendance and whether it is new (a second scan changes nothing). A refusal of someone not
    on the school's staff is audited (outside the transaction, so it stays)."""
    if (
        not policy.allows(by, activity, "checkin")
        or not school_staff(activity.school_id).filter(pk=by.pk).exists()
    ):
        audit.record("checkin", activity, result="denied", data={"reason": "not_staff"})
        raise PermissionDenied(_("您不是本校在岗教职工，不能签到。"))
    return _check_in(by, activity)


@transaction.atomic
def _check_in(by, activity: Activity) -> tuple[StaffAttendance, bool]:
    a = Activity.objects.select_for_update().get(pk=activity.pk)
    if not a.is_open:
        raise ValidationError(_("活动已结束，签到已关闭。"))
    existing = StaffAttendance.objects.filter(activity=a, user=by).first()
    if existing is None and a.held_on != clock.today():
        # a code passed on afterwards (a group chat) signs no one in: only on the day it is held
        raise ValidationError(_("只能在活动当天（%(day)s）扫码签到。") % {"day": a.held_on.isoformat()})
    if existing is not None:
        return existing, False
    row = StaffAttendance.objects.create(
        county_id=a.county_id, school_id=a.school_id, activity=a, user=by, via=CheckIn.QR, recorded_by=by
    )
    return row, True


@transaction.atomic
def add_material(by, activity: Activity, upload) -> Material:
    _may_edit(by, activity)
    m = Material(
        county_id=activity.county_id, school_id=activity.school_id, activity=activity, uploaded_by=by
    )
    files.store(m, upload)
    m.save()
    return m


# --- 评优评先 (R-CMP-3) --------------------------------------------------------------------------


@transaction.atomic
def override_eligibility(by, school, staff, year: int, reason: str) -> EligibilityOverride:
    """The principal finds the person eligible despite the lapses found, with the reason."""
    from anxin.education.evaluation import records

    o = EligibilityOverride.objects.filter(
        school=school, staff=staff, year=year
    ).first() or EligibilityOverride(county_id=school.county_id, school_id=school.pk, staff=staff, year=year)
    _require(by, o, "change")
    if staff.pk == by.pk:
        raise ValidationError(_("不能认定本人的评优评先资格。"))
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ValidationError({"reason": _("请写明理由（不少于5个字）。")})
    rec = records(school, year, only=[staff.pk]).get(staff.pk)
    if rec is None:
        raise ValidationError({"staff": _("请选择本校在岗教职工。")})
    if not rec.lapses:
        raise ValidationError(_("此人没有影响评优评先的问题，无需认定。"))
    o.reason, o.decided_by = reason, by
    # what was weighed, by record: a lapse arising later is not covered by this decision
    o.lapses = [{"key": lp.key, "text": lp.text} for lp in rec.lapses]
    o.save()
    audit.record("override", o, data={"year": year, "lapses": len(o.lapses)})
    return o


@transaction.atomic
def withdraw_override(by, override: EligibilityOverride) -> None:
    _require(by, override, "change")
    audit.record("override_withdrawn", override, data={"year": override.year})
    override.delete()


def meeting_classes(user, school_id: int | None = None):
    """The classes for which the user records a 主题班会: a class teacher their own classes; a
    leader or 德育/政教主任 every active class of their school."""
    from anxin.org.models import SchoolClass

    own = {m.klass_id for m in policy.memberships(user) if m.role == Role.CLASS_TEACHER and m.klass_id}
    schools = {m.school_id for m in policy.memberships(user) if m.role in MANAGERS and m.school_id}
    qs = SchoolClass.objects.filter(active=True).filter(Q(pk__in=own) | Q(school_id__in=schools))
    if school_id is not None:
        qs = qs.filter(school_id=school_id)
    return qs.select_related("grade", "school").order_by("school_id", "grade__year", "name")


@transaction.atomic
def record_class_meeting(by, klass, data: Mapping[str, Any]) -> Activity:
    """A class's 主题班会 in one step (the class teacher on the phone): the activity, its class
    and the number of students present, closed at once. Stored whole or refused with reasons."""
    if not meeting_classes(by).filter(pk=klass.pk).exists():
        raise PermissionDenied("education.activity.class_meeting")
    a = Activity(
        county_id=klass.school.county_id,
        school_id=klass.school_id,
        created_by=by,
        kind=Kind.CLASS_MEETING,
        title=data.get("title") or "",
        held_on=data.get("held_on"),
        summary=data.get("summary") or "",
        presenter=by,
    )
    errors: dict[str, str] = {}
    a.title = a.title.strip()
    if not a.title:
        errors["title"] = _("请填写班会主题。")
    if a.held_on is None:
        errors["held_on"] = _("请填写班会日期。")
    elif a.held_on > clock.today():
        errors["held_on"] = _("班会日期不能晚于今天：开完再登记。")
    present = data.get("present")
    if present is not None and not 0 <= int(present) <= 200:
        errors["present"] = _("参加学生人数须在 0 至 200 之间。")
    if a.held_on is not None and "held_on" not in errors:
        from anxin.org.models import SchoolClass

        SchoolClass.objects.select_for_update().filter(pk=klass.pk).first()  # one at a time per class
        if ClassAttendance.objects.filter(
            klass=klass, activity__kind=Kind.CLASS_MEETING, activity__held_on=a.held_on
        ).exists():  # a second tap, or the same meeting entered twice
            errors["held_on"] = _("该班这一天已登记过主题班会。")
    if errors:
        raise ValidationError(errors)
    a.status, a.closed_at = Activity.Status.CLOSED, timezone.now()
    a.save()
    ClassAttendance.objects.create(
        county_id=a.county_id, school_id=a.school_id, activity=a, klass=klass, students=present
    )
    return a
