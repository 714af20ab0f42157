"""The API: same policy and services as the pages."""

from anxin.core import clock
from anxin.core.roles import Role
from anxin.education import checkin as qr
from anxin.education.models import StaffAttendance
from anxin.education.tests.conftest import activity

BASE = "/api/v1/education-activities/"


def test_create_list_classes_and_close(world, mm, as_user):
    c = as_user(mm)
    r = c.post(
        BASE,
        {
            "school": world.school_a1.pk,
            "kind": "class_meeting",
            "title": "主题班会",
            "held_on": clock.today().isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.post(
        f"{BASE}{pk}/classes/",
        {"classes": [{"klass": world.class_a1_1.pk, "students": 40}]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["classes"] == [{"klass": world.class_a1_1.pk, "students": 40}]
    r = c.post(
        f"{BASE}{pk}/classes/", {"classes": [{"klass": world.class_b1_1.pk}]}, content_type="application/json"
    )
    assert r.status_code == 400
    r = c.post(
        BASE,
        {
            "school": world.school_a1.pk,
            "kind": "law",
            "title": "法治课",
            "held_on": clock.today().isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "laws" in r.json()
    assert c.get(BASE).json()["count"] == 1
    assert c.post(f"{BASE}{pk}/close/").json()["status"] == "closed"
    cov = c.get(f"{BASE}coverage/").json()
    assert (
        cov[0]["school"] == world.school_a1.pk
        and {"klass": world.class_a1_1.pk, "held": 1} in cov[0]["classes"]
    )


def test_scoping_and_refusals(world, mm, as_user):
    a = activity(world, mm)
    assert as_user(world.user_b[Role.SAFETY_LEADER]).get(f"{BASE}{a.pk}/").status_code == 404
    t = as_user(world.user[Role.CLASS_TEACHER])
    assert t.get(f"{BASE}{a.pk}/").status_code == 200
    r = t.post(
        BASE,
        {"school": world.school_a1.pk, "kind": "moral", "title": "x", "held_on": clock.today().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert t.post(f"{BASE}{a.pk}/close/").status_code == 403
    assert t.get(f"{BASE}coverage/").status_code == 403


def test_checkin_by_api_records_the_caller(world, mm, teacher, as_user):
    a = activity(world, mm)
    token = qr.room_token(a)
    c = as_user(teacher)
    assert (
        c.post(f"{BASE}{a.pk}/checkin/", {"token": "forged"}, content_type="application/json").status_code
        == 400
    )
    r = c.post(f"{BASE}{a.pk}/checkin/", {"token": token, "user": mm.pk}, content_type="application/json")
    assert r.status_code == 200
    assert list(StaffAttendance.objects.values_list("user_id", flat=True)) == [teacher.pk]
    other = activity(world, mm, title="另一场")
    assert (
        c.post(f"{BASE}{other.pk}/checkin/", {"token": token}, content_type="application/json").status_code
        == 400
    )


def test_evaluation_api(world, principal, teacher, as_user):
    from anxin.care.models import InterventionTask
    from anxin.education.tests.conftest import days_ago

    InterventionTask.objects.create(
        county=world.county_a,
        school=world.school_a1,
        student=world.student_own,
        title="跟进",
        owner=teacher,
        due_on=days_ago(30),
    )
    url = "/api/v1/education-evaluation/"
    got = as_user(principal).get(url, {"school": world.school_a1.pk}).json()
    me = next(r for r in got if r["user"] == teacher.pk)
    assert me["eligible"] is False and me["lapses"][0]["code"] == "overdue_task"
    assert as_user(teacher).get(url, {"school": world.school_a1.pk}).status_code == 403
    assert (
        as_user(world.user_b[Role.SAFETY_LEADER]).get(url, {"school": world.school_a1.pk}).status_code == 404
    )


def test_class_meeting_by_api_for_the_own_class_only(world, teacher, as_user):
    c = as_user(teacher)
    body = {
        "klass": world.class_a1_1.pk,
        "held_on": clock.today().isoformat(),
        "title": "友善相处",
        "present": 40,
    }
    r = c.post(f"{BASE}class-meeting/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "class_meeting" and r.json()["status"] == "closed"
    other = {**body, "klass": world.class_a1_2.pk, "title": "别班"}
    assert c.post(f"{BASE}class-meeting/", other, content_type="application/json").status_code == 403
    late = {**body, "held_on": "2099-01-01", "title": "未来"}
    r = c.post(f"{BASE}class-meeting/", late, content_type="application/json")
    assert r.status_code == 400 and "开完再登记" in r.content.decode()
    # a subject teacher holds no right to it
    s = as_user(world.user[Role.SUBJECT_TEACHER])
    assert s.post(f"{BASE}class-meeting/", body, content_type="application/json").status_code == 403
