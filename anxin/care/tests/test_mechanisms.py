"""R-CARE-5 (二(六)): every student has a contact teacher (师生联系), peer mutual-help pairs
(同学互助) and a home-school contact log (家校互通), per class with gaps flagged."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from anxin.care import services
from anxin.core.roles import Role
from anxin.core.testing import make_student


@pytest.fixture
def classmate(world):
    return make_student(world.class_a1_1, "陈小华", 11)


@pytest.mark.django_db
def test_class_view_flags_students_without_contact_teacher_or_home_contact(
    world, classmate, teacher, as_user
):
    services.set_contact_teacher(teacher, world.student_own, teacher)
    services.log_contact(teacher, student=world.student_own, kind="home_visit", summary="家访，父母外出务工")
    rows = {r["student"].pk: r for r in services.class_mechanisms(world.class_a1_1)}
    assert not rows[world.student_own.pk]["no_teacher"] and not rows[world.student_own.pk]["no_home"]
    assert rows[classmate.pk]["no_teacher"] and rows[classmate.pk]["no_home"]
    html = as_user(teacher).get(f"/care/mechanisms/class/{world.class_a1_1.pk}/").content.decode()
    assert html.count("未指定</span>") == 1 and html.count("本学期未联系</span>") == 1


@pytest.mark.django_db
def test_home_contact_of_last_term_is_a_gap_this_term(world, teacher):
    with time_machine.travel(dt.datetime(2026, 1, 10, 10, tzinfo=dt.UTC), tick=False):
        services.log_contact(teacher, student=world.student_own, kind="phone_visit", summary="寒假前电话家访")
        assert services.term_start() == dt.date(2025, 9, 1)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC), tick=False):
        assert services.term_start() == dt.date(2026, 2, 1)
        row = services.class_mechanisms(world.class_a1_1)[0]
        assert row["no_home"]


@pytest.mark.django_db
def test_a_talk_is_not_a_home_contact(world, teacher):
    services.log_contact(teacher, student=world.student_own, kind="talk", summary="谈心")
    assert services.class_mechanisms(world.class_a1_1)[0]["no_home"]


@pytest.mark.django_db
def test_class_teacher_assigns_unassigned_students_to_self(world, classmate, teacher, as_user):
    c = as_user(teacher)
    r = c.post(f"/care/mechanisms/class/{world.class_a1_1.pk}/", {"op": "assign_me"})
    assert r.status_code == 302
    assert all(r["teacher"] == teacher for r in services.class_mechanisms(world.class_a1_1))
    summary = services.mechanism_summary(type(world.class_a1_1).objects.filter(pk=world.class_a1_1.pk)).get()
    assert (summary.n_students, summary.n_no_teacher, summary.n_no_home) == (2, 0, 2)


@pytest.mark.django_db
def test_changing_contact_teacher_keeps_history(world, teacher, leader):
    first = services.set_contact_teacher(teacher, world.student_own, teacher)
    second = services.set_contact_teacher(leader, world.student_own, leader)
    first.refresh_from_db()
    assert first.ended_on is not None and second.ended_on is None


@pytest.mark.django_db
def test_peer_pair_rules(world, classmate, teacher):
    pair = services.add_peer_pair(teacher, world.student_own, classmate, "同桌互助")
    with pytest.raises(ValidationError) as exc:
        services.add_peer_pair(teacher, world.student_own, classmate)
    assert "这两名学生已结对。" in exc.value.messages
    with pytest.raises(ValidationError) as exc:
        services.add_peer_pair(teacher, world.student_own, world.student_own)
    assert "互助同学不能是学生本人。" in exc.value.messages
    rows = {r["student"].pk: r for r in services.class_mechanisms(world.class_a1_1)}
    assert rows[world.student_own.pk]["pairs"] == [("helped_by", pair)]
    assert rows[classmate.pk]["pairs"] == [("helps", pair)]


@pytest.mark.django_db
def test_class_teacher_cannot_open_another_class_mechanisms(world, teacher, as_user):
    c = as_user(teacher)
    assert c.get(f"/care/mechanisms/class/{world.class_a1_2.pk}/").status_code == 404
    assert c.get("/care/mechanisms/").status_code == 302  # straight to their own class


@pytest.mark.django_db
def test_contact_teacher_must_work_at_the_school(world, teacher):
    with pytest.raises(ValidationError):
        services.set_contact_teacher(teacher, world.student_own, world.user_b[Role.CLASS_TEACHER])


@pytest.mark.django_db
def test_peer_pair_form_errors_show_on_the_page(world, teacher, as_user):
    c = as_user(teacher)
    r = c.post(
        f"/care/mechanisms/class/{world.class_a1_1.pk}/",
        {"op": "pair", "p-student": world.student_own.pk, "p-helper": world.student_own.pk},
    )
    assert "互助同学不能是学生本人。" in r.content.decode()
