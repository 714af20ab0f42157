import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from anxin.core import clock, duties
from anxin.core.roles import Role
from anxin.oversight import services
from anxin.oversight.accountability import compute, term_of
from anxin.oversight.models import ActionKind, Level
from anxin.oversight.tests.conftest import make_case

pytestmark = pytest.mark.django_db


def _term():
    return term_of(clock.today())


def _rows(world, schools=None, **setting):
    if setting:
        services.update_setting(by=world.user[Role.BUREAU_SAFETY], county_id=world.county_a.pk, data=setting)
    return compute(world.county_a.pk, schools, _term())


def _class_rows(rows, klass):
    return [r for r in rows if r.level == Level.CLASS and r.klass_id == klass.pk]


BASE = {"class_cases": 2, "grade_cases": 9, "school_cases": 9, "severe_any": False, "repeat_bully_cases": 0}


@pytest.mark.parametrize(("cases", "listed"), [(1, False), (2, True), (3, True)])
def test_class_threshold_below_at_above(world, cases, listed):
    by = world.user[Role.MIDDLE_MANAGER]
    for _i in range(cases):
        make_case(world.school_a1, by, klass_students=[world.student_own])
    make_case(world.school_a1, by, klass_students=[world.student_own], is_bullying=False)  # not bullying
    rows = _class_rows(_rows(world, **BASE), world.class_a1_1)
    assert bool(rows) is listed
    if listed:
        (r,) = rows
        assert r.action == ActionKind.NOTICE and len(r.cases) == cases and f"{cases} 起" in r.reasons[0]


def test_cases_outside_the_term_do_not_count(world):
    by = world.user[Role.MIDDLE_MANAGER]
    make_case(world.school_a1, by, klass_students=[world.student_own])
    make_case(world.school_a1, by, klass_students=[world.student_own], days_ago=400)
    assert not _class_rows(_rows(world, **BASE), world.class_a1_1)


@pytest.mark.parametrize(("cases", "listed"), [(2, False), (3, True), (4, True)])
def test_grade_threshold(world, cases, listed):
    by = world.user[Role.MIDDLE_MANAGER]
    students = [world.student_own, world.student_other_class]  # two classes of the same grade
    for i in range(cases):
        make_case(world.school_a1, by, klass_students=[students[i % 2]])
    rows = _rows(world, **{**BASE, "class_cases": 9, "grade_cases": 3})
    grade = [r for r in rows if r.level == Level.GRADE]
    assert bool(grade) is listed
    assert not [r for r in rows if r.level == Level.CLASS]


@pytest.mark.parametrize(("cases", "listed"), [(1, False), (2, True), (3, True)])
def test_school_threshold(world, cases, listed):
    by = world.user[Role.MIDDLE_MANAGER]
    for _i in range(cases):
        make_case(world.school_a1, by)  # no student party: counts for the school only
    rows = _rows(world, **{**BASE, "school_cases": 2})
    school = [r for r in rows if r.level == Level.SCHOOL]
    assert bool(school) is listed
    if listed:
        assert school[0].action == ActionKind.INTERVIEW and school[0].school_id == world.school_a1.pk


@pytest.mark.parametrize(
    ("result", "severe_any", "listed"),
    [("serious", True, False), ("severe", True, True), ("criminal", True, True), ("severe", False, False)],
)
def test_any_severe_case(world, result, severe_any, listed):
    make_case(
        world.school_a1, world.user[Role.MIDDLE_MANAGER], klass_students=[world.student_own], result=result
    )
    rows = _class_rows(_rows(world, **{**BASE, "severe_any": severe_any}), world.class_a1_1)
    assert bool(rows) is listed
    if listed:
        assert rows[0].action == ActionKind.INTERVIEW and "情节恶劣" in rows[0].reasons[0]


@pytest.mark.parametrize(("cases", "listed"), [(1, False), (2, True), (3, True)])
def test_repeat_bully(world, cases, listed):
    by = world.user[Role.MIDDLE_MANAGER]
    for _i in range(cases):  # the bully in class 1, each victim in class 2
        make_case(
            world.school_a1, by, klass_students=[world.student_other_class], bullies=[world.student_own]
        )
    rows = _rows(world, **{**BASE, "class_cases": 9, "repeat_bully_cases": 2})
    own = _class_rows(rows, world.class_a1_1)
    assert bool(own) is listed
    if listed:
        assert own[0].action == ActionKind.INTERVIEW and "1 名学生" in own[0].reasons[0]
        assert "张小明" not in " ".join(own[0].reasons)  # no names (LAW 19)


def test_scoping(world, client):
    from anxin.core.testing import login

    by = world.user[Role.MIDDLE_MANAGER]
    for _i in range(2):
        make_case(world.school_a1, by, klass_students=[world.student_own])
        make_case(world.school_a2, by, klass_students=[world.student_other_school])
    make_case(world.school_b1, by, klass_students=[world.student_other_county])
    make_case(world.school_b1, by, klass_students=[world.student_other_county])
    services.update_setting(by=world.user[Role.BUREAU_SAFETY], county_id=world.county_a.pk, data=BASE)
    # the bureau sees its county's two schools; the principal only the own school
    login(client, world.user[Role.BUREAU_SAFETY])
    rows = client.get("/oversight/accountability/").context["rows"]
    assert {r.school_id for r in rows} == {world.school_a1.pk, world.school_a2.pk}
    login(client, world.user[Role.PRINCIPAL])
    rows = client.get("/oversight/accountability/").context["rows"]
    assert {r.school_id for r in rows} == {world.school_a1.pk}
    login(client, world.user_b[Role.BUREAU_SAFETY])
    rows = client.get("/oversight/accountability/").context["rows"]
    assert {r.school_id for r in rows} == {world.school_b1.pk}  # county B's default thresholds
    login(client, world.user[Role.CLASS_TEACHER])
    assert client.get("/oversight/accountability/").status_code == 403


