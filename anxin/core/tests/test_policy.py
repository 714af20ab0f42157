"""The access policy: deny by default, scope by county/school/class (LAW 18; ROLES.md)."""

from pathlib import Path

import pytest
from django.conf import settings

from anxin.core import policy
from anxin.core.management.commands.permissions_doc import render
from anxin.core.roles import Role
from anxin.roster.models import Student


@pytest.mark.django_db
def test_class_teacher_sees_only_own_class_students(world):
    seen = set(Student.objects.restrict(world.user[Role.CLASS_TEACHER]))
    assert seen == {world.student_own}


@pytest.mark.django_db
def test_school_manager_sees_own_school_only(world):
    seen = set(Student.objects.restrict(world.user[Role.MIDDLE_MANAGER]))
    assert seen == {world.student_own, world.student_other_class}


@pytest.mark.django_db
def test_bureau_admin_reads_no_student_records(world):
    """Separation of duties: administrators manage structure and accounts, not pupils."""
    assert not Student.objects.restrict(world.user[Role.BUREAU_ADMIN]).exists()
    assert not policy.can(world.user[Role.BUREAU_ADMIN], "roster.student.view")


@pytest.mark.django_db
def test_user_without_a_post_sees_nothing(world):
    assert not Student.objects.restrict(world.outsider).exists()
    assert policy.scope_q(world.outsider, Student, "view") is None


@pytest.mark.django_db
def test_unknown_permission_is_denied_for_every_role(world):
    for user in world.user.values():
        assert not policy.can(user, "roster.student.launch_missiles")


@pytest.mark.django_db
def test_allows_agrees_with_restrict_for_every_role_and_student(world):
    students = [
        world.student_own,
        world.student_other_class,
        world.student_other_school,
        world.student_other_county,
    ]
    for user in list(world.user.values()) + list(world.user_b.values()):
        for action in ("view", "detail", "change", "sensitive"):
            visible = set(Student.objects.restrict(user, action))
            for st in students:
                assert policy.allows(user, st, action) == (st in visible), (user.username, action, st.name)


@pytest.mark.django_db
def test_ended_membership_grants_nothing(world):
    import datetime as dt

    teacher = world.user[Role.CLASS_TEACHER]
    teacher.memberships.update(ended_on=dt.date(2025, 1, 1))
    policy.forget(teacher)
    assert not Student.objects.restrict(teacher).exists()


def test_permissions_doc_is_generated_from_the_policy():
    path = Path(settings.BASE_DIR) / "docs" / "permissions.md"
    assert path.read_text() == render(), "run: manage.py permissions_doc"


def test_every_permission_names_known_roles():
    for perm, (roles, meaning) in policy.PERMISSIONS.items():
        assert roles <= set(Role.values), perm
        assert meaning, perm
