"""This app's menu entries, merged into anxin.core.nav.NAV."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import FRONTLINE, NavItem

SECTION = _("专项行动")

NAV: list = [
    NavItem(
        SECTION,
        _("本校专项行动任务"),
        "campaigns:school_tasks",
        ("campaigns.taskprogress.change",),
        hide_for=FRONTLINE,
    ),
    NavItem(SECTION, _("专项行动"), "campaigns:list", ("campaigns.campaign.view",), hide_for=FRONTLINE),
    NavItem(
        SECTION, _("经验材料"), "campaigns:article_list", ("campaigns.article.view",), hide_for=FRONTLINE
    ),
]
