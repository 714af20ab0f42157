"""This app's menu entries, merged into anxin.core.nav.NAV."""

from django.utils.translation import gettext_lazy as _

from anxin.core.nav import TEACHERS, NavItem

S = _("监督与问责")

NAV: list = [
    NavItem(S, _("我的监督岗"), "oversight:my_posts", ("oversight.observation.change",)),
    NavItem(S, _("监督岗"), "oversight:post_list", ("oversight.post.view",), hide_for=TEACHERS),
    NavItem(S, _("监督岗记录"), "oversight:observation_list", ("oversight.observation.view",)),
    NavItem(S, _("通报约谈名单"), "oversight:accountability", ("oversight.accountability.view",)),
    NavItem(S, _("问责措施"), "oversight:action_list", ("oversight.action.view",)),
]
