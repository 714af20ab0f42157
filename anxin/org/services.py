"""Domain operations of the organisation app: the only place that changes org state.

Every function receives the acting user (``by``), checks the policy itself (pages and the API
check before calling, this is the second line) and runs in one transaction. Rule violations
raise ``ValidationError`` with a Chinese message; missing rights raise ``PermissionDenied``.
Changes are written to the audit trail by the models' ``@audited`` signals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from anxin.core import clock, policy
from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel
from anxin.org.models import Duty, Grade, Responsibility, SafetyOfficer, School, SchoolClass

# What a school's own leadership may edit on its record; the rest (name, 标识码, type, active)
# belongs to the bureau's administrator, who keeps the county's school list (ROLES.md).
SCHOOL_CONTACT_FIELDS = ("antibullying_phone", "antibullying_email", "safety_leader_phone", "legal_vp_phone")
SCHOOL_BASIC_FIELDS = ("short_name", "town", "address", "boarding")
SCHOOL_BUREAU_FIELDS = ("name", "code", "type", "active")


def _require(by, obj, action: str) -> None:
    if not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


def is_county_manager(by, school: School) -> bool:
    """Does ``by`` change this school's record through a county-level post (bureau admin)?"""
    allowed = policy.roles_with("org.school.change")
    return any(
        m.role in allowed and ROLE_SCOPE[m.role] == ScopeLevel.COUNTY and m.county_id == school.county_id
        for m in policy.memberships(by)
    )


def editable_school_fields(by, school: School) -> tuple[str, ...]:
    fields = SCHOOL_CONTACT_FIELDS + SCHOOL_BASIC_FIELDS
    if is_county_manager(by, school):
        fields = SCHOOL_BUREAU_FIELDS + fields
    return fields


@transaction.atomic
def update_school_contacts(by, school: School, data: Mapping[str, Any]) -> School:
    """Update a school's published contacts (二(六) 公布学校欺凌防治电话、邮箱和分管安全工作校领导电话)
    and basic information. Name, 标识码 and type are the bureau's to change."""
    _require(by, school, "change")
    allowed = editable_school_fields(by, school)
    refused = [k for k in data if k not in allowed]
    if refused:
        raise PermissionDenied(_("无权修改：%(f)s") % {"f": "、".join(refused)})
    school = School.objects.select_for_update().get(pk=school.pk)
    changed = []
    for key, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if getattr(school, key) != value:
            setattr(school, key, value)
            changed.append(key)
    if not changed:
        return school
    school.full_clean()
    school.save(update_fields=changed)
    return school


@transaction.atomic
def create_grade(by, school: School, name: str, stage: str, year: int) -> Grade:
    # grades and classes are one right: org.schoolclass.change, held at school scope
    _require(by, SchoolClass(county_id=school.county_id, school_id=school.pk), "change")
    grade = Grade(county_id=school.county_id, school=school, name=name.strip(), stage=stage, year=year)
    if Grade.objects.filter(school=school, name=grade.name).exists():
        raise ValidationError({"name": _("本校已有年级“%(n)s”。") % {"n": grade.name}})
    grade.full_clean()
    grade.save()
    return grade


@transaction.atomic
def create_class(by, grade: Grade, name: str) -> SchoolClass:
    klass = SchoolClass(county_id=grade.county_id, school_id=grade.school_id, grade=grade, name=name.strip())
    _require(by, klass, "change")
    if SchoolClass.objects.filter(grade=grade, name=klass.name).exists():
        raise ValidationError({"name": _("%(g)s已有“%(n)s”。") % {"g": grade.name, "n": klass.name}})
    klass.full_clean()
    klass.save()
    return klass


# --- responsibility matrix (明确到人、到岗, 二(六), 四(一)) -----------------------------------


# duties a school may assign but need not: "其他", and the deputy who signs reports in the
# principal's stead (the principal signs when nobody is designated)
OPTIONAL_DUTIES = frozenset({Duty.OTHER, Duty.REPORT_SIGN})


def _is_principal_for_signing(by, school: School, duty: str) -> bool:
    """签发 is the principal's (ROLES.md): only the principal designates a deputy for it."""
    if duty != Duty.REPORT_SIGN:
        return True
    return any(m.role == Role.PRINCIPAL and m.school_id == school.pk for m in policy.memberships(by))


def required_duties(school: School) -> list[str]:
    """The duties every school must make accountable. 宿舍管理 only where students board;
    "其他" is never required."""
    out = []
    for duty in Duty.values:
        if duty in OPTIONAL_DUTIES:
            continue
        if duty == Duty.DORM and not school.boarding:
            continue
        out.append(duty)
    return out


