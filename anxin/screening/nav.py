"""This app's menu entries, merged into anxin.core.nav.NAV (section "排查与风险")."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import TEACHERS, NavItem

S = _("排查与风险")

NAV: list = [
    NavItem(
        S,
        _("概览"),
        "screening:home",
        (
            "screening.screeninground.view",
            "screening.riskstate.view",
            "screening.counts.view",
            "screening.hazardpoint.view",
            "screening.dutylog.view",
            "screening.rectification.view",
        ),
    ),
    NavItem(S, _("排查轮次"), "screening:round_list", ("screening.screeninground.view",)),
    NavItem(S, _("同学关系问卷"), "screening:survey_list", ("screening.peersurvey.view",)),
    NavItem(S, _("学生风险等级"), "screening:risk_list", ("screening.riskstate.view",)),
    NavItem(S, _("弱势学生台账"), "screening:vulnerable_list", ("screening.vulnerabilityentry.view",)),
    NavItem(S, _("欺凌倾向台账"), "screening:tendency_list", ("screening.tendencyentry.view",)),
    NavItem(S, _("各校台账统计"), "screening:counts", ("screening.counts.view",)),
    NavItem(S, _("隐患点台账"), "screening:hazard_list", ("screening.hazardpoint.view",), hide_for=TEACHERS),
    NavItem(S, _("监控与值守"), "screening:shift_list", ("screening.dutyshift.view",)),
    NavItem(S, _("值守记录"), "screening:dutylog_list", ("screening.dutylog.view",)),
    NavItem(S, _("监控摄像头"), "screening:camera_list", ("screening.camera.view",), hide_for=TEACHERS),
    NavItem(S, _("问题整改"), "screening:rectification_list", ("screening.rectification.view",)),
    NavItem(S, _("弱势类别设置"), "screening:category_list", ("screening.vulnerabilitycategory.change",)),
]
