"""This app's menu entries, merged into anxin.core.nav.NAV (section "专项治理")."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import FRONTLINE, NavItem

S = _("专项治理")

NAV: list = [
    NavItem(S, _("各校情况"), "governance:board", ("governance.governancesetting.view",)),
    NavItem(S, _("学校自查"), "governance:selfcheck_list", ("governance.selfcheck.view",)),
    NavItem(S, _("制度文件"), "governance:documents", ("governance.documentversion.view",)),
    NavItem(S, _("工作方案"), "governance:workplan", ("governance.documentversion.view",)),
    NavItem(S, _("领导小组"), "governance:leading_group", ("governance.documentversion.view",)),
    NavItem(S, _("举一反三"), "governance:improvement_list", ("governance.improvement.view",)),
    NavItem(S, _("案例警示"), "governance:lesson_list", ("governance.lesson.view",)),
    NavItem(
        S, _("自查清单"), "governance:checklist", ("governance.checklistitem.change",), hide_for=FRONTLINE
    ),
]
