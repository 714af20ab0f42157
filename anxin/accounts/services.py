"""Account operations: the only place that changes accounts, posts and access grants.

Every function takes the acting user first (``by``), checks the policy itself (views check
too, so a refusal here means a caller forgot) and runs in one transaction. Writes of the
models are audited automatically (@audited); unlocks, password resets and API tokens, which
change no audited field, are recorded with ``audit.record``.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from anxin.accounts.models import AccessGrant, ApiToken, Membership, PasswordHistory, User
from anxin.core import audit, clock, policy
from anxin.core.roles import ADMIN_DUTY, AUDIT_DUTY, ROLE_SCOPE, Role, ScopeLevel

if TYPE_CHECKING:
    from anxin.org.models import County, School, SchoolClass

# Characters of generated passwords: no look-alikes (0/O, 1/l/I) so they can be read out.
_UPPER = "ABCDEFGHJKLMNPQRSTUVWXYZ"
_LOWER = "abcdefghijkmnpqrstuvwxyz"
_DIGITS = "23456789"
_SYMBOLS = "#%+=@!?*"


def generate_password(user: User | None = None) -> str:
    """A random password that passes the configured policy (all four classes)."""
    length = max(12, settings.ANXIN_PASSWORD_MIN_LENGTH + 2)
    alphabet = _UPPER + _LOWER + _DIGITS + _SYMBOLS
    while True:
        chars = [secrets.choice(s) for s in (_UPPER, _LOWER, _DIGITS, _SYMBOLS)]
        chars += [secrets.choice(alphabet) for _i in range(length - len(chars))]
        secrets.SystemRandom().shuffle(chars)
        candidate = "".join(chars)
        try:
            password_validation.validate_password(candidate, user)
        except ValidationError:  # pragma: no cover - astronomically rare (e.g. looks like the username)
            continue
        return candidate


def _deny(message: str) -> None:
    raise PermissionDenied(message)


def _require_change(by: User, obj) -> None:
    """Account administration (accounts.user.change) in the object's county."""
    if not policy.allows(by, obj, "change"):
        _deny(_("您无权管理该账号。"))


def _open_memberships(user: User):
    """Posts not ended (current and future-dated): what separation of duties looks at."""
    today = clock.today()
    return Membership.objects.filter(user=user).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=today))


# --- password history (LAW 21: no reuse of recent passwords) ----------------------------------------


def remember_password(user: User) -> None:
    """Keep the hash the account has just been given. ``User.save()`` calls this itself after
    ``set_password()``; only code that writes hashes without save() (bulk loads) needs it."""
    PasswordHistory.remember(user)


def password_reuse_error(user: User, raw_password: str) -> str | None:
    """A Chinese message when ``raw_password`` is the current one or one of the last
    PasswordHistory.KEEP, else None."""
    from django.contrib.auth.hashers import check_password

    if user.password and check_password(raw_password, user.password):
        return _("新密码不能与当前密码相同。")
    recent = PasswordHistory.objects.filter(user=user).order_by("-created_at", "-pk")
    for encoded in recent.values_list("password", flat=True)[: PasswordHistory.KEEP]:
        if check_password(raw_password, encoded):
            return _("新密码不能与最近使用过的%(n)d个密码相同。") % {"n": PasswordHistory.KEEP}
    return None


@transaction.atomic
def change_own_password(user: User, raw_password: str) -> User:
    """The holder sets a new password (checked by the form); the initial-password flag ends."""
    user.set_password(raw_password)
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    return user


# --- accounts ---------------------------------------------------------------------------------


@transaction.atomic
def create_user(
    by: User, username: str, real_name: str, phone: str | None, county: County
) -> tuple[User, str]:
    """A new staff account with a random initial password that must be changed at first
    login (LAW 21, 23: no shared or default passwords). Returns the account and the password,
    which is shown once and stored only as a hash."""
    username = (username or "").strip()
    real_name = (real_name or "").strip()
    phone = (phone or "").strip() or None
    user = User(username=username, real_name=real_name, phone=phone, county=county)
    _require_change(by, user)
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = [_("请填写用户名。")]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("该用户名已被使用。")]
    if not real_name:
        errors["real_name"] = [_("请填写姓名。")]
    if phone and User.objects.filter(phone=phone).exists():
        errors["phone"] = [_("该手机号已被其他账号使用。")]
    if errors:
        raise ValidationError(errors)
    password = generate_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.full_clean(exclude=["password"])
    user.save()
    return user, password


@transaction.atomic
def reset_password(by: User, user: User) -> str:
    """A new random initial password; the holder must change it at next login. Existing
    sessions end, because the session hash follows the password."""
    _require_change(by, user)
    password = generate_password(user)
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record("password_reset", user, data={"by": by.pk})
    return password


