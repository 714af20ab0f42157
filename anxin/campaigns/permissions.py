"""This app's rights, merged into anxin.core.policy.PERMISSIONS.

The bureau's safety office (安全股/综合办) sets up campaigns, reviews what schools report and
compiles the booklet; the school's leaders see their school's tasks and report on them and
write the school's experience articles; the responsible supervisor (督学) reads along."""

from anxin.core.roles import Role as R

LEADERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER})
BUREAU = frozenset({R.BUREAU_SAFETY})
READERS = BUREAU | LEADERS | {R.SUPERVISOR}

PERMISSIONS: dict = {
    "campaigns.campaign.view": (READERS, "看专项行动的阶段、任务与完成情况"),
    "campaigns.campaign.change": (BUREAU, "建立和调整专项行动（阶段、期限、任务）"),
    "campaigns.campaign.export": (BUREAU | {R.SUPERVISOR}, "导出专项行动进度表"),
    "campaigns.taskprogress.view": (READERS, "看学校上报的任务完成情况与材料"),
    "campaigns.taskprogress.change": (LEADERS, "上报本校专项行动任务完成情况"),
    "campaigns.taskprogress.review": (BUREAU, "退回学校上报的任务材料"),
    "campaigns.article.view": (READERS, "看经验材料"),
    "campaigns.article.change": (LEADERS, "撰写、提交本校经验材料"),
    "campaigns.article.review": (BUREAU, "审核经验材料（退回、采用）并汇编成册"),
    "campaigns.article.export": (READERS, "导出经验材料台账"),
}
