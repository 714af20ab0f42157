"""Domain operations of care and intervention: the only place that changes care state.

Every function receives the acting user (``by``), checks the policy itself (pages and the API
check before calling; this is the second line) and runs in one transaction. Rule violations
raise ``ValidationError`` with a Chinese message; missing rights raise ``PermissionDenied``.
History is written by the models' ``@audited`` signals; reads of counselling notes are recorded
here (:func:`read_notes`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from anxin.care.cadence import Level, plan_cadence
from anxin.care.models import (
    HOME_KINDS,
    CarePlan,
    ContactKind,
    ContactLog,
    ContactTeacher,
    CounsellingSession,
    InterventionTask,
    Measure,
    PeerPair,
)
from anxin.core import audit, clock, policy
from anxin.core.notify import notify
from anxin.core.roles import Role

# How far back a contact may be entered after the fact (补记), and how long an intervention
# task has by default. Both may be set in settings.
MAX_BACKDATE_DAYS = 60
DEFAULT_TASK_DAYS = 3


def _require(by, obj, action: str) -> None:
    if not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- people ------------------------------------------------------------------------------------


def _holders(role: str, **filters) -> list:
    from anxin.accounts.models import Membership

    ms = Membership.objects.active().filter(role=role, user__is_active=True, **filters).select_related("user")
    return list({m.user_id: m.user for m in ms.order_by("started_on", "pk")}.values())


def class_teachers(klass_id: int) -> list:
    return _holders(Role.CLASS_TEACHER, klass_id=klass_id)


def safety_leaders(school_id: int) -> list:
    return _holders(Role.SAFETY_LEADER, school_id=school_id)


def default_owner(student):
    """The class teacher of the student's class (R-CARE-1: the class teacher carries the plan)."""
    teachers = class_teachers(student.klass_id)
    return teachers[0] if teachers else None


def staff_choices(school_id: int, perm: str = "care.contactlog.change"):
    """Accounts holding ``perm`` through a post at the school: who may own a plan or a task."""
    from anxin.accounts.models import Membership, User

    posts = Membership.objects.active().filter(school_id=school_id, role__in=policy.roles_with(perm))
    return (
        User.objects.filter(is_active=True, memberships__in=posts)
        .distinct()
        .order_by("real_name", "username")
    )


def school_staff(school_id: int):
    """Anyone with a post at the school (the contact teacher may be any teacher)."""
    from anxin.accounts.models import Membership, User

    posts = Membership.objects.active().filter(school_id=school_id)
    return (
        User.objects.filter(is_active=True, memberships__in=posts)
        .distinct()
        .order_by("real_name", "username")
    )


# --- risk levels from screening ------------------------------------------------------------------


def _normalise_level(value) -> str | None:
    value = getattr(value, "level", value)
    value = getattr(value, "value", value)
    return value if value in Level.values else None


def screening_level(student) -> str | None:
    """The risk engine's level for one student; None when screening has none (or is absent)."""
    try:
        from anxin.screening.services import risk_level
    except (ImportError, AttributeError):
        return None
    return _normalise_level(risk_level(student))


def screening_levels(student_ids: Iterable[int]) -> dict[int, str]:
    """The risk engine's levels for many students at once (missing: no level)."""
    ids = list(student_ids)
    if not ids:
        return {}
    try:
        from anxin.screening.services import risk_levels
    except (ImportError, AttributeError):
        return {}
    out = {}
    for sid, value in (risk_levels(ids) or {}).items():
        level = _normalise_level(value)
        if level:
            out[int(sid)] = level
    return out


def elevated(level: str | None) -> str | None:
    """The engine reports 绿 both for "low risk" and "never assessed"; a plan someone opened for
    a student is never lowered to 绿 by the engine (a person closes a plan, the engine does not)."""
    return level if level and level != Level.GREEN else None


# --- plans -------------------------------------------------------------------------------------


def next_due(plan: CarePlan) -> dt.date | None:
    """The last day the next contact is due: the last contact (or the start) plus the cadence."""
    days = plan_cadence(plan.level, plan.kind, plan.cadence_days)
    if not days or plan.status != CarePlan.Status.ACTIVE:
        return None
    base = clock.local_date(plan.last_contact_at) if plan.last_contact_at else plan.starts_on
    return base + dt.timedelta(days=days)


