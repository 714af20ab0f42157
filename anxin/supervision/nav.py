"""This app's menu entries, merged into anxin.core.nav.NAV (section "督导检查")."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import FRONTLINE, NavItem

S = _("督导检查")

NAV: list = [
    NavItem(S, _("督导检查"), "supervision:visit_list", ("supervision.visit.view",), hide_for=FRONTLINE),
    NavItem(
        S,
        _("整改事项"),
        "supervision:rectification_list",
        ("supervision.rectificationitem.view",),
        hide_for=FRONTLINE,
    ),
    NavItem(
        S,
        _("联合检查"),
        "supervision:inspection_list",
        ("supervision.inspection.view", "supervision.inspection.join"),
        hide_for=FRONTLINE,
    ),
    NavItem(
        S,
        _("联动转介"),
        "supervision:referral_list",
        ("supervision.referral.view", "supervision.referral.respond"),
        hide_for=FRONTLINE,
    ),
    NavItem(
        S, _("联动单位"), "supervision:partner_list", ("supervision.partnerunit.view",), hide_for=FRONTLINE
    ),
    NavItem(
        S,
        _("督导检查清单"),
        "supervision:checklist",
        ("supervision.checklistitem.change",),
        hide_for=FRONTLINE,
    ),
]
