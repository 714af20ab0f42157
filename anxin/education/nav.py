"""This app's menu entries, merged into anxin.core.nav.NAV (section "教育培训")."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import FRONTLINE, NavItem

S = _("教育培训")

NAV: list = [
    NavItem(S, _("教育培训活动"), "education:activity_list", ("education.activity.view",)),
    NavItem(S, _("培训与班会覆盖"), "education:coverage", ("education.activity.coverage",)),
    NavItem(S, _("年度考评"), "education:evaluation", ("education.eligibilityoverride.view",)),
    NavItem(S, _("我的工作记录"), "education:my_record", ("education.activity.checkin",)),
    NavItem(
        S, _("教育培训设置"), "education:settings", ("education.educationsetting.change",), hide_for=FRONTLINE
    ),
]