def _check_owner(owner, school_id: int, field: str = "owner") -> None:
    if not staff_choices(school_id).filter(pk=owner.pk).exists():
        raise ValidationError({field: _("责任人须是本校在岗的班主任、心理教师或学校领导。")})


DEFAULT_MEASURES = {
    CarePlan.Kind.CARE: [Measure.TALK, Measure.HOME_VISIT],
    CarePlan.Kind.WATCH: [Measure.WATCH, Measure.TALK],
}


@transaction.atomic
def create_plan(
    by,
    student,
    *,
    kind: str = CarePlan.Kind.CARE,
    level: str | None = None,
    measures: Iterable[str] | None = None,
    owner=None,
    reason: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    cadence_days: int | None = None,
) -> CarePlan:
    """Open a care plan (关爱帮扶) or a watch plan (重点盯防) for a student. The level defaults to
    the risk engine's; the owner to the student's class teacher."""
    plan = CarePlan(county_id=student.county_id, school_id=student.school_id, student=student, kind=kind)
    _require(by, plan, "change")
    if student.status != "enrolled":
        raise ValidationError({"student": _("该学生已不在读，不能建立关爱计划。")})
    if CarePlan.objects.filter(student=student, kind=kind, status=CarePlan.Status.ACTIVE).exists():
        raise ValidationError(
            {"student": _("该学生已有进行中的%(kind)s计划。") % {"kind": CarePlan.Kind(kind).label}}
        )
    plan.level = (
        level
        or elevated(screening_level(student))
        or (Level.ORANGE if kind == CarePlan.Kind.WATCH else Level.YELLOW)
    )
    plan.measures = [m for m in (measures if measures is not None else DEFAULT_MEASURES[kind])]
    bad = [m for m in plan.measures if m not in Measure.values]
    if bad or not plan.measures:
        raise ValidationError({"measures": _("请至少选择一项帮扶措施。")})
    plan.owner = owner or default_owner(student) or by
    _check_owner(plan.owner, student.school_id)
    plan.reason = (reason or "").strip()
    plan.starts_on = starts_on or clock.today()
    plan.ends_on = ends_on
    if ends_on and ends_on < plan.starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    plan.cadence_days = cadence_days or None
    plan.created_by = by
    plan.next_due_on = next_due(plan)
    plan.full_clean(validate_constraints=False)
    plan.save()
    return plan


PLAN_EDITABLE = ("level", "measures", "owner", "reason", "ends_on", "cadence_days")


@transaction.atomic
def update_plan(by, plan: CarePlan, **changes) -> CarePlan:
    """Adjust a running plan (level, measures, owner, end date, own cadence)."""
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    _require(by, plan, "change")
    if not plan.is_active:
        raise ValidationError(_("计划已结束，不能修改。"))
    refused = [k for k in changes if k not in PLAN_EDITABLE]
    if refused:
        raise PermissionDenied(_("不能修改：%(f)s") % {"f": "、".join(refused)})
    if "measures" in changes:
        measures = list(changes["measures"] or [])
        if not measures or any(m not in Measure.values for m in measures):
            raise ValidationError({"measures": _("请至少选择一项帮扶措施。")})
    if changes.get("owner") is not None:
        _check_owner(changes["owner"], plan.school_id)
    elif "owner" in changes:
        changes.pop("owner")
    for key, value in changes.items():
        setattr(plan, key, value.strip() if isinstance(value, str) else value)
    plan.cadence_days = plan.cadence_days or None
    if plan.ends_on and plan.ends_on < plan.starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期。")})
    plan.next_due_on = next_due(plan)
    plan.full_clean(validate_constraints=False)
    plan.save()
    return plan


@transaction.atomic
def close_plan(by, plan: CarePlan, note: str) -> CarePlan:
    plan = CarePlan.objects.select_for_update().get(pk=plan.pk)
    _require(by, plan, "change")
    if not plan.is_active:
        raise ValidationError(_("计划已结束。"))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"close_note": _("请写明结束原因（如：情况好转、已毕业转学）。")})
    plan.status = CarePlan.Status.CLOSED
    plan.closed_on = clock.today()
    plan.close_note = note[:300]
    plan.next_due_on = None
    plan.save()
    return plan


