"""List pages run a bounded number of queries whatever the number of rows (GUIDE principle 7)."""

import pytest

from anxin.care import services
from anxin.core.testing import make_student

LIST_MAX = 14  # measured 9–13, the same for 4 rows and for 24
DETAIL_MAX = 26  # class mechanisms 24, plan timeline 20 (session, policy, audit chain)
LISTS = [
    "/care/",
    "/care/?format=xlsx",
    "/care/tasks/",
    "/care/counselling/",
    "/care/mechanisms/",
    "/care/stats/",
    "/api/v1/care-plans/",
    "/api/v1/care-contacts/",
    "/api/v1/care-tasks/",
    "/api/v1/counselling-sessions/",
]


def _fill(world, leader, teacher, counsellor, n):
    for i in range(n):
        klass = world.class_a1_1 if i % 2 == 0 else world.class_a1_2
        st = make_student(klass, f"学生{i}", 100 + i)
        plan = services.create_plan(leader, st, level=("red", "orange", "yellow")[i % 3])
        services.log_contact(leader, plan=plan, summary="谈话", anomaly=i % 4 == 0, anomaly_note="异常")
        services.record_counselling(counsellor, student=st, notes="记录")
        services.set_contact_teacher(leader, st, teacher)


@pytest.mark.parametrize("n", [4, 24])
@pytest.mark.django_db
def test_list_pages_have_bounded_queries(
    world, leader, teacher, counsellor, as_user, django_assert_max_num_queries, n
):
    _fill(world, leader, teacher, counsellor, n)
    c = as_user(leader)
    for url in LISTS:
        with django_assert_max_num_queries(LIST_MAX):
            assert c.get(url).status_code == 200, url


@pytest.mark.parametrize("n", [4, 24])
@pytest.mark.django_db
def test_class_and_plan_pages_have_bounded_queries(
    world, leader, teacher, counsellor, as_user, django_assert_max_num_queries, n
):
    _fill(world, leader, teacher, counsellor, n)
    c = as_user(leader)
    plan = world.class_a1_1.students.first().care_plans.first()
    with django_assert_max_num_queries(DETAIL_MAX):
        assert c.get(f"/care/mechanisms/class/{world.class_a1_1.pk}/").status_code == 200
    with django_assert_max_num_queries(DETAIL_MAX):
        assert c.get(f"/care/plans/{plan.pk}/").status_code == 200


@pytest.mark.django_db
def test_care_list_reads_its_rows_as_values(world, leader, teacher, counsellor, as_user, monkeypatch):
    """关爱对象 is the class teacher's phone page: its rows are read as values, no plan,
    student or owner object per row, and still say who, which class and what to do."""
    from anxin.care.models import CarePlan
    from anxin.roster.models import Student

    _fill(world, leader, teacher, counsellor, 3)
    plan = CarePlan.objects.select_related("student__klass__grade").order_by("pk").first()
    c = as_user(leader)

    def no_instances(*args, **kwargs):
        raise AssertionError("the list built an object for a row")

    for model in (CarePlan, Student):
        monkeypatch.setattr(model, "from_db", classmethod(no_instances))
    html = c.get("/care/").content.decode()
    assert f'href="/care/plans/{plan.pk}/">{plan.student.name}</a>' in html
    assert f'data-label="班级">{plan.student.klass.grade.name}{plan.student.klass.name}</td>' in html
    assert f'href="/care/plans/{plan.pk}/log/">记录谈话</a>' in html
    assert f'data-label="责任人">{plan.owner}</td>' in html


@pytest.mark.django_db
def test_care_plan_api_rows_are_drf_own(world, leader, teacher, counsellor):
    """The care plans' serializer reads its columns directly (``core.api.PlainRows``) and gives
    what DRF's own ``to_representation`` gives: open and closed plans, empty dates, ids."""
    from anxin.care.api import CarePlanSerializer
    from anxin.care.models import CarePlan
    from anxin.core.testing import assert_plain_rows_match_drf

    _fill(world, leader, teacher, counsellor, 3)
    services.close_plan(leader, CarePlan.objects.order_by("pk").first(), note="已好转")
    plans = list(CarePlan.objects.select_related("student", "owner").order_by("pk"))
    rows = assert_plain_rows_match_drf(CarePlanSerializer, plans)
    assert {r["status"] for r in rows} == {"active", "closed"} and None in {r["closed_on"] for r in rows}