def test_fixed_queries(world, django_assert_max_num_queries):
    by = world.user[Role.MIDDLE_MANAGER]
    for _i in range(3):
        make_case(world.school_a1, by, klass_students=[world.student_own, world.student_other_class])
        make_case(
            world.school_a2,
            by,
            klass_students=[world.student_other_school],
            bullies=[world.student_other_school],
        )
    services.update_setting(
        by=world.user[Role.BUREAU_SAFETY], county_id=world.county_a.pk, data={"severe_any": True}
    )
    with django_assert_max_num_queries(5):
        rows = compute(world.county_a.pk, None, _term())
    assert len(rows) >= 3


def test_settings_only_bureau_and_bounds(world):
    with pytest.raises(PermissionDenied):
        services.update_setting(
            by=world.user[Role.PRINCIPAL], county_id=world.county_a.pk, data={"class_cases": 3}
        )
    with pytest.raises(ValidationError):
        services.update_setting(
            by=world.user[Role.BUREAU_SAFETY], county_id=world.county_a.pk, data={"class_cases": 0}
        )
    with pytest.raises(PermissionDenied):  # another county's
        services.update_setting(
            by=world.user[Role.BUREAU_SAFETY], county_id=world.county_b.pk, data={"class_cases": 3}
        )


def _interview(world, by, **over):
    data = {
        "kind": ActionKind.INTERVIEW,
        "level": Level.CLASS,
        "klass": world.class_a1_1,
        "reason": "一学期内认定欺凌事件 2 起",
        "interviewees": "班主任 王老师",
        "interviewers": "教体局安全股 李股长",
        "agreed": "每日课间巡查，两周内召开主题班会",
        "owner": world.user[Role.CLASS_TEACHER],
        "follow_up_due": clock.today() + dt.timedelta(days=14),
    } | over
    return services.save_action(by=by, school=world.school_a1, data=data)


def test_interview_and_its_follow_up_duty(world):
    bureau = world.user[Role.BUREAU_SAFETY]
    teacher = world.user[Role.CLASS_TEACHER]
    with pytest.raises(ValidationError) as exc:
        _interview(world, bureau, agreed="")
    assert "agreed" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _interview(world, bureau, klass=world.class_a2_1)  # another school's class
    with pytest.raises(ValidationError):
        _interview(world, bureau, follow_up_due=clock.today() - dt.timedelta(days=1))
    with pytest.raises(PermissionDenied):
        _interview(world, world.user_b[Role.BUREAU_SAFETY])
    with pytest.raises(PermissionDenied):
        _interview(world, world.user[Role.SAFETY_LEADER])
    a = _interview(world, bureau)
    assert a.grade == world.class_a1_1.grade and a.target == str(world.class_a1_1)
    due = [d for d in duties.duties_for(teacher, clock.now()) if d.kind == "oversight.action"]
    assert [d.ref for d in due] == [f"oversight.action:{a.pk}"]
    with pytest.raises(PermissionDenied):
        services.complete_action(by=world.user[Role.SUBJECT_TEACHER], action=a, note="x")
    services.complete_action(by=teacher, action=a, note="已召开主题班会，课间巡查落实")
    assert not [d for d in duties.duties_for(teacher, clock.now()) if d.kind == "oversight.action"]
    with pytest.raises(ValidationError):
        services.complete_action(by=teacher, action=a, note="again")


def test_notice_needs_no_interview_fields(world):
    a = _interview(
        world,
        world.user[Role.PRINCIPAL],
        kind=ActionKind.NOTICE,
        interviewees="",
        agreed="",
        level=Level.GRADE,
        grade=world.class_a1_1.grade,
    )
    assert a.klass is None and a.level == Level.GRADE


def test_a_sealed_case_counts_only_for_those_named_to_see_it(world):
    """未成年人犯罪记录封存: a sealed case is gone from the bureau's 通报约谈 list (and its count),
    as from every other list; the principal named to see it still counts it."""
    from anxin.cases.seal_models import CaseSeal

    by = world.user[Role.MIDDLE_MANAGER]
    a = make_case(world.school_a1, by, klass_students=[world.student_own])
    make_case(world.school_a1, by, klass_students=[world.student_own])
    services.update_setting(by=world.user[Role.BUREAU_SAFETY], county_id=world.county_a.pk, data=BASE)
    CaseSeal.objects.create(
        county_id=a.county_id,
        school_id=a.school_id,
        case=a,
        sealed_at=clock.now(),
        sealed_by=by,
        reason="依法封存",
    )
    for viewer, listed in ((world.user[Role.BUREAU_SAFETY], False), (world.user[Role.PRINCIPAL], True)):
        rows = _class_rows(compute(world.county_a.pk, None, _term(), viewer=viewer), world.class_a1_1)
        assert bool(rows) is listed, viewer  # 2 cases reach the threshold, 1 does not


def test_a_student_moved_since_does_not_put_the_case_on_the_new_class(world):
    by = world.user[Role.MIDDLE_MANAGER]
    for _i in range(2):
        make_case(world.school_a1, by, klass_students=[world.student_own])
    # the student has since moved to a class of another school
    world.student_own.klass, world.student_own.school = world.class_a2_1, world.school_a2
    world.student_own.save(update_fields=["klass", "school"])
    rows = _rows(world, **BASE)
    assert not _class_rows(rows, world.class_a2_1)  # A2's class is not blamed for A1's cases
    assert all(r.school_id == world.school_a1.pk for r in rows)