def _refresh_plans(student_id: int, occurred_at) -> None:
    """A contact counts for every running plan of the student: move their last contact and
    due date on (a contact entered after the fact never moves them back)."""
    for plan in CarePlan.objects.select_for_update().filter(
        student_id=student_id, status=CarePlan.Status.ACTIVE
    ):
        if plan.last_contact_at and plan.last_contact_at >= occurred_at:
            continue
        plan.last_contact_at = occurred_at
        plan.next_due_on = next_due(plan)
        plan.save(update_fields=["last_contact_at", "next_due_on", "updated_at"])


def _plan_for(student, kind: str) -> CarePlan | None:
    plans = {p.kind: p for p in CarePlan.objects.filter(student=student, status=CarePlan.Status.ACTIVE)}
    preferred = CarePlan.Kind.WATCH if kind == ContactKind.CHECKIN else CarePlan.Kind.CARE
    return plans.get(preferred) or next(iter(plans.values()), None)


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


# --- counselling (R-CARE-4) -----------------------------------------------------------------------


def can_read_notes(user, session: CounsellingSession) -> bool:
    return policy.allows(user, session, "notes")


def read_notes(by, session: CounsellingSession, *, via: str = "page") -> str:
    """The notes of a session, for the counsellors and the safety leader of the school only;
    every read is audited (LAW 18, 20)."""
    if not can_read_notes(by, session):
        audit.record("denied", session, result="denied", data={"perm": "care.counsellingsession.notes"})
        raise PermissionDenied("care.counsellingsession.notes")
    audit.record("read", session, data={"field": "notes", "via": via})
    return session.notes


@transaction.atomic
def record_counselling(
    by,
    *,
    student,
    notes: str,
    held_at: dt.datetime | None = None,
    form: str = CounsellingSession.Form.INDIVIDUAL,
    duration_minutes: int | None = None,
    next_on: dt.date | None = None,
    plan: CarePlan | None = None,
) -> CounsellingSession:
    """A counselling session by the acting counsellor. The plan's timeline gets a contact that
    says counselling happened, with none of its content."""
    held_at = held_at or clock.now()
    session = CounsellingSession(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        counsellor=by,
        held_at=held_at,
        form=form,
        duration_minutes=duration_minutes or None,
        notes=(notes or "").strip(),
        next_on=next_on,
    )
    _require(by, session, "change")
    errors = {}
    if not session.notes:
        errors["notes"] = _("请填写辅导记录。")
    if held_at > clock.now() + dt.timedelta(minutes=5):
        errors["held_at"] = _("辅导时间不能晚于现在。")
    if form not in CounsellingSession.Form.values:
        errors["form"] = _("请选择辅导形式。")
    if errors:
        raise ValidationError(errors)
    if plan is not None and plan.student_id != student.pk:
        raise ValidationError(_("计划与学生不符。"))
    session.plan = plan or _plan_for(student, ContactKind.COUNSELLING)
    session.save()
    log_contact(
        by,
        student=student,
        plan=session.plan if session.plan and session.plan.is_active else None,
        kind=ContactKind.COUNSELLING,
        summary=_("已开展%(form)s（辅导记录保密，仅心理教师和分管安全副校长可阅）")
        % {"form": session.get_form_display()},
        occurred_at=held_at,
        session=session,
    )
    return session


# --- 二(六) mechanisms: 师生联系, 同学互助, 家校互通 (R-CARE-5) -------------------------------------


def term_start(today: dt.date | None = None) -> dt.date:
    """The first day of the current term; settings ``ANXIN_TERM_STARTS`` as (month, day) pairs,
    by default the spring term from 1 February and the autumn term from 1 September."""
    today = today or clock.today()
    starts = sorted(_setting("ANXIN_TERM_STARTS", ((2, 1), (9, 1))))
    candidates = [dt.date(today.year, m, d) for m, d in starts] + [dt.date(today.year - 1, *starts[-1])]
    return max(c for c in candidates if c <= today)


