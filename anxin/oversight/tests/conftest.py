import datetime as dt
import itertools

import pytest

from anxin.core import audit, clock
from anxin.core.roles import Role

_seq = itertools.count(1)


@pytest.fixture(autouse=True)
def _no_leaked_audit_context():
    yield
    audit.set_context(None)


@pytest.fixture
def leader(world):
    return world.user[Role.SAFETY_LEADER]


@pytest.fixture
def teacher(world):
    return world.user[Role.CLASS_TEACHER]


@pytest.fixture
def bureau(world):
    return world.user[Role.BUREAU_SAFETY]


@pytest.fixture
def hazard(world, leader):
    from anxin.screening.models import HazardPoint

    return HazardPoint.objects.create(
        county=world.county_a, school=world.school_a1, name="教学楼东侧楼梯口", kind="stairs", owner=leader
    )


@pytest.fixture
def post(world, leader, hazard):
    from anxin.oversight import services

    return services.save_post(
        by=leader, school=world.school_a1, data={"name": "东楼梯监督岗", "hazard": hazard}
    )


def shift_for(post, leader, staff, weekday=None, start=dt.time(0, 0), end=dt.time(23, 59), officer=None):
    from anxin.oversight import services

    weekday = weekday or clock.local_now().isoweekday()
    return services.save_shift(
        by=leader,
        post=post,
        data={"weekday": weekday, "start_time": start, "end_time": end, "staff": staff, "officer": officer},
    )


def make_case(school, by, *, klass_students=(), bullies=(), result="minor", is_bullying=True, days_ago=10):
    """A case row with its student parties, as the cases app leaves it after a determination
    (fixture data; the workflow itself is the cases app's to test)."""
    from anxin.cases.models import BullyingCase, CaseParty

    n = next(_seq)
    case = BullyingCase.objects.create(
        county_id=school.county_id,
        school=school,
        number=f"T-{school.pk}-{n:04d}",
        source="staff",
        opened_by=by,
        discovered_at=clock.now() - dt.timedelta(days=days_ago),
        result=result if is_bullying else "dispute",
        is_bullying=is_bullying,
    )
    for st in klass_students:
        CaseParty.objects.create(
            county_id=school.county_id, school=school, case=case, role="victim", student=st, added_by=by
        )
    for st in bullies:
        CaseParty.objects.create(
            county_id=school.county_id,
            school=school,
            case=case,
            role="alleged_bully",
            student=st,
            added_by=by,
        )
    return case
