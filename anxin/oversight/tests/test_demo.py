import random

import pytest

from anxin.core import clock, duties
from anxin.core.roles import Role
from anxin.oversight.demo import load_oversight
from anxin.oversight.models import Action, Observation, Post
from anxin.oversight.tests.conftest import make_case

pytestmark = pytest.mark.django_db


def test_demo_posts_observations_and_an_interview(world, leader):
    from anxin.intake.models import Concern
    from anxin.screening.models import HazardPoint

    for school in (world.school_a1, world.school_a2):
        for name in ("东楼梯", "二楼厕所"):
            HazardPoint.objects.create(county=world.county_a, school=school, name=name, kind="stairs")
    for _i in range(4):
        make_case(world.school_a1, world.user[Role.MIDDLE_MANAGER], klass_students=[world.student_own])
    import datetime as dt

    from anxin.core.testing import make_user
    from anxin.org.models import SafetyOfficer

    leader_a2 = make_user("a2_leader", world.county_a, Role.SAFETY_LEADER, world.school_a2)
    SafetyOfficer.objects.create(
        county=world.county_a, school=world.school_a2, klass=world.class_a2_1,
        student=world.student_other_school, appointed_on=dt.date(2026, 9, 1),
    )  # fmt: skip
    teacher = world.user[Role.CLASS_TEACHER]
    counts = load_oversight(
        world.county_a,
        random.Random(1),
        schools=(world.school_a1.name, world.school_a2.name),
        demo_teacher=teacher.username,
    )
    assert counts["posts"] == Post.objects.count() == 6 and counts["flagged"] == 1
    flagged = Observation.objects.get(flagged=True)
    assert flagged.recorded_by == teacher and Concern.objects.filter(pk=flagged.concern_id).exists()
    assert 1 <= counts["list_rows"] <= 6 and Action.objects.get().kind == "interview"
    # the second school has a gap (a Friday with only a student): a duty for its safety leader
    gaps = [d for d in duties.duties_for(leader_a2, clock.now()) if d.kind == "oversight.post_gap"]
    assert len(gaps) == 1 and gaps[0].school_id == world.school_a2.pk
    assert not [d for d in duties.duties_for(leader, clock.now()) if d.kind == "oversight.post_gap"]
