"""This app's rights, merged into anxin.core.policy.PERMISSIONS (same shape:
``"<app>.<model>.<action>": (frozenset of roles, "中文说明")``).

ROLES.md: a class teacher sees and logs the care of their own class; the counsellor runs
counselling; the safety leader sees everything of the school, counselling notes included; the
principal and the middle manager see plans and logs but never counselling notes; the bureau sees
counts only (care.careplan.stats)."""

from anxin.core.roles import Role as R

MANAGERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER})
CARE_READERS = MANAGERS | {R.CLASS_TEACHER, R.COUNSELLOR}
CARE_LOGGERS = MANAGERS | {R.CLASS_TEACHER, R.COUNSELLOR}
MECHANISM_EDITORS = MANAGERS | {R.CLASS_TEACHER}

PERMISSIONS: dict = {
    "care.careplan.view": (CARE_READERS, "看关爱帮扶与重点盯防计划（班主任限本班）"),
    "care.careplan.change": (MANAGERS | {R.COUNSELLOR}, "建立、调整、结束关爱计划"),
    "care.careplan.export": (MANAGERS, "导出关爱帮扶台账"),
    "care.careplan.stats": (
        frozenset({R.BUREAU_SAFETY, R.SUPERVISOR}) | MANAGERS,
        "看关爱帮扶分校统计（县级只看数字，不看姓名）",
    ),
    "care.contactlog.view": (CARE_READERS, "看谈心谈话、家访等联系记录"),
    "care.contactlog.change": (CARE_LOGGERS, "记录谈心谈话、家访、家校联系"),
    "care.interventiontask.view": (CARE_READERS, "看干预任务"),
    "care.interventiontask.change": (CARE_LOGGERS, "处理干预任务、填写处理结果"),
    "care.counsellingsession.view": (CARE_READERS, "看心理辅导开展情况（时间、心理教师，不含记录内容）"),
    "care.counsellingsession.change": (frozenset({R.COUNSELLOR, R.SAFETY_LEADER}), "记录心理辅导"),
    "care.counsellingsession.notes": (
        frozenset({R.COUNSELLOR, R.SAFETY_LEADER}),
        "阅读心理辅导记录内容（保密，每次阅读记入审计）",
    ),
    "care.peerpair.view": (CARE_READERS, "看同学互助结对"),
    "care.peerpair.change": (MECHANISM_EDITORS, "设置同学互助结对"),
    "care.contactteacher.view": (CARE_READERS, "看师生联系（每名学生的联系教师）"),
    "care.contactteacher.change": (MECHANISM_EDITORS, "指定学生的联系教师"),
}
