"""Duties on 工作台: a self-check in progress and an open 举一反三 belong to the safety leader's
post; an assigned lesson to the member of staff until studied."""

from anxin.core import clock, duties
from anxin.core.roles import Role
from anxin.governance import services
from anxin.governance.models import Answer


def _kinds(user):
    return [d for d in duties.duties_for(user, clock.now()) if d.kind.startswith("governance.")]


def test_selfcheck_in_progress_is_the_safety_leaders_until_submitted(world, leader, principal):
    sc = services.start_selfcheck(principal, world.school_a1, period="春季")
    (d,) = [d for d in _kinds(leader) if d.kind == "governance.selfcheck"]
    assert d.is_mine(leader) and not d.is_mine(principal) and "春季" in d.title
    assert not [d for d in _kinds(world.user_b[Role.SAFETY_LEADER]) if d.kind == "governance.selfcheck"]
    services.save_answers(leader, sc, {a.pk: (Answer.YES, "") for a in sc.answers.all()})
    services.submit_selfcheck(leader, sc)
    assert not [d for d in _kinds(leader) if d.kind == "governance.selfcheck"]


def test_providers_run_a_fixed_number_of_queries(world, leader, django_assert_max_num_queries):
    from anxin.governance import duties as gov_duties

    for provider in (gov_duties.improvements, gov_duties.lessons, gov_duties.selfchecks):
        list(provider(leader, clock.now()))  # policy cache
        with django_assert_max_num_queries(1):
            list(provider(leader, clock.now()))
