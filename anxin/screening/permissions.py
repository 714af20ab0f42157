"""This app's rights, merged into anxin.core.policy.PERMISSIONS (same shape:
``"<app>.<model>.<action>": (frozenset of roles, "中文说明")``).

Reading the ROLES.md table: student-level screening, register and risk records are for the
school's leadership, the class teacher (own class, through the class scope) and the
counsellor; survey answers only for the class teacher, the counsellor and the safety leader;
security staff see hazard points, cameras, the duty roster and logs; the bureau and
supervisors see counts by school (``screening.counts.*``), never names (LAW 19; UPL 103)."""

from anxin.core.roles import Role as R

SCHOOL_MANAGERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER})
STUDENT_READERS = SCHOOL_MANAGERS | {R.CLASS_TEACHER, R.COUNSELLOR}
SURVEY_READERS = frozenset({R.SAFETY_LEADER, R.CLASS_TEACHER, R.COUNSELLOR})
COUNTY_WATCH = frozenset({R.BUREAU_SAFETY, R.SUPERVISOR})
SCHOOL_STAFF = STUDENT_READERS | {R.SUBJECT_TEACHER, R.SECURITY_STAFF}

PERMISSIONS: dict = {
    # screening rounds (R-SCR-1)
    "screening.countyround.view": (frozenset({R.BUREAU_SAFETY}), "看全县排查及各校覆盖率"),
    "screening.countyround.change": (frozenset({R.BUREAU_SAFETY}), "为全县各校统一发起排查"),
    "screening.screeninground.view": (STUDENT_READERS | COUNTY_WATCH, "看排查轮次与覆盖率（人数）"),
    "screening.screeninground.change": (
        frozenset({R.SAFETY_LEADER, R.MIDDLE_MANAGER}),
        "发起本校排查、确认排查完成",
    ),
    "screening.screeninground.export": (SCHOOL_MANAGERS | COUNTY_WATCH, "导出排查覆盖率"),
    "screening.screeningrecord.view": (STUDENT_READERS, "看学生排查记录（班主任限本班）"),
    "screening.screeningrecord.change": (
        frozenset({R.SAFETY_LEADER, R.MIDDLE_MANAGER, R.CLASS_TEACHER}),
        "填写学生排查记录（班主任限本班）",
    ),
    "screening.screeningrecord.export": (
        SCHOOL_MANAGERS | {R.CLASS_TEACHER},
        "导出学生排查记录",
    ),
    # peer-relationship survey: results only for the class teacher, counsellor, safety leader
    "screening.peersurvey.view": (SURVEY_READERS, "看同学关系问卷及分析"),
    "screening.peersurvey.change": (SURVEY_READERS, "发起、结束同学关系问卷，打印答题码"),
    "screening.surveyresponse.view": (SURVEY_READERS, "看学生问卷答卷与同伴提名"),
    # registers (R-SCR-2, R-SCR-3)
    "screening.vulnerabilitycategory.view": (
        STUDENT_READERS | COUNTY_WATCH | {R.BUREAU_ADMIN},
        "看弱势学生类别",
    ),
    "screening.vulnerabilitycategory.change": (
        frozenset({R.BUREAU_ADMIN, R.BUREAU_SAFETY}),
        "配置全县弱势学生类别",
    ),
    "screening.vulnerabilityentry.view": (STUDENT_READERS, "看弱势学生台账（班主任限本班）"),
    "screening.vulnerabilityentry.change": (
        frozenset({R.SAFETY_LEADER, R.MIDDLE_MANAGER, R.CLASS_TEACHER, R.COUNSELLOR}),
        "登记、移出弱势学生",
    ),
    "screening.vulnerabilityentry.export": (SCHOOL_MANAGERS | {R.COUNSELLOR}, "导出弱势学生台账"),
    "screening.tendencyentry.view": (STUDENT_READERS, "看欺凌倾向台账（班主任限本班）"),
    "screening.tendencyentry.change": (
        frozenset({R.SAFETY_LEADER, R.MIDDLE_MANAGER}),
        "列入、复核、移出欺凌倾向学生",
    ),
    "screening.tendencyentry.export": (SCHOOL_MANAGERS | {R.COUNSELLOR}, "导出欺凌倾向台账"),
    # risk (R-SCR-4)
    "screening.riskstate.view": (STUDENT_READERS, "看学生风险等级、原因与变化（班主任限本班）"),
    "screening.riskstate.export": (SCHOOL_MANAGERS | {R.COUNSELLOR}, "导出学生风险等级"),
    # de-identified figures for the bureau and supervisors (LAW 19)
    "screening.counts.view": (
        COUNTY_WATCH | SCHOOL_MANAGERS | {R.COUNSELLOR},
        "看各校台账人数统计（不含姓名）",
    ),
    "screening.counts.export": (COUNTY_WATCH | SCHOOL_MANAGERS, "导出各校台账人数统计"),
    # hazard points and monitoring (R-SCR-5, R-SCR-6)
    "screening.hazardpoint.view": (SCHOOL_STAFF | COUNTY_WATCH, "看隐患点与防范措施"),
    "screening.hazardpoint.change": (SCHOOL_MANAGERS, "登记隐患点，制定人防、物防、技防措施"),
    "screening.hazardpoint.export": (SCHOOL_MANAGERS | COUNTY_WATCH, "导出隐患点台账"),
    "screening.camera.view": (SCHOOL_MANAGERS | COUNTY_WATCH | {R.SECURITY_STAFF}, "看监控区域与摄像头"),
    "screening.camera.change": (SCHOOL_MANAGERS, "维护监控区域与摄像头"),
    "screening.dutyshift.view": (SCHOOL_MANAGERS | {R.SECURITY_STAFF}, "看重点时段值守排班"),
    "screening.dutyshift.change": (SCHOOL_MANAGERS, "安排重点时段值守人员"),
    "screening.dutylog.view": (SCHOOL_MANAGERS | {R.SECURITY_STAFF}, "看监控值守记录"),
    "screening.dutylog.change": (SCHOOL_MANAGERS | {R.SECURITY_STAFF}, "填写值守记录，标记苗头"),
    # problems and rectification (R-SCR-7)
    "screening.rectification.view": (SCHOOL_MANAGERS | COUNTY_WATCH, "看问题整改台账"),
    "screening.rectification.change": (SCHOOL_MANAGERS, "登记问题与整改措施，跟踪到完成"),
    "screening.rectification.export": (SCHOOL_MANAGERS | COUNTY_WATCH, "导出问题整改台账"),
}
