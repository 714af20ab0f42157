"""The demo county gets supervision data through the services."""

import random

from anxin.core.roles import Role
from anxin.core.testing import make_user
from anxin.supervision.demo import load_supervision
from anxin.supervision.models import Inspection, PartnerUnit, RectificationItem, Referral, Visit


def test_load_supervision(world):
    a = world.county_a
    make_user("demo_safety", a, Role.BUREAU_SAFETY)
    sup = make_user("demo_supervisor", a, Role.SUPERVISOR, world.school_a1)
    from anxin.accounts.models import Membership

    Membership.objects.create(
        user=sup, role=Role.SUPERVISOR, county=a, school=world.school_a2, started_on="2024-01-01"
    )
    make_user("l_a2", a, Role.SAFETY_LEADER, world.school_a2)
    make_user("demo_police", a, Role.PARTNER_LIAISON)
    counts = load_supervision(a, random.Random(7))
    assert PartnerUnit.objects.filter(county=a).count() == 8 == counts["units"]
    assert Visit.objects.filter(inspection__isnull=True, status="done").count() == 2
    states = set(RectificationItem.objects.values_list("status", flat=True))
    assert states == {"open", "submitted", "returned", "verified"}
    insp = Inspection.objects.get()
    assert insp.visits.count() == 2  # the county's two schools
    assert insp.team.filter(user__username="demo_police").exists()
    assert Referral.objects.count() == 2
    assert set(Referral.objects.values_list("status", flat=True)) == {"received", "closed"}