@transaction.atomic
def set_contact_teacher(by, student, teacher) -> ContactTeacher:
    """Name the teacher a student can turn to (师生联系), ending the previous one."""
    link = ContactTeacher(
        county_id=student.county_id, school_id=student.school_id, student=student, teacher=teacher
    )
    _require(by, link, "change")
    if not school_staff(student.school_id).filter(pk=teacher.pk).exists():
        raise ValidationError({"teacher": _("联系教师须是本校在岗教职工。")})
    current = (
        ContactTeacher.objects.select_for_update().filter(student=student, ended_on__isnull=True).first()
    )
    if current is not None:
        if current.teacher_id == teacher.pk:
            return current
        current.ended_on = clock.today()
        current.save(update_fields=["ended_on", "updated_at"])
    link.started_on = clock.today()
    link.save()
    return link


@transaction.atomic
def assign_unassigned(by, klass, teacher) -> int:
    """Make ``teacher`` the contact teacher of every student of the class who has none."""
    missing = (
        _enrolled(klass)
        .exclude(Exists(ContactTeacher.objects.filter(student=OuterRef("pk"), ended_on__isnull=True)))
        .order_by("pk")
    )
    n = 0
    for student in missing:
        set_contact_teacher(by, student, teacher)
        n += 1
    return n


@transaction.atomic
def add_peer_pair(by, student, helper, note: str = "") -> PeerPair:
    """同学互助: pair a student with a classmate who looks out for them."""
    pair = PeerPair(
        county_id=student.county_id,
        school_id=student.school_id,
        student=student,
        helper=helper,
        note=note.strip(),
    )
    _require(by, pair, "change")
    if helper.pk == student.pk:
        raise ValidationError({"helper": _("互助同学不能是学生本人。")})
    if helper.school_id != student.school_id or helper.status != "enrolled":
        raise ValidationError({"helper": _("互助同学须是本校在读学生。")})
    if PeerPair.objects.filter(student=student, helper=helper, ended_on__isnull=True).exists():
        raise ValidationError({"helper": _("这两名学生已结对。")})
    pair.started_on = clock.today()
    pair.save()
    return pair


@transaction.atomic
def end_peer_pair(by, pair: PeerPair) -> PeerPair:
    _require(by, pair, "change")
    if pair.ended_on is None:
        pair.ended_on = clock.today()
        pair.save(update_fields=["ended_on", "updated_at"])
    return pair


def _enrolled(klass):
    from anxin.roster.models import Student, StudentStatus

    return Student.objects.filter(klass=klass, status=StudentStatus.ENROLLED)


def class_mechanisms(klass, today: dt.date | None = None) -> list[dict]:
    """One row per enrolled student: contact teacher, peer pairs, last home contact this term,
    running plans, and the gaps. Six queries whatever the class size."""
    since = term_start(today)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=clock.SHANGHAI)
    students = list(_enrolled(klass).order_by("name", "pk"))
    ids = [s.pk for s in students]
    teachers = {
        c.student_id: c.teacher
        for c in ContactTeacher.objects.filter(student_id__in=ids, ended_on__isnull=True).select_related(
            "teacher"
        )
    }
    pairs = defaultdict(list)
    for p in (
        PeerPair.objects.filter(Q(student_id__in=ids) | Q(helper_id__in=ids), ended_on__isnull=True)
        .select_related("student", "helper")
        .order_by("pk")
    ):
        pairs[p.student_id].append(("helped_by", p))
        pairs[p.helper_id].append(("helps", p))
    # every contact this term, by kind: 家校 kinds for the gap, any kind (a talk too) for "最近联系"
    home, last_any = {}, {}
    for sid, kind, last in (
        ContactLog.objects.filter(student_id__in=ids, occurred_at__gte=start)
        .values_list("student_id", "kind")
        .annotate(last=Max("occurred_at"))
        .order_by()
    ):
        if kind in HOME_KINDS:
            home[sid] = max(home.get(sid, last), last)
        if sid not in last_any or last > last_any[sid][0]:
            last_any[sid] = (last, ContactKind(kind).label)
    plans = defaultdict(list)
    for p in CarePlan.objects.filter(student_id__in=ids, status=CarePlan.Status.ACTIVE).only(
        "id", "student_id", "kind", "level"
    ):
        plans[p.student_id].append(p)
    rows = []
    for s in students:
        rows.append(
            {
                "student": s,
                "teacher": teachers.get(s.pk),
                "pairs": pairs.get(s.pk, []),
                "last_home": home.get(s.pk),
                "last_contact": last_any.get(s.pk),  # (when, kind label) of any contact this term
                "plans": plans.get(s.pk, []),
                "no_teacher": s.pk not in teachers,
                "no_home": s.pk not in home,
            }
        )
    return rows


