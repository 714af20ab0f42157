"""This app's menu entries, merged into anxin.core.nav.NAV."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import NavItem

SECTION = _("关爱与干预")

NAV: list = [
    NavItem(SECTION, _("关爱对象"), "care:plan_list", ("care.careplan.view",)),
    NavItem(SECTION, _("干预任务"), "care:task_list", ("care.interventiontask.view",)),
    NavItem(SECTION, _("心理辅导"), "care:session_list", ("care.counsellingsession.view",)),
    NavItem(SECTION, _("师生联系与家校互通"), "care:mechanisms", ("care.contactteacher.view",)),
    NavItem(SECTION, _("关爱帮扶统计"), "care:stats", ("care.careplan.stats",)),
]