def missing_duties(school: School, assigned: Iterable[str] | None = None) -> list[str]:
    """Required duties with no accountable person (shown as 未落实 on the matrix page).
    ``assigned`` (the duties that have someone) saves the query when the caller has them."""
    if assigned is None:
        assigned = Responsibility.objects.filter(school=school).values_list("duty", flat=True)
    have = set(assigned)
    return [d for d in required_duties(school) if d not in have]


def posts_at(person, school: School) -> list:
    """The person's active posts (memberships) at the school."""
    from anxin.accounts.models import Membership

    return list(Membership.objects.active().filter(user=person, school=school).order_by("started_on", "id"))


def post_label(posts) -> str:
    labels = []
    for m in posts:
        label = m.title or Role(m.role).label
        if label not in labels:
            labels.append(str(label))
    return "、".join(labels)


@transaction.atomic
def set_responsibility(
    by,
    school: School,
    duty: str,
    person,
    detail: str = "",
    post: str = "",
    klass: SchoolClass | None = None,
) -> Responsibility:
    """Make ``person`` accountable for ``duty`` at ``school`` (per class for 本班 duties),
    replacing whoever held it. The person must hold a post at that school (法治副校长
    included): a matrix names people who can be held to it."""
    probe = Responsibility(county_id=school.county_id, school_id=school.pk, duty=duty)
    _require(by, probe, "change")
    if duty not in Duty.values:
        raise ValidationError({"duty": _("未知的职责。")})
    if klass is not None and klass.school_id != school.pk:
        raise ValidationError({"klass": _("班级不属于该校。")})
    if duty == Duty.CLASS and klass is None:
        raise ValidationError({"klass": _("“本班学生欺凌防治”须指定班级。")})
    if not _is_principal_for_signing(by, school, duty):
        raise ValidationError({"duty": _("只有校长可以指定代为签发报告的副校长。")})
    posts = posts_at(person, school)
    if not posts:
        raise ValidationError({"person": _("%(p)s在本校没有任职岗位，不能作为责任人。") % {"p": person}})
    if duty == Duty.REPORT_SIGN and not any(m.role == Role.SAFETY_LEADER for m in posts):
        raise ValidationError({"person": _("代为签发报告的须是本校分管安全副校长。")})
    post = (post or "").strip() or post_label(posts)
    existing = (
        Responsibility.objects.select_for_update()
        .filter(school=school, duty=duty, klass=klass)
        .order_by("id")
        .first()
    )
    resp = existing or Responsibility(county_id=school.county_id, school=school, duty=duty, klass=klass)
    resp.person = person
    resp.post = post
    resp.detail = (detail or "").strip()
    resp.full_clean()
    resp.save()
    return resp


@transaction.atomic
def remove_responsibility(by, responsibility: Responsibility) -> None:
    _require(by, responsibility, "change")
    if not _is_principal_for_signing(by, responsibility.school, responsibility.duty):
        raise PermissionDenied(_("只有校长可以指定代为签发报告的副校长。"))
    responsibility.delete()


# --- 学生安全员 (R-ORG-4, 二(六) 积极探索在班级设置学生安全员) --------------------------------


@transaction.atomic
def appoint_safety_officer(by, klass: SchoolClass, student, duties: str = "") -> SafetyOfficer:
    """Appoint an enrolled student of ``klass`` as one of its safety officers."""
    officer = SafetyOfficer(
        county_id=klass.county_id,
        school_id=klass.school_id,
        klass=klass,
        student=student,
        appointed_on=clock.today(),
        duties=(duties or "").strip(),
    )
    _require(by, officer, "change")
    if student.klass_id != klass.pk or student.status != "enrolled":
        raise ValidationError({"student": _("只能任命本班在读学生为学生安全员。")})
    if SafetyOfficer.objects.filter(klass=klass, student=student, ended_on__isnull=True).exists():
        raise ValidationError({"student": _("该学生已是本班学生安全员。")})
    officer.full_clean()
    officer.save()
    return officer


@transaction.atomic
def end_safety_officer(by, officer: SafetyOfficer, ended_on: dt.date | None = None) -> SafetyOfficer:
    _require(by, officer, "change")
    officer = SafetyOfficer.objects.select_for_update().get(pk=officer.pk)
    if officer.ended_on is not None:
        raise ValidationError(_("该学生安全员已卸任。"))
    ended_on = ended_on or clock.today()
    if ended_on < officer.appointed_on:
        raise ValidationError({"ended_on": _("卸任日期不能早于任命日期。")})
    officer.ended_on = ended_on
    officer.save(update_fields=["ended_on"])
    return officer
