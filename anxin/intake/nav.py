"""This app's menu entries, merged into anxin.core.nav.NAV (section "举报与求助")."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import NavItem

SECTION = _("举报与求助")

NAV: list = [
    NavItem(SECTION, _("举报受理"), "intake:inbox", ("intake.report.view",)),
    NavItem(SECTION, _("紧急求救"), "intake:emergency_list", ("intake.emergencyrequest.view",)),
    NavItem(SECTION, _("反映情况"), "intake:concern_new", ("intake.concern.add",)),
    NavItem(SECTION, _("登记来电来访"), "intake:intake_new", ("intake.report.record",)),
    NavItem(SECTION, _("我登记的"), "intake:mine", ("intake.report.record", "intake.concern.add")),
    NavItem(SECTION, _("值班安排"), "intake:duty", ("intake.dutyleader.view",)),
    NavItem(SECTION, _("各校举报受理情况"), "intake:county", ("intake.report.stats",)),
    NavItem(SECTION, _("县级收件箱"), "intake:county_inbox", ("intake.report.county_inbox",)),
    NavItem(SECTION, _("宣传海报"), "intake:posters", ("intake.poster.view",)),
]
