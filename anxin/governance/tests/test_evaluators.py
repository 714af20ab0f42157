"""The campaign evaluators of this app: each true and false, a fixed number of queries."""

import datetime as dt

import pytest

from anxin.core import clock, evaluators
from anxin.core.roles import Role
from anxin.core.testing import make_school
from anxin.governance import services
from anxin.governance.models import Answer, DocKind, Lesson
from anxin.governance.tests.conftest import docx_upload

KEYS = (
    "governance.selfcheck_submitted",
    "governance.rules_current",
    "governance.workplan_uploaded",
    "governance.leading_group_formed",
    "governance.lessons_studied",
)


def _window():
    today = clock.today()
    return evaluators.Window(today - dt.timedelta(days=30), today + dt.timedelta(days=30))


@pytest.fixture
def many(world):
    """A1 (every post held) plus eight more schools of county A with nothing done."""
    extra = [make_school(world.county_a, f"测试学校{i}", f"29990000{i:02d}")[0] for i in range(8)]
    return [world.school_a1, world.school_a2, *extra]


def test_the_five_keys_are_registered():
    for key in KEYS:
        assert evaluators.get(key) is not None, key


@pytest.mark.parametrize("key", KEYS)
def test_fixed_number_of_queries_for_many_schools(world, many, key, django_assert_max_num_queries):
    ev = evaluators.get(key)
    with django_assert_max_num_queries(4):
        got = ev.evaluate(many, _window())
    assert set(got) == {s.pk for s in many}
    with django_assert_max_num_queries(4):
        ev.evaluate(many[:2], _window())


def _run(key, world, params=None):
    return evaluators.get(key).evaluate([world.school_a1, world.school_a2], _window(), params)


def test_selfcheck_submitted(world):
    leader = world.user[Role.SAFETY_LEADER]
    got = _run("governance.selfcheck_submitted", world)
    assert not got[world.school_a1.pk].done
    sc = services.start_selfcheck(leader, world.school_a1, period="春季")
    services.save_answers(leader, sc, {a.pk: (Answer.YES, "") for a in sc.answers.all()})
    services.submit_selfcheck(leader, sc)
    got = _run("governance.selfcheck_submitted", world)
    assert got[world.school_a1.pk].done and not got[world.school_a2.pk].done
    # a window that ended before the submission does not count it
    past = evaluators.Window(clock.today() - dt.timedelta(days=90), clock.today() - dt.timedelta(days=60))
    assert (
        not evaluators.get("governance.selfcheck_submitted")
        .evaluate([world.school_a1], past)[world.school_a1.pk]
        .done
    )


def test_rules_current(world):
    leader, principal = world.user[Role.SAFETY_LEADER], world.user[Role.PRINCIPAL]
    assert not _run("governance.rules_current", world)[world.school_a1.pk].done
    today = clock.today()
    for kind in (DocKind.RULES, DocKind.CONDUCT):
        services.add_version(
            leader,
            world.school_a1,
            kind=kind,
            data={"approved_by": principal, "approved_on": today, "effective_on": today},
            upload=docx_upload(),
        )
    got = _run("governance.rules_current", world)
    assert got[world.school_a1.pk].done and not got[world.school_a2.pk].done


def test_workplan_uploaded(world):
    leader = world.user[Role.SAFETY_LEADER]
    assert not _run("governance.workplan_uploaded", world)[world.school_a1.pk].done
    services.add_version(leader, world.school_a1, kind=DocKind.WORKPLAN, data={}, upload=docx_upload())
    got = _run("governance.workplan_uploaded", world, {"in_window": True})
    assert got[world.school_a1.pk].done and not got[world.school_a2.pk].done


def test_leading_group_formed(world):
    got = _run("governance.leading_group_formed", world)
    assert got[world.school_a1.pk].done
    assert not got[world.school_a2.pk].done and "组长" in got[world.school_a2.pk].detail


def test_lessons_studied(world):
    bureau, leader = world.user[Role.BUREAU_SAFETY], world.user[Role.SAFETY_LEADER]
    lesson = services.save_lesson(
        bureau,
        world.county_a.pk,
        {"title": "区外事件", "summary": "某地学生欺凌事件经过", "lessons": "及时报告"},
    )
    lesson = services.publish_lesson(bureau, lesson)
    assert lesson.status == Lesson.Status.PUBLISHED
    assert not _run("governance.lessons_studied", world)[world.school_a1.pk].done  # nothing assigned
    teacher, counsellor = world.user[Role.CLASS_TEACHER], world.user[Role.COUNSELLOR]
    a1, _a2 = services.assign_lesson(leader, lesson, world.school_a1, [teacher, counsellor])
    services.mark_studied(teacher, a1)
    got = _run("governance.lessons_studied", world, {"min_share": 0.8})
    assert not got[world.school_a1.pk].done and got[world.school_a1.pk].progress == 0.5
    got = _run("governance.lessons_studied", world, {"min_share": 0.5})
    assert got[world.school_a1.pk].done and not got[world.school_a2.pk].done
