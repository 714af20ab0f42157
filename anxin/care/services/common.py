"""Shared by every area of care: settings, the policy check, people, and risk levels from
screening.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied

from anxin.care.cadence import Level
from anxin.core import policy
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
