"""The roster API: same scope as the pages, no sensitive fields, bounded queries (R-Q-3)."""

from anxin.core.testing import make_student
from anxin.roster import services
from anxin.roster.tests.helpers import make_id, student_row, upload, xlsx_bytes

STUDENTS = "/api/v1/students/"
GUARDIANS = "/api/v1/guardians/"
IMPORTS = "/api/v1/imports/"


def test_class_teacher_sees_only_own_class_in_api(world, as_user):
    c = as_user(world.user["class_teacher"])
    data = c.get(STUDENTS).json()
    assert [s["id"] for s in data["results"]] == [world.student_own.pk]
    assert c.get(f"{STUDENTS}{world.student_other_class.pk}/").status_code == 404
    assert c.get(f"{STUDENTS}{world.student_own.pk}/").status_code == 200


def test_api_never_carries_id_number_or_health(world, as_user):
    s = world.student_own
    s.id_number = make_id(1)
    s.health = "有慢性病"
    s.save()
    c = as_user(world.user["principal"])
    listed = c.get(STUDENTS).content.decode()
    one = c.get(f"{STUDENTS}{s.pk}/")
    assert one.status_code == 200
    for body in (listed, one.content.decode()):
        assert s.id_number not in body and "id_number" not in body and "health" not in body
    assert one.json()["klass_name"] == "初一1班"


def test_api_gives_name_and_class_only_without_the_detail_permission(world, as_user):
    c = as_user(world.user["subject_teacher"])
    data = c.get(f"{STUDENTS}{world.student_own.pk}/").json()
    assert data["name"] == world.student_own.name and "birth_date" not in data and "address" not in data
    assert (
        "birth_date" in as_user(world.user["class_teacher"]).get(f"{STUDENTS}{world.student_own.pk}/").json()
    )


def test_api_student_filter_is_the_pages(world, as_user):
    c = as_user(world.user["principal"])
    data = c.get(STUDENTS, {"klass": world.class_a1_2.pk}).json()
    assert [s["id"] for s in data["results"]] == [world.student_other_class.pk]
    data = c.get(STUDENTS, {"q": world.student_own.name}).json()
    assert [s["id"] for s in data["results"]] == [world.student_own.pk]


def test_guardians_need_the_detail_permission(world, as_user):
    assert as_user(world.user["subject_teacher"]).get(GUARDIANS).status_code == 403
    c = as_user(world.user["class_teacher"])
    data = c.get(GUARDIANS).json()
    assert {g["student"] for g in data["results"]} == {world.student_own.pk}
    other = world.student_other_class.guardians.get()
    assert c.get(f"{GUARDIANS}{other.pk}/").status_code == 404


def test_api_lists_run_a_bounded_number_of_queries(world, as_user, django_assert_max_num_queries):
    c = as_user(world.user["principal"])
    c.get(STUDENTS)
    with django_assert_max_num_queries(24) as few:  # incl. the guardians' audited read
        c.get(STUDENTS)
        c.get(GUARDIANS)
    for n in range(30):
        make_student(world.class_a1_1, f"学生{n}", 200 + n)
    with django_assert_max_num_queries(len(few.captured_queries)):
        students = c.get(STUDENTS).json()
        guardians = c.get(GUARDIANS).json()
    assert students["count"] == 32 and guardians["count"] == 32


def test_imports_api_is_scoped_and_hides_passwords(world, as_user):
    principal = world.user["principal"]
    ri = services.validate_upload(upload(xlsx_bytes([student_row(10)])), world.school_a1, principal, False)
    ri.result = {**ri.result, "secret": "x"}
    ri.save()
    c = as_user(principal)
    data = c.get(IMPORTS).json()
    assert [i["id"] for i in data["results"]] == [ri.pk] and "secret" not in data["results"][0]["result"]
    assert as_user(world.user_b["safety_leader"]).get(IMPORTS).json()["count"] == 0
    assert as_user(world.user["class_teacher"]).get(IMPORTS).status_code == 403
    assert as_user(world.user["bureau_admin"]).get(IMPORTS).status_code == 403  # staff imports: pages only
