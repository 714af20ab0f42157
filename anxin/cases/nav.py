"""This app's menu entries, merged into anxin.core.nav.NAV (section "欺凌事件")."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import NavItem

S = _("欺凌事件")
NAV: list = [
    NavItem(S, _("事件台账"), "cases:case_list", ("cases.bullyingcase.register", "cases.bullyingcase.view")),
    NavItem(S, _("登记事件"), "cases:case_new", ("cases.bullyingcase.open",)),
    NavItem(
        S,
        _("向教体局报告"),
        "cases:report_list",
        ("cases.bullyingcase.acknowledge", "cases.bullyingcase.report_draft"),
    ),
    NavItem(S, _("学生欺凌治理委员会"), "cases:committee", ("cases.committee.view",)),
    NavItem(S, _("节假日与调休"), "cases:holidays", ("cases.holiday.view",)),
    NavItem(S, _("本县法定参数"), "cases:legal_params", ("cases.legalparameterversion.view",)),
]