@transaction.atomic
def unlock(by: User, user: User) -> int:
    """Clear the login failures of an account locked after repeated failures (axes).
    Failures are counted per account name (see backends.axes_username)."""
    from axes.utils import reset

    _require_change(by, user)
    count = reset(username=user.username)
    audit.record("unlock", user, data={"attempts_cleared": count})
    return count


@transaction.atomic
def deactivate(by: User, user: User) -> None:
    """Stop an account: it can no longer log in or use the API; its history stays."""
    _require_change(by, user)
    if user.pk == by.pk:
        raise ValidationError(_("不能停用自己的账号。"))
    if not user.is_active:
        raise ValidationError(_("该账号已停用。"))
    user.is_active = False
    user.save(update_fields=["is_active"])
    deleted, _detail = ApiToken.objects.filter(user=user).delete()
    if deleted:
        audit.record("token.revoke", user, data={"reason": "deactivated"})


# --- posts (memberships) ----------------------------------------------------------------------


def check_separation_of_duties(user: User, role: str) -> None:
    """LAW 23 (等保 访问控制): administrator, auditor and operator duties are never held by one
    account. Raises a Chinese ValidationError when ``role`` would join them."""
    held = set(_open_memberships(user).values_list("role", flat=True))
    others = held - {role}
    if role in ADMIN_DUTY and others:
        raise ValidationError(
            _("职责分离：系统管理员不得兼任其他岗位，该账号已有其他岗位，请另建管理员账号。")
        )
    if role in AUDIT_DUTY and others:
        raise ValidationError(_("职责分离：审计员不得兼任其他岗位，该账号已有其他岗位，请另建审计员账号。"))
    if others & ADMIN_DUTY:
        raise ValidationError(_("职责分离：该账号是系统管理员，不能再分配其他岗位。"))
    if others & AUDIT_DUTY:
        raise ValidationError(_("职责分离：该账号是审计员，不能再分配其他岗位。"))


@transaction.atomic
def add_membership(
    by: User,
    user: User,
    role: str,
    school: School | None = None,
    klass: SchoolClass | None = None,
    title: str = "",
    unit: str = "",
) -> Membership:
    """Give ``user`` a post. The scope must fit the role (county, school or class level,
    core.roles.ROLE_SCOPE) and separation of duties must hold."""
    if role not in Role.values:
        raise ValidationError({"role": [_("请选择岗位角色。")]})
    if user.county_id is None:
        raise ValidationError(_("该账号未设所属县区，不能分配岗位。"))
    if klass is not None and school is None:
        school = klass.school
    if ROLE_SCOPE[role] == ScopeLevel.SCHOOL and klass is not None:
        raise ValidationError({"klass": [_("该岗位按学校任职，不选班级。")]})
    membership = Membership(
        user=user,
        role=role,
        county_id=user.county_id,
        school=school,
        klass=klass,
        title=(title or "").strip(),
        unit=(unit or "").strip(),
        started_on=clock.today(),
    )
    _require_change(by, user)
    _require_change(by, membership)
    if not user.is_active:
        raise ValidationError(_("该账号已停用，不能分配岗位。"))
    if role == Role.PARTNER_LIAISON and not membership.unit:
        raise ValidationError({"unit": [_("公安、检察、法院联络员须填写所在单位。")]})
    membership.full_clean()
    check_separation_of_duties(user, role)
    duplicate = _open_memberships(user).filter(role=role, school=school, klass=klass).exists()
    if duplicate:
        raise ValidationError(_("该账号已担任此岗位。"))
    membership.save()
    policy.forget(user)
    return membership


@transaction.atomic
def end_membership(by: User, membership: Membership) -> Membership:
    """End a post today; the row stays as history."""
    _require_change(by, membership)
    today = clock.today()
    if membership.ended_on is not None and membership.ended_on <= today:
        raise ValidationError(_("该岗位已离任。"))
    if membership.user_id == by.pk and membership.role in ADMIN_DUTY:
        raise ValidationError(_("不能撤销自己的系统管理员岗位，请由另一名管理员操作。"))
    membership.ended_on = today
    membership.save(update_fields=["ended_on"])
    policy.forget(membership.user)
    return membership


# --- access outside one's scope (LAW 18) ---------------------------------------------------------


