"""This app's rights, merged into anxin.core.policy.PERMISSIONS.

The dashboards show counts, never names. A figure links to the register that lists what it
counts only for those who may read that register; the others see counts only, small cells
suppressed where a count could point at a child (ROLES.md: the bureau sees de-identified counts
by school)."""

from anxin.core.roles import Role as R

BUREAU = frozenset({R.BUREAU_SAFETY, R.SUPERVISOR})
LEADERS = frozenset({R.PRINCIPAL, R.SAFETY_LEADER, R.MIDDLE_MANAGER})

PERMISSIONS: dict = {
    "dashboards.county.view": (BUREAU, "看全县统计看板（各校、各月、各类的数字与图表）"),
    "dashboards.school.view": (BUREAU | LEADERS, "看学校统计看板（到年级、班级的数字与图表）"),
    "dashboards.week.view": (LEADERS, "看本校“本周”：到期事项、等级变化、本周新收"),
    "dashboards.returns.export": (BUREAU, "导出统计报表（Excel）和月度/学期报告（Word）"),
}
