"""Duties on 工作台: the planned visit is its supervisor's; an open or returned rectification is
the school's safety leader's; a reported one is the visit's supervisor's to verify; a referral
awaits its recipient (or, with no account at the unit, the referrer)."""

from anxin.core import clock, duties
from anxin.core.roles import Role
from anxin.supervision import services
from anxin.supervision.models import PartnerUnit
from anxin.supervision.tests.conftest import in_days, pdf_upload


def _mine(user, kind):
    return [d for d in duties.duties_for(user, clock.now()) if d.kind == kind and d.is_mine(user)]


def test_visit_rectification_and_verification_duties(world, sup, leader, visit):
    assert [d.url for d in _mine(sup, "supervision.visit")] == [f"/supervision/visits/{visit.pk}/"]
    r = services.raise_rectification(sup, visit, problem="监控盲区", requirement="补装", due_date=in_days(3))
    (d,) = _mine(leader, "supervision.rectification")
    assert d.due == r.due_date and d.post == Role.SAFETY_LEADER
    assert not _mine(world.user[Role.PRINCIPAL], "supervision.rectification")
    assert not _mine(world.user_b[Role.SAFETY_LEADER], "supervision.rectification")
    services.add_evidence(leader, r, pdf_upload())
    services.submit_response(leader, r, action_taken="已补装")
    assert not _mine(leader, "supervision.rectification")
    (v,) = _mine(sup, "supervision.verify")
    assert "核验" in v.title
    services.review(sup, r, accept=False, note="仍有盲区")
    assert "退回" in _mine(leader, "supervision.rectification")[0].title
    assert not _mine(sup, "supervision.verify")


def test_referral_duty_goes_to_the_recipient_or_the_referrer(world, leader):
    bureau = world.user[Role.BUREAU_SAFETY]
    legal = world.user[Role.LEGAL_VP]
    unit = PartnerUnit.objects.create(county=world.county_a, kind="court", name="贺兰县人民法院")
    contact = services.save_contact(bureau, unit, {"name": "法治副校长", "user": legal})
    data = {
        "unit": unit,
        "reason": "legal",
        "details": "需要警示教育",
        "request": "到校开展警示教育",
        "respond_by": in_days(7),
    }
    r1 = services.refer(leader, world.school_a1, {**data, "contact": contact})
    r2 = services.refer(leader, world.school_a1, data)
    assert [d.ref for d in _mine(legal, "supervision.referral")] == [f"supervision.referral:{r1.pk}"]
    assert [d.ref for d in _mine(leader, "supervision.referral")] == [f"supervision.referral:{r2.pk}"]
    services.record_outcome(legal, r1, outcome="已到校开展警示教育")
    assert not _mine(legal, "supervision.referral")


def test_providers_run_a_fixed_number_of_queries(world, sup, leader, visit, django_assert_max_num_queries):
    from anxin.supervision import duties as d

    for _ in range(3):
        services.raise_rectification(sup, visit, problem="问题", requirement="要求", due_date=in_days(3))
    for provider, user in (
        (d.visits, sup),
        (d.rectifications, leader),
        (d.verifications, sup),
        (d.referrals, leader),
    ):
        list(provider(user, clock.now()))  # policy cache
        with django_assert_max_num_queries(1):
            list(provider(user, clock.now()))
