"""Who may see and do what with incident cases (ROLES.md), merged into
``anxin.core.policy.PERMISSIONS``.

Most rights hold in the member's ordinary scope (a school's managers: their school; bureau
staff: their county). Some hold only for particular cases (ROLES.md), and
:func:`case_scope_q` adds those party-based rules:

- a class teacher: cases involving a student of their class;
- a counsellor: cases of their school with a counselling duty;
- bureau safety staff: cases reported to the bureau (a submitted report), or brought to the
  county by a 复查/复核 or a 专门学校 application — the register shows them every case without names;
- a legal vice-principal or a police/procuratorate/court liaison: cases referred to them;
- the safety leader signs off reports to the bureau (report_sign) only when the principal has
  designated them in the school's responsibility matrix (org Duty.REPORT_SIGN).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Q

from anxin.core import policy
from anxin.core.roles import ROLE_SCOPE, Role, ScopeLevel

R = Role
MANAGERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER})
LEADERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER})

P = "cases.bullyingcase"
PERMISSIONS: dict[str, tuple[frozenset[str], str]] = {
    f"{P}.register": (MANAGERS | {R.BUREAU_SAFETY, R.SUPERVISOR}, "看欺凌事件台账（不含学生姓名；迟报标出）"),
    f"{P}.export": (MANAGERS | {R.BUREAU_SAFETY, R.SUPERVISOR}, "导出欺凌事件台账"),
    f"{P}.view": (
        MANAGERS | {R.CLASS_TEACHER, R.COUNSELLOR, R.BUREAU_SAFETY, R.LEGAL_VP, R.PARTNER_LIAISON},
        "查看案件（班主任：涉及本班学生的；心理教师：有心理辅导任务的；教体局：已报告的；法治副校长、联络员：移交本人的）",
    ),
    f"{P}.open": (MANAGERS, "登记欺凌事件"),
    f"{P}.change": (MANAGERS, "办理案件：制止与初步处置、家校互通、调查、处置、回访"),
    f"{P}.statement": (MANAGERS | {R.CLASS_TEACHER}, "添加询问笔录（班主任：本班学生的案件）"),
    f"{P}.note": (MANAGERS | {R.CLASS_TEACHER}, "添加案件备注（班主任：本班学生的案件）"),
    f"{P}.determine": (MANAGERS, "记录学生欺凌治理委员会的认定（须委员会依法组成并表决）"),
    f"{P}.measure": (MANAGERS, "记录学校决定的教育惩戒和处分"),
    f"{P}.measure_teacher": (
        frozenset({R.CLASS_TEACHER, R.SUBJECT_TEACHER}),
        "记录一般教育惩戒（惩戒规则第八条；班主任：本班学生，任课教师：任教班级的学生）",
    ),
    f"{P}.settle": (
        frozenset({R.SAFETY_LEADER}),
        "玩笑打闹、一般纠纷直接予以批评教育处理（须记录依据并告知双方家长）",
    ),
    f"{P}.support": (MANAGERS | {R.COUNSELLOR}, "记录心理辅导、加强管教与家庭教育指导"),
    f"{P}.counselling_notes": (frozenset({R.SAFETY_LEADER, R.COUNSELLOR}), "看心理辅导记录"),
    f"{P}.report_draft": (MANAGERS, "起草向教体局的报告"),
    f"{P}.report_sign": (
        LEADERS,
        "签发向教体局的首报、续报、终报（校长；分管安全副校长须经校长在岗位责任清单中指定）",
    ),
    f"{P}.report_submit": (LEADERS, "报送已签发的首报、续报、终报"),
    f"{P}.acknowledge": (frozenset({R.BUREAU_SAFETY}), "签收学校报送的首报、续报、终报"),
    f"{P}.appeal": (MANAGERS, "登记申诉、复查申请"),
    f"{P}.appeal_decide": (LEADERS, "记录学生申诉委员会的申诉决定"),
    f"{P}.review": (frozenset({R.BUREAU_SAFETY}), "记录县级复查、复核决定"),
    f"{P}.special_apply": (LEADERS, "申请转入专门学校"),
    f"{P}.special_decide": (frozenset({R.BUREAU_SAFETY}), "记录教育行政部门对专门学校申请的决定"),
    f"{P}.referral": (frozenset({R.LEGAL_VP, R.PARTNER_LIAISON}), "接收移交、记录警示教育、训诫和处理结果"),
    f"{P}.seal": (LEADERS | {R.LEGAL_VP}, "封存、解除封存案件记录（未成年人犯罪记录封存，须写明理由）"),
    f"{P}.sealed_view": (
        LEADERS | {R.LEGAL_VP, R.PARTNER_LIAISON},
        "看已封存的案件（其他角色在台账、查询、导出、统计和接口中均看不到）",
    ),
    f"{P}.close": (MANAGERS, "结案"),
    f"{P}.close_unfounded": (LEADERS, "查无实据结案（须写明理由）"),
    "cases.committee.view": (MANAGERS, "看学生欺凌治理委员会"),
    "cases.committee.change": (LEADERS, "组建学生欺凌治理委员会、调整委员"),
    "cases.holiday.view": (MANAGERS | {R.BUREAU_ADMIN, R.BUREAU_SAFETY}, "看节假日（工作日计算）"),
    "cases.holiday.change": (frozenset({R.BUREAU_ADMIN}), "维护节假日与调休"),
    "cases.legalparameterversion.view": (
        MANAGERS | {R.BUREAU_ADMIN, R.BUREAU_SAFETY, R.SUPERVISOR},
        "看本县法定参数（时限、年级下限、须报告的认定结果等）",
    ),
    "cases.legalparameterversion.change": (frozenset({R.BUREAU_ADMIN}), "设置本县法定参数的新版本"),
}

# --- party-based scope ------------------------------------------------------------------------


def _standard(user, m) -> Q | None:
    level = ROLE_SCOPE[m.role]
    if level == ScopeLevel.COUNTY:
        return Q(county_id=m.county_id)
    if level == ScopeLevel.SCHOOL and m.school_id:
        return Q(school_id=m.school_id)
    return None


def _own_class(user, m) -> Q | None:
    from anxin.cases.models import CaseParty

    if not m.klass_id:
        return None
    return Q(pk__in=CaseParty.objects.filter(student__klass_id=m.klass_id).values("case_id"))


def _counselling_duty(user, m) -> Q | None:
    from anxin.cases.models import COUNSELLING_KINDS, SupportAction

    if not m.school_id:
        return None
    duties = SupportAction.objects.filter(school_id=m.school_id, kind__in=COUNSELLING_KINDS)
    return Q(school_id=m.school_id, pk__in=duties.values("case_id"))


def _reported_to_bureau(user, m) -> Q | None:
    from anxin.cases.models import Appeal, AppealKind, BureauReport, SpecialSchoolApplication

    county = m.county_id
    reported = BureauReport.objects.filter(county_id=county, submitted_at__isnull=False).values("case_id")
    reviews = Appeal.objects.filter(
        county_id=county,
        kind__in=[AppealKind.COUNTY_REVIEW, AppealKind.CITY_REVIEW, AppealKind.AUTHORITY_REVIEW],
    ).values("case_id")
    special = SpecialSchoolApplication.objects.filter(county_id=county).values("case_id")
    return Q(county_id=county) & (Q(pk__in=reported) | Q(pk__in=reviews) | Q(pk__in=special))


def _designated_signer(user, m) -> Q | None:
    """A deputy signs reports only where the principal designated them (org Duty.REPORT_SIGN)."""
    from anxin.org.models import Duty, Responsibility

    if not m.school_id:
        return None
    designated = Responsibility.objects.filter(
        school_id=m.school_id, duty=Duty.REPORT_SIGN, person_id=user.pk
    )
    return Q(
        school_id=m.school_id, school_id__in=designated.values("school_id")
    )  # a subquery, no extra query


def _referred(user, m) -> Q | None:
    from anxin.cases.models import CaseReferral

    return Q(county_id=m.county_id, pk__in=CaseReferral.objects.filter(to_user_id=user.pk).values("case_id"))


# A rule reads the user's id and the post's role, county, school and class, and nothing else
# (no query, no clock): case_scope_q keeps its condition per process under those inputs
# (_inputs), and the data is read by the rule's subqueries when each query runs.
Rule = Callable[[object, object], Q | None]
# (role, action) → rule; "*" is any action of that role. Roles not listed use the standard scope.
RULES: dict[tuple[str, str], Rule] = {
    (R.CLASS_TEACHER, "*"): _own_class,
    (R.SUBJECT_TEACHER, "measure_teacher"): _own_class,  # one membership per class taught
    (R.COUNSELLOR, "*"): _counselling_duty,
    (R.BUREAU_SAFETY, "view"): _reported_to_bureau,
    (R.BUREAU_SAFETY, "acknowledge"): _reported_to_bureau,
    (R.BUREAU_SAFETY, "review"): _reported_to_bureau,
    (R.BUREAU_SAFETY, "special_decide"): _reported_to_bureau,
    (R.SAFETY_LEADER, "report_sign"): _designated_signer,
    (R.LEGAL_VP, "*"): _referred,
    (R.PARTNER_LIAISON, "*"): _referred,
}


def teacher_class_ids(user) -> set[int]:
    """The classes whose students a teacher may give Art 8 measures (LAW 11; ROLES.md): a
    class teacher's own class, a subject teacher's classes taught."""
    allowed = policy.roles_with(f"{P}.measure_teacher")
    return {m.klass_id for m in policy.memberships(user) if m.role in allowed and m.klass_id}


def case_scope_q(user, action: str) -> Q | None:
    """The cases ``user`` may ``action`` (``cases.bullyingcase.<action>``), or None for none.

    The rules read nothing but the user's id, the role, county, school and class of each post,
    and the schools of approved access grants; the data they test (reports sent, referrals,
    seals …) is read by subqueries when the query runs. So the condition, its subqueries
    compiled to SQL once (``policy.compiled``), is kept per process for those inputs, and per
    request on the user object: 工作台 asks for it about twenty times."""
    authenticated = getattr(user, "is_authenticated", False)
    memo = policy.derived(user, "cases.scope") if authenticated else {}
    if action in memo:
        return memo[action]
    key = _inputs(user, action) if authenticated else None
    kept = _COMPILED.get(key, _MISSING) if key is not None else _MISSING  # one read: threads clear it
    if kept is not _MISSING:
        memo[action] = kept
        return kept
    q = _case_scope_q(user, action)
    memo[action] = None if q is None else policy.compiled(q)
    if key is not None:
        if len(_COMPILED) >= 4096:  # a county's staff fit many times over; never grows unbounded
            _COMPILED.clear()
        _COMPILED[key] = memo[action]
    return memo[action]


_COMPILED: dict[tuple, Q | None] = {}
_MISSING = object()


def _inputs(user, action: str) -> tuple:
    """Everything :func:`_case_scope_q` reads for ``user`` and ``action`` (the rules of RULES
    and sealing read these and nothing else; the database's name, for the compiled SQL)."""
    from django.db import connection

    allowed = policy.roles_with(f"{P}.{action}")
    ms = policy.memberships(user)
    posts = tuple(sorted((m.role, m.county_id or 0, m.school_id or 0, m.klass_id or 0) for m in ms))
    granted = ()
    if action in policy.GRANTABLE_ACTIONS and {m.role for m in ms} & allowed:
        granted = tuple(sorted(g.school_id for g in policy.grants(user)))
    return (connection.vendor, connection.settings_dict["NAME"], user.pk, action, posts, granted)


def _case_scope_q(user, action: str) -> Q | None:
    from anxin.cases import sealing

    allowed = policy.roles_with(f"{P}.{action}")
    parts: list[Q] = []
    for m in policy.memberships(user):
        if m.role not in allowed:
            continue
        rule = RULES.get((m.role, action)) or RULES.get((m.role, "*")) or _standard
        q = rule(user, m)
        if q is not None:
            parts.append(sealing.hide_sealed(q, m.role))  # LAW 24: sealed cases for named roles only
    if action in policy.GRANTABLE_ACTIONS and policy.user_roles(user) & allowed:
        # LAW 18 approved access (never to a sealed case)
        parts.extend(sealing.hide_sealed(Q(school_id=g.school_id), None) for g in policy.grants(user))
    if not parts:
        return None
    q = parts[0]
    for extra in parts[1:]:
        q |= extra
    return q


KEY_LOOKUPS = frozenset({"county_id", "county_id__in", "school_id", "school_id__in"})


def prefixed(q: Q, prefix: str, *, own_keys: bool = False) -> Q:
    """``q`` (a condition on cases) as a condition on a model related to cases through
    ``prefix`` (e.g. ``"case__"``). Scope rules hold only field lookups (values and subqueries,
    no outer references), so each lookup moves along the relation as it is.

    ``own_keys``: the county and school lookups stay on the row itself, for a row whose keys are
    its case's (every child row of a case is written with ``keys_of(case)``, and a case never
    changes school; tested on the demo county). The database then narrows by the row's own
    county / school index instead of by the case's, which the planner may read through a scan
    of the case table's primary key (70 ms for one school's inbox at 200,000 cases)."""

    def move(c):
        if isinstance(c, Q):
            return prefixed(c, prefix, own_keys=own_keys)
        return c if own_keys and c[0] in KEY_LOOKUPS else (prefix + c[0], c[1])

    return Q(*[move(c) for c in q.children], _connector=q.connector, _negated=q.negated)


def plain_scope(user, action: str) -> tuple[int, frozenset[int] | None, bool] | None:
    """When the cases ``user`` may ``action`` are exactly "every case of a county or of some
    schools of one county", with sealed cases all in or all out: ``(county_id, school ids or
    None for the whole county, sealed)``.
    None when any rule narrows it further (a class teacher's class, a referral, an approved
    access) — then only :func:`case_scope_q` tells. Counted figures kept per school (the
    dashboards' rollups) may stand for the user's rows exactly when this is not None."""
    from anxin.cases import sealing

    allowed = policy.roles_with(f"{P}.{action}")
    named = policy.roles_with(sealing.SEALED_VIEW)
    county, schools, sealed, counties = None, set(), set(), set()
    for m in policy.memberships(user):
        if m.role not in allowed:
            continue
        if (m.role, action) in RULES or (m.role, "*") in RULES:
            return None
        counties.add(m.county_id)
        level = ROLE_SCOPE[m.role]
        if level == ScopeLevel.COUNTY:
            county = m.county_id
        elif level == ScopeLevel.SCHOOL and m.school_id:
            schools.add(m.school_id)
        else:
            continue  # the standard rule gives such a post no case
        sealed.add(m.role in named)
    if action in policy.GRANTABLE_ACTIONS and policy.grants(user):
        return None
    if len(sealed) != 1 or len(counties) != 1:
        return None  # posts in two counties: only case_scope_q tells
    return counties.pop(), None if county is not None else frozenset(schools), sealed.pop()


def can_case(user, case, action: str) -> bool:
    """May ``user`` ``action`` this case? (one query; the same rules as the lists)"""
    from anxin.cases.models import BullyingCase

    if not policy.can(user, f"{P}.{action}"):
        return False
    return BullyingCase.objects.restrict(user, action).filter(pk=case.pk).exists()


def actions_on(user, case, actions) -> set[str]:
    """Which of ``actions`` the user may take on ``case`` — one query for all of them, its
    statement kept per process for the reader's posts and grants and the actions asked
    (core.sqlcache)."""
    from django.db.models import BooleanField, ExpressionWrapper

    from anxin.cases.models import BullyingCase
    from anxin.core import sqlcache

    scopes = {}
    for a in actions:
        if policy.can(user, f"{P}.{a}"):
            q = case_scope_q(user, a)
            if q is not None:
                scopes[f"can_{a}"] = q
    if not scopes:
        return set()

    def build(case_id):
        checks = {name: ExpressionWrapper(q, output_field=BooleanField()) for name, q in scopes.items()}
        return BullyingCase.objects.filter(pk=case_id).annotate(**checks).values(*checks)

    rows = sqlcache.rows(("cases.actions_on", tuple(actions), *sqlcache.reader_key(user)), build, case.pk)
    return {name[4:] for name, ok in (rows[0] if rows else {}).items() if ok}