@transaction.atomic
def request_grant(by: User, school: School | None, reason: str, days: int) -> AccessGrant:
    """Ask for read access to a school outside one's own posts, with a reason and a term."""
    if not policy.can(by, "accounts.accessgrant.request"):
        _deny(_("您的岗位不能申请跨范围访问。"))
    reason = (reason or "").strip()
    errors: dict[str, list[str]] = {}
    if len(reason) < 10:
        errors["reason"] = [_("请写明申请理由（至少10个字）。")]
    max_days = settings.ANXIN_ACCESS_GRANT_MAX_DAYS
    if not isinstance(days, int) or days < 1 or days > max_days:
        errors["days"] = [_("访问期限须为1至%(n)d天。") % {"n": max_days}]
    own_schools = {m.school_id for m in policy.memberships(by) if m.school_id}
    if school is None:
        errors["school"] = [_("请选择学校。")]
    elif school.pk in own_schools:
        errors["school"] = [_("这是您本人任职的学校，无需申请。")]
    elif school.county_id != by.county_id:
        errors["school"] = [_("只能申请访问本县区的学校。")]
    if errors:
        raise ValidationError(errors)
    now = clock.now()
    open_grant = AccessGrant.objects.filter(grantee=by, school=school).filter(
        Q(status=AccessGrant.Status.PENDING) | Q(status=AccessGrant.Status.APPROVED, expires_at__gt=now)
    )
    if open_grant.exists():
        raise ValidationError({"school": [_("您对该学校已有待审批或有效的访问申请。")]})
    return AccessGrant.objects.create(
        grantee=by,
        county_id=school.county_id,
        school=school,
        reason=reason,
        starts_at=now,
        expires_at=now + timedelta(days=days),
    )


def can_decide(by: User, grant: AccessGrant) -> bool:
    """The target school's safety leader or the county's bureau safety staff, never the
    person who asked."""
    return grant.grantee_id != by.pk and policy.allows(by, grant, "approve")


@transaction.atomic
def decide_grant(by: User, grant: AccessGrant, approve: bool, note: str = "") -> AccessGrant:
    """Approve or reject a pending request. Approval starts the term now and keeps the
    number of days asked for."""
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.grantee_id == by.pk:
        _deny(_("不能审批本人的申请。"))
    if not policy.allows(by, grant, "approve"):
        _deny(_("只有该校分管安全副校长或教体局安全股可以审批。"))
    if grant.status != AccessGrant.Status.PENDING:
        raise ValidationError(_("该申请已处理，不能重复审批。"))
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": [_("驳回须填写审批意见。")]})
    now = clock.now()
    grant.decided_by = by
    grant.decided_at = now
    grant.decision_note = note[:200]
    fields = ["status", "decided_by", "decided_at", "decision_note"]
    if approve:
        term = grant.expires_at - grant.starts_at
        grant.status = AccessGrant.Status.APPROVED
        grant.starts_at = now
        grant.expires_at = now + term
        fields += ["starts_at", "expires_at"]
    else:
        grant.status = AccessGrant.Status.REJECTED
    grant.save(update_fields=fields)
    policy.forget(grant.grantee)
    return grant


def can_revoke(by: User, grant: AccessGrant) -> bool:
    if grant.status not in (AccessGrant.Status.PENDING, AccessGrant.Status.APPROVED):
        return False
    return grant.grantee_id == by.pk or policy.allows(by, grant, "approve")


@transaction.atomic
def revoke_grant(by: User, grant: AccessGrant, note: str = "") -> AccessGrant:
    """End a grant early (an approver, or the grantee giving it up or withdrawing a request)."""
    grant = AccessGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.grantee_id != by.pk and not policy.allows(by, grant, "approve"):
        _deny(_("您无权撤销该访问授权。"))
    if grant.status not in (AccessGrant.Status.PENDING, AccessGrant.Status.APPROVED):
        raise ValidationError(_("该申请已结束，无需撤销。"))
    now = clock.now()
    grant.status = AccessGrant.Status.REVOKED
    fields = ["status"]
    note = (note or "").strip()
    if note:
        grant.decision_note = note[:200]
        fields.append("decision_note")
    if grant.decided_by_id is None:  # a withdrawn request: who closed it
        grant.decided_by = by
        grant.decided_at = now
        fields += ["decided_by", "decided_at"]
    grant.save(update_fields=fields)
    policy.forget(grant.grantee)
    return grant


# --- API tokens -------------------------------------------------------------------------------------


@transaction.atomic
def rotate_token(by: User) -> tuple[ApiToken, str]:
    """Create or replace the user's own API token; the old key stops working at once.
    Returns the token and its key: the key is stored only as a hash, shown this once."""
    existed = ApiToken.objects.filter(user=by).delete()[0] > 0
    token, key = ApiToken.issue(by)
    audit.record("token.rotate" if existed else "token.create", by)
    return token, key


@transaction.atomic
def revoke_token(by: User) -> bool:
    deleted = ApiToken.objects.filter(user=by).delete()[0] > 0
    if deleted:
        audit.record("token.revoke", by)
    return deleted