def _count(subquery):
    return Coalesce(Subquery(subquery.values("n")[:1], output_field=IntegerField()), 0)


def mechanism_summary(classes, today: dt.date | None = None):
    """Per class: students, gaps in 师生联系 and 家校互通 this term, 同学互助 pairs, running plans.
    One query for any number of classes (correlated counts)."""
    from anxin.roster.models import Student, StudentStatus

    since = term_start(today)
    start = dt.datetime.combine(since, dt.time.min, tzinfo=clock.SHANGHAI)
    enrolled = Student.objects.filter(klass=OuterRef("pk"), status=StudentStatus.ENROLLED).order_by()
    has_teacher = Exists(ContactTeacher.objects.filter(student=OuterRef("pk"), ended_on__isnull=True))
    has_home = Exists(
        ContactLog.objects.filter(student=OuterRef("pk"), kind__in=HOME_KINDS, occurred_at__gte=start)
    )
    has_pair = Exists(PeerPair.objects.filter(student=OuterRef("pk"), ended_on__isnull=True))
    has_plan = Exists(CarePlan.objects.filter(student=OuterRef("pk"), status=CarePlan.Status.ACTIVE))

    def counted(qs):
        return _count(qs.values("klass").annotate(n=Count("pk")))

    return classes.annotate(
        n_students=counted(enrolled),
        n_no_teacher=counted(enrolled.filter(~has_teacher)),
        n_no_home=counted(enrolled.filter(~has_home)),
        n_paired=counted(enrolled.filter(has_pair)),
        n_plans=counted(enrolled.filter(has_plan)),
    )


# --- the overdue sweep (R-CARE-1) ------------------------------------------------------------------


def sync_plans(batch: int = 2000) -> int:
    """Bring running plans up to date: the risk engine's current level when it is raised above
    绿 (an audited change; see :func:`elevated`) and the due date under the current cadence
    table (settings may have changed). Returns the plans changed."""
    changed = 0
    qs = CarePlan.objects.filter(status=CarePlan.Status.ACTIVE).order_by("pk")
    last = 0
    while True:
        chunk = list(qs.filter(pk__gt=last)[:batch])
        if not chunk:
            return changed
        last = chunk[-1].pk
        levels = screening_levels(p.student_id for p in chunk)
        due_only = []
        for plan in chunk:
            level = elevated(levels.get(plan.student_id))
            if level and level != plan.level:
                with transaction.atomic():
                    plan.level = level
                    plan.next_due_on = next_due(plan)
                    plan.save(update_fields=["level", "next_due_on", "updated_at"])
                changed += 1
                continue
            due = next_due(plan)
            if due != plan.next_due_on:
                plan.next_due_on = due
                due_only.append(plan)
        if due_only:
            CarePlan.objects.bulk_update(due_only, ["next_due_on"])
            changed += len(due_only)


