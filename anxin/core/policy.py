"""The access policy: the one place that says who may see and do what (ROLES.md; LAW 18).

Deny by default: a permission not granted to a role here is refused. Each permission is
``<resource>.<action>``; a role's memberships give the scope (county, school or class) in
which it holds. ``docs/permissions.md`` is generated from this module
(``manage.py permissions_doc``) and a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from anxin.core.models import Scope
from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel

R = Role
ALL_ROLES = frozenset(Role.values)
SCHOOL_STAFF = frozenset(
    {
        R.PRINCIPAL,
        R.SAFETY_LEADER,
        R.MIDDLE_MANAGER,
        R.CLASS_TEACHER,
        R.SUBJECT_TEACHER,
        R.COUNSELLOR,
        R.SECURITY_STAFF,
    }
)
SCHOOL_MANAGERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER})
ORG_READERS = frozenset(ALL_ROLES - {R.AUDITOR})

# permission -> (roles that hold it, what it means). Read like ROLES.md, one line a right.
PERMISSIONS: dict[str, tuple[frozenset[str], str]] = {
    # organisation (R-ORG-1…5)
    "org.school.view": (ORG_READERS, "看学校基本信息与公开联系方式"),
    "org.school.change": (
        frozenset({R.BUREAU_ADMIN, R.PRINCIPAL, R.SAFETY_LEADER}),
        "维护学校信息与防欺凌联系方式",
    ),
    "org.school.export": (
        frozenset({R.BUREAU_ADMIN, R.BUREAU_SAFETY, R.SUPERVISOR} | SCHOOL_MANAGERS),
        "导出学校名单",
    ),
    "org.grade.view": (ORG_READERS - {R.PARTNER_LIAISON, R.LEGAL_VP}, "看年级"),
    "org.schoolclass.view": (ORG_READERS - {R.PARTNER_LIAISON, R.LEGAL_VP}, "看班级"),
    "org.schoolclass.change": (
        frozenset({R.BUREAU_ADMIN, R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER}),
        "建立和修改年级、班级",
    ),
    "org.schoolclass.export": (
        frozenset({R.BUREAU_ADMIN, R.BUREAU_SAFETY, R.SUPERVISOR} | SCHOOL_MANAGERS),
        "导出班级名单",
    ),
    "org.responsibility.view": (
        frozenset({R.BUREAU_ADMIN, R.BUREAU_SAFETY, R.SUPERVISOR} | SCHOOL_STAFF),
        "看岗位责任清单",
    ),
    "org.responsibility.change": (
        frozenset({R.PRINCIPAL, R.SAFETY_LEADER}),
        "维护岗位责任清单（明确到人、到岗）",
    ),
    "org.responsibility.export": (
        frozenset(
            {R.BUREAU_ADMIN, R.BUREAU_SAFETY, R.SUPERVISOR, R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER}
        ),
        "导出岗位责任清单",
    ),
    "org.safetyofficer.view": (SCHOOL_STAFF - {R.SECURITY_STAFF}, "看学生安全员"),
    "org.safetyofficer.change": (frozenset({R.CLASS_TEACHER} | SCHOOL_MANAGERS), "设置学生安全员"),
    "org.safetyofficer.export": (frozenset({R.CLASS_TEACHER} | SCHOOL_MANAGERS), "导出学生安全员名单"),
    # roster (R-ORG-6)
    "roster.student.view": (SCHOOL_STAFF, "看学生名单（姓名、班级）"),
    "roster.student.detail": (SCHOOL_STAFF - {R.SECURITY_STAFF, R.SUBJECT_TEACHER}, "看学生档案与监护人"),
    "roster.student.sensitive": (
        frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER, R.CLASS_TEACHER}),
        "看身份证件号、健康与残疾信息（每次查看记入审计）",
    ),
    "roster.student.change": (frozenset({R.CLASS_TEACHER} | SCHOOL_MANAGERS), "修改学生与监护人信息、调班"),
    "roster.student.export": (frozenset({R.CLASS_TEACHER} | SCHOOL_MANAGERS), "导出学生名册"),
    "roster.student.import": (SCHOOL_MANAGERS, "从 Excel 导入学生名册"),
    "roster.staff.import": (frozenset({R.BUREAU_ADMIN, R.PRINCIPAL}), "从 Excel 导入教职工"),
    # accounts (LAW 21, 23): administrators manage accounts but read no case contents
    "accounts.user.view": (frozenset({R.BUREAU_ADMIN, R.PRINCIPAL, R.SAFETY_LEADER}), "看账号与岗位"),
    "accounts.user.change": (frozenset({R.BUREAU_ADMIN}), "建立账号、分配岗位、解锁、重置密码"),
    "accounts.user.export": (frozenset({R.BUREAU_ADMIN, R.PRINCIPAL, R.SAFETY_LEADER}), "导出账号与岗位"),
    "accounts.accessgrant.request": (ALL_ROLES - {R.AUDITOR, R.BUREAU_ADMIN}, "申请跨范围访问"),
    "accounts.accessgrant.approve": (
        frozenset({R.SAFETY_LEADER, R.BUREAU_SAFETY}),
        "审批跨范围访问（须有理由和期限）",
    ),
    "accounts.accessgrant.view": (
        frozenset({R.SAFETY_LEADER, R.BUREAU_SAFETY, R.AUDITOR}),
        "看跨范围访问审批",
    ),
    # audit (LAW 22): the auditor reads it all; a safety leader reads their own school's
    "core.auditevent.view": (frozenset({R.AUDITOR, R.SAFETY_LEADER}), "查看审计日志"),
    "core.auditevent.export": (frozenset({R.AUDITOR, R.SAFETY_LEADER}), "导出审计日志"),
    # the delivery log (e-mail, SMS, group robots): operations, no case contents
    "core.delivery.view": (
        frozenset({R.BUREAU_ADMIN, R.AUDITOR}),
        "查看通知发送记录（短信、邮件、群机器人）",
    ),
    "core.delivery.export": (frozenset({R.BUREAU_ADMIN, R.AUDITOR}), "导出通知发送记录"),
}

# Actions an approved cross-scope access grant extends (reads only, LAW 18) …
GRANTABLE_ACTIONS = frozenset({"view", "detail"})
# … and only for these rights: students' records and the school's structure, never the audit
# trail or accounts. Apps add their reads (cases, counselling…) in their permissions module.
GRANTABLE_PERMS: set[str] = {
    "org.school.view",
    "org.grade.view",
    "org.schoolclass.view",
    "roster.student.view",
    "roster.student.detail",
}


def perm_name(model, action: str) -> str:
    """``<resource>.<action>``; a model may borrow another's rights with ``policy_resource``
    (a guardian is read with its student's rights)."""
    resource = getattr(model, "policy_resource", None) or f"{model._meta.app_label}.{model._meta.model_name}"
    return f"{resource}.{action}"


def roles_with(perm: str) -> frozenset[str]:
    entry = PERMISSIONS.get(perm)
    return entry[0] if entry else frozenset()


def memberships(user) -> list:
    """The user's active memberships (and approved access grants), loaded once a request."""
    cached = getattr(user, "_anxin_memberships", None)  # first: asked a hundred times a page
    if cached is not None:
        return cached if user.is_active else []
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    from anxin.core import sqlcache

    membership = apps.get_model("accounts", "Membership")

    def posts(user_id, today):  # read on every page: compiled once per process (sqlcache)
        return (
            membership.objects.active(today).filter(user_id=user_id).select_related("school", "klass__grade")
        )

    cached = sqlcache.rows(("policy.memberships",), posts, user.pk, timezone.localdate())
    user._anxin_memberships = cached
    return cached


def grants(user) -> list:
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_anxin_grants", None)
    if cached is None:
        from anxin.core import sqlcache

        access_grant = apps.get_model("accounts", "AccessGrant")

        def held(user_id, now):  # read on every page: compiled once per process (sqlcache)
            return access_grant.objects.active(at=now).filter(grantee_id=user_id)

        cached = sqlcache.rows(("policy.grants",), held, user.pk, timezone.now())
        user._anxin_grants = cached
    return cached


def region_post(user):
    """The user's active post at a city or province education department (accounts.RegionPost,
    the first by region code), or None; read once a request. Such a post grants no right of
    PERMISSIONS: only the region overview reads it (dashboards.region). An account that also
    belongs to a county (or holds a Membership) is refused it here, whatever its rows say:
    RegionPost.clean keeps the two apart, this keeps a row written past it from counting."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.county_id is not None or memberships(user):
        return None
    if not hasattr(user, "_anxin_region_post"):
        region_post_model = apps.get_model("accounts", "RegionPost")
        user._anxin_region_post = (
            region_post_model.objects.active()
            .filter(user=user)
            .select_related("region__parent")
            .order_by("region__code")
            .first()
        )
    return user._anxin_region_post


def needs_second_factor(user) -> bool:
    """Must this account use a TOTP second factor (LAW 21)? The roles of ANXIN_2FA_ROLES, and
    always a city's or province's post (it reads every county of its region)."""
    from django.conf import settings

    if memberships(user):
        return bool(user_roles(user) & set(settings.ANXIN_2FA_ROLES))
    return region_post(user) is not None


def derived(user, name: str) -> dict:
    """A dict kept on the user object with its posts (so for one request), for what an app
    derives from the posts and grants alone (cases: its scope conditions, built once a request
    instead of once a query). :func:`forget` drops it with them."""
    store = getattr(user, "_anxin_derived", None)  # getattr: request.user is a lazy proxy
    if store is None:
        store = user._anxin_derived = {}
    return store.setdefault(name, {})


def compiled(q):
    """``q`` with each subquery (``pk__in=<QuerySet>``) compiled to SQL once, for the default
    database: a scope condition used by many queries of a request (工作台 runs about twenty)
    is not compiled again in each. The subqueries still run inside each query, on the data as it
    is then; scope rules hold no outer references (cases.permissions.prefixed), so the SQL
    stands alone."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connection
    from django.db.models import Q, QuerySet
    from django.db.models.expressions import RawSQL

    def freeze(child):
        if isinstance(child, Q):
            return compiled(child)
        lookup, value = child
        if isinstance(value, QuerySet):
            try:
                sql, params = value.order_by().query.get_compiler(connection=connection).as_sql()
            except EmptyResultSet:  # a subquery that can match nothing (e.g. an empty __in)
                return (lookup, [])
            return (lookup, RawSQL(sql, params))  # noqa: S611 — compiled by Django, values as parameters
        return child

    return Q(*[freeze(c) for c in q.children], _connector=q.connector, _negated=q.negated)


def forget(user) -> None:
    for attr in ("_anxin_memberships", "_anxin_grants", "_anxin_region_post", "_anxin_derived"):
        if hasattr(user, attr):
            delattr(user, attr)


def user_roles(user) -> set[str]:
    return {m.role for m in memberships(user)}


def can(user, perm: str) -> bool:
    """Does any of the user's memberships hold ``perm`` somewhere? (navigation, list pages)"""
    allowed = roles_with(perm)
    return any(m.role in allowed for m in memberships(user))


def _membership_q(m, scope: Scope) -> Q | None:
    level = ROLE_SCOPE[m.role]
    if level == ScopeLevel.COUNTY or (scope.county_wide and scope.school is None):
        return Q(**{scope.county: m.county_id})
    if level == ScopeLevel.SCHOOL or (
        level == ScopeLevel.CLASS and scope.klass is None and scope.class_sees_school
    ):
        if scope.school is None or m.school_id is None:
            return None
        return Q(**{scope.school: m.school_id})
    if level == ScopeLevel.CLASS and scope.klass and m.klass_id:
        return Q(**{scope.klass: m.klass_id})
    return None


def scope_q(user, model, action: str) -> Q | None:
    """A filter for the rows of ``model`` the user may ``action``; None when there are none."""
    perm = perm_name(model, action) if not action.count(".") else action
    allowed = roles_with(perm)
    scope: Scope = getattr(model, "scope", Scope())
    parts: list[Q] = []
    for m in memberships(user):
        if m.role in allowed:
            q = _membership_q(m, scope)
            if q is not None:
                parts.append(q)
    if action in GRANTABLE_ACTIONS and perm in GRANTABLE_PERMS and scope.school:
        held = user_roles(user)
        for g in grants(user):
            if held & allowed:
                parts.append(Q(**{scope.school: g.school_id}))
    if not parts:
        return None
    q = parts[0]
    for extra in parts[1:]:
        q |= extra
    return q


def _resolve(obj, path: str | None):
    if path is None:
        return None
    value = obj
    for part in path.split("__"):
        if value is None:
            return None
        value = getattr(value, part, None)
    return value


def allows(user, obj, action: str) -> bool:
    """May the user ``action`` this object? Evaluated in Python against the object's keys."""
    model = type(obj)
    allowed = roles_with(perm_name(model, action))
    scope: Scope = getattr(model, "scope", Scope())
    county = _resolve(obj, scope.county)
    school = _resolve(obj, scope.school) if scope.school and "__" not in scope.school else None
    klass = _resolve(obj, scope.klass)
    for m in memberships(user):
        if m.role not in allowed:
            continue
        level = ROLE_SCOPE[m.role]
        if (
            level == ScopeLevel.COUNTY or (scope.county_wide and scope.school is None)
        ) and county == m.county_id:
            return True
        if level == ScopeLevel.SCHOOL and school is not None and school == m.school_id:
            return True
        if level == ScopeLevel.CLASS:
            if scope.klass and klass is not None and klass == m.klass_id:
                return True
            if scope.klass is None and scope.class_sees_school and school == m.school_id:
                return True
    grantable = perm_name(model, action) in GRANTABLE_PERMS
    if action in GRANTABLE_ACTIONS and grantable and school is not None and user_roles(user) & allowed:
        return any(g.school_id == school for g in grants(user))
    if scope.school and "__" in scope.school:
        # scope through a relation (e.g. staff accounts by their memberships): ask the database
        return type(obj)._default_manager.restrict(user, action).filter(pk=obj.pk).exists()
    return False


def schools_for(user, perm: str) -> set[int] | None:
    """Schools in which the user holds ``perm``; None means every school of their county."""
    allowed = roles_with(perm)
    out: set[int] = set()
    for m in memberships(user):
        if m.role in allowed:
            if ROLE_SCOPE[m.role] == ScopeLevel.COUNTY:
                return None
            if m.school_id:
                out.add(m.school_id)
    return out


def describe() -> Iterable[tuple[str, str, list[str]]]:
    for perm, (roles, meaning) in PERMISSIONS.items():
        yield perm, meaning, [r for r in Role.values if r in roles]


# Apps keep their rights in ``anxin/<app>/permissions.py`` (a PERMISSIONS dict of the same
# shape, and optionally GRANTABLE), merged here so this module stays the single source of truth.
# Core names no app: each installed app's ``permissions`` module is found through Django's app
# registry (``core.apps.app_modules``), in INSTALLED_APPS order.


def _merge_app_permissions() -> None:
    from anxin.core.apps import app_modules

    for module in app_modules("permissions"):
        extra = module.PERMISSIONS
        clash = set(extra) & set(PERMISSIONS)
        if clash:
            raise RuntimeError(f"permissions defined twice: {sorted(clash)}")
        PERMISSIONS.update(extra)
        GRANTABLE_PERMS.update(getattr(module, "GRANTABLE", ()))


_merge_app_permissions()
