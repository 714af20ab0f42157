"""This app's rights, merged into anxin.core.policy.PERMISSIONS (same shape:
``"<app>.<model>.<action>": (frozenset of roles, "中文说明")``). ROLES.md: the school's leaders
and middle managers triage reports; every staff member may raise a concern or record a
首问负责制 intake; the bureau sees counts and ages, not contents (LAW 19); the system
administrator reads no report contents (separation of duties)."""

from anxin.core.roles import Role as R

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
TRIAGE = frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER})
RESPONDERS = TRIAGE | {R.SECURITY_STAFF}

PERMISSIONS: dict = {
    "intake.report.view": (TRIAGE, "看举报与关注的内容（每次查看记入审计）"),
    "intake.report.change": (
        TRIAGE,
        "受理研判：确认受理、紧急程度、关联学生、合并重复、回复举报人、办结或标记不实（须写理由）",
    ),
    "intake.report.export": (TRIAGE, "导出举报受理台账（不含内容）"),
    "intake.report.open_case": (TRIAGE, "把举报或关注转为欺凌事件"),
    "intake.report.record": (SCHOOL_STAFF, "登记电话、邮件、来访反映（首问负责制）"),
    "intake.report.stats": (
        frozenset({R.BUREAU_SAFETY, R.SUPERVISOR}),
        "看各校未受理举报的数量和时长（不含内容）",
    ),
    "intake.report.county_inbox": (
        frozenset({R.BUREAU_SAFETY}),
        "县级收件箱：看未指明学校或被学校上交到县里的举报，并转交给应办理的学校（每次查看记入审计）",
    ),
    "intake.concern.add": (SCHOOL_STAFF, "对学生提出关注（发现苗头）"),
    "intake.emergencyrequest.view": (RESPONDERS | {R.BUREAU_SAFETY}, "看紧急求救"),
    "intake.emergencyrequest.change": (RESPONDERS | {R.BUREAU_SAFETY}, "响应紧急求救"),
    "intake.dutyleader.view": (RESPONDERS, "看值班安排"),
    "intake.dutyleader.change": (frozenset({R.PRINCIPAL, R.SAFETY_LEADER}), "安排值班领导"),
    "intake.poster.view": (
        TRIAGE | {R.BUREAU_ADMIN, R.BUREAU_SAFETY},
        "下载学校防欺凌宣传海报（公开联系方式与举报二维码）",
    ),
}