def flag_overdue(today: dt.date | None = None) -> int:
    """Tell the class teacher (and the plan's owner) and the safety leader about each plan whose
    contact is overdue, and each task past its deadline. One notice per plan per due date, per
    task per deadline: running the sweep twice sends nothing twice. Returns notices sent."""
    today = today or clock.today()
    sent = 0
    plans = list(
        CarePlan.objects.filter(status=CarePlan.Status.ACTIVE, next_due_on__lt=today)
        .select_related("student__klass__grade", "owner")
        .order_by("pk")
    )
    tasks = list(
        InterventionTask.objects.exclude(status=InterventionTask.Status.DONE)
        .filter(due_on__lt=today)
        .select_related("student__klass__grade", "owner")
        .order_by("pk")
    )
    leaders, teachers = _recipients_for(
        {p.school_id for p in plans} | {t.school_id for t in tasks}, {p.student.klass_id for p in plans}
    )
    for plan in plans:
        recipients = [plan.owner, *teachers.get(plan.student.klass_id, []), *leaders.get(plan.school_id, [])]
        sent += len(
            notify(
                recipients,
                kind="care_overdue",
                title=_("关爱对象联系已逾期"),
                body=_("%(klass)s有一名%(kind)s对象超过约定频次未联系（应于 %(due)s 前联系）。")
                % {
                    "klass": str(plan.student.klass),
                    "kind": plan.get_kind_display(),
                    "due": plan.next_due_on,
                },
                url=reverse("care:plan_detail", args=[plan.pk]),
                dedupe_key=f"care:overdue:{plan.pk}:{plan.next_due_on.isoformat()}",
                school=plan.school_id,
                county=plan.county_id,
            )
        )
    for task in tasks:
        sent += len(
            notify(
                [task.owner, *leaders.get(task.school_id, [])],
                kind="care_task_overdue",
                title=_("干预任务已超期"),
                body=_("%(klass)s的一项干预任务已超过期限（%(due)s）。")
                % {"klass": str(task.student.klass), "due": task.due_on},
                url=_task_url(task),
                dedupe_key=f"care:task-overdue:{task.pk}:{task.due_on.isoformat()}",
                school=task.school_id,
                county=task.county_id,
            )
        )
    return sent


def _recipients_for(school_ids: set[int], klass_ids: set[int]) -> tuple[dict, dict]:
    """Safety leaders by school and class teachers by class, two queries for the whole sweep."""
    from anxin.accounts.models import Membership

    leaders: dict[int, list] = defaultdict(list)
    teachers: dict[int, list] = defaultdict(list)
    if not school_ids:
        return leaders, teachers
    ms = (
        Membership.objects.active()
        .filter(
            Q(role=Role.SAFETY_LEADER, school_id__in=school_ids)
            | Q(role=Role.CLASS_TEACHER, klass_id__in=klass_ids)
        )
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for m in ms:
        if m.role == Role.SAFETY_LEADER:
            leaders[m.school_id].append(m.user)
        else:
            teachers[m.klass_id].append(m.user)
    return leaders, teachers


def sweep(today: dt.date | None = None) -> int:
    sync_plans()
    return flag_overdue(today)


# --- counts for the bureau (de-identified) -------------------------------------------------------


def stats_by_school(user, today: dt.date | None = None) -> list[dict]:
    """Counts per school for the roles that see care only as numbers (GROUP BY in the database)."""
    today = today or clock.today()
    active = Q(status=CarePlan.Status.ACTIVE)
    plans = (
        CarePlan.objects.restrict(user, "care.careplan.stats")
        .values("school_id", "school__name")
        .annotate(
            active=Count("pk", filter=active),
            watch=Count("pk", filter=active & Q(kind=CarePlan.Kind.WATCH)),
            red=Count("pk", filter=active & Q(level=Level.RED)),
            orange=Count("pk", filter=active & Q(level=Level.ORANGE)),
            yellow=Count("pk", filter=active & Q(level=Level.YELLOW)),
            overdue=Count("pk", filter=active & Q(next_due_on__lt=today)),
            closed=Count("pk", filter=Q(status=CarePlan.Status.CLOSED)),
        )
        .order_by("school__name")
    )
    tasks = dict(
        InterventionTask.objects.restrict(user, "care.careplan.stats")
        .exclude(status=InterventionTask.Status.DONE)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    since = dt.datetime.combine(term_start(today), dt.time.min, tzinfo=clock.SHANGHAI)
    contacts = dict(
        ContactLog.objects.restrict(user, "care.careplan.stats")
        .filter(occurred_at__gte=since)
        .values_list("school_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for row in plans:
        row["open_tasks"] = tasks.get(row["school_id"], 0)
        row["term_contacts"] = contacts.get(row["school_id"], 0)
        rows.append(row)
    return rows
