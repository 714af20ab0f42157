"""List pages read a bounded number of queries whatever the number of rows (GUIDE principle 7)."""

import pytest

from anxin.screening import risk, services
from anxin.screening.tests.helpers import fill_class


@pytest.fixture
def busy_school(world):
    students = fill_class(world.class_a1_1, 30)
    cats = services.ensure_categories(world.county_a.pk)
    leader = world.user["safety_leader"]
    for st in students:
        services.add_vulnerability(by=leader, student=st, category=cats["introvert"])
        services.add_tendency(by=leader, student=st, grounds="打人")
    for i in range(15):
        h = services.save_hazard(
            by=leader,
            school=world.school_a1,
            data={"name": f"地点{i}", "kind": "toilet", "owner": world.user["middle_manager"]},
        )
        services.add_measure(by=leader, hazard=h, type="people", description="巡查")
    risk.recompute([s.pk for s in students])
    return world


@pytest.mark.parametrize(
    "url",
    [
        "/screening/vulnerable/",
        "/screening/tendency/",
        "/screening/risk/",
        "/screening/risk/changes/",
        "/screening/hazards/",
        "/screening/hazards/coverage/",
        "/screening/counts/",
        "/screening/",
    ],
)
def test_list_pages_have_bounded_queries(busy_school, as_user, django_assert_max_num_queries, url):
    c = as_user(busy_school.user["safety_leader"])
    c.get(url)
    with django_assert_max_num_queries(20):
        assert c.get(url).status_code == 200
