"""List pages cost the same whatever the number of rows."""

from django.urls import reverse

from anxin.core.testing import make_school
from anxin.governance import services
from anxin.governance.models import DocKind, Improvement


def _count(client, url, django_assert_max_num_queries, limit):
    client.get(url)  # warm the session and the checklist
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


def test_lists_have_a_fixed_number_of_queries(
    world, leader, bureau, closed_case, as_user, django_assert_max_num_queries
):
    for i in range(6):
        make_school(world.county_a, f"学校{i}", f"27770000{i:02d}")
    for i in range(3):
        lesson = services.save_lesson(
            bureau, world.county_a.pk, {"title": f"案例{i}", "summary": "经过", "lessons": "教训"}
        )
        services.publish_lesson(bureau, lesson)
    sc = services.start_selfcheck(leader, world.school_a1, period="春季")
    for _ in range(3):
        services.raise_improvement(
            leader, source=Improvement.Source.CASE, obj=closed_case, document=DocKind.RULES,
            cause="原因", parent_communication="已沟通", change="完善",
        )  # fmt: skip
    c = as_user(leader)
    for name in ("governance:selfcheck_list", "governance:improvement_list", "governance:lesson_list"):
        _count(c, reverse(name), django_assert_max_num_queries, 16)
    _count(c, reverse("governance:selfcheck_detail", args=[sc.pk]), django_assert_max_num_queries, 16)
    b = as_user(bureau)
    _count(b, reverse("governance:board"), django_assert_max_num_queries, 20)
    _count(b, reverse("governance:lesson_list"), django_assert_max_num_queries, 16)
