"""This app's menu entries, merged into anxin.core.nav.NAV."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import FRONTLINE, NavItem

SECTION = _("统计分析")

NAV: list = [
    NavItem(SECTION, _("全县统计看板"), "dashboards:county", ("dashboards.county.view",), hide_for=FRONTLINE),
    NavItem(
        SECTION, _("学校统计看板"), "dashboards:school_home", ("dashboards.school.view",), hide_for=FRONTLINE
    ),
    NavItem(SECTION, _("地区概览"), "dashboards:region", (), audience="region"),
    NavItem(SECTION, _("本周"), "dashboards:week", ("dashboards.week.view",), hide_for=FRONTLINE),
]
