"""What every area of the screening services uses: the policy's second line, enrolled students,
the school's staff."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from anxin.core import policy


def _require(by, obj, action: str) -> None:
    if by is not None and not policy.allows(by, obj, action):
        raise PermissionDenied(policy.perm_name(type(obj), action))


def _enrolled():
    from anxin.roster.models import Student, StudentStatus

    return Student.objects.filter(status=StudentStatus.ENROLLED)


def staff_of(school_id: int):
    """Accounts holding an active post at the school (owners, duty persons)."""
    from anxin.accounts.models import Membership, User

    user_ids = Membership.objects.active().filter(school_id=school_id).values("user_id")
    return User.objects.filter(pk__in=user_ids, is_active=True).order_by("real_name", "username")


def _check_staff(school_id: int, user, field: str) -> None:
    if user is not None and not staff_of(school_id).filter(pk=user.pk).exists():
        raise ValidationError({field: _("请选择本校在岗教职工。")})
