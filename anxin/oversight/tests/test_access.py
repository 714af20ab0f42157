"""Every role against this app's pages: a page answers 200 exactly when the policy gives the
role its right (deny by default), and objects of another school or county are not found."""

import pytest
from django.urls import reverse

from anxin.core import policy
from anxin.core.roles import Role

pytestmark = pytest.mark.django_db

PAGES = {
    "oversight:post_list": "oversight.post.view",
    "oversight:my_posts": "oversight.observation.change",
    "oversight:observation_list": "oversight.observation.view",
    "oversight:accountability": "oversight.accountability.view",
    "oversight:action_list": "oversight.action.view",
    "oversight:settings": "oversight.accountabilitysetting.change",
}


def test_each_role_gets_exactly_its_pages(world, as_user):
    for role in Role.values:
        user = world.user[role]
        c = as_user(user)
        for name, perm in PAGES.items():
            status = c.get(reverse(name)).status_code
            expected = 200 if policy.can(user, perm) else 403
            assert status == expected, (role, name, status)


def test_objects_outside_scope_are_not_found(world, leader, post, as_user):
    for user in (world.user_b[Role.SAFETY_LEADER], world.user_b[Role.BUREAU_SAFETY]):
        c = as_user(user)
        for name in (
            "oversight:post_detail",
            "oversight:post_edit",
            "oversight:shift_create",
            "oversight:observe",
        ):
            assert c.get(reverse(name, args=[post.pk])).status_code == 404, (user, name)
    assert as_user(world.outsider).get(reverse("oversight:post_list")).status_code == 403
