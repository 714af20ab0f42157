"""No repeated 学校/班级 (issue 11 item 8): a list's 学校 and 班级 selects go when the user can
see only one school / one class; the API keeps them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from anxin.accounts.models import AccessGrant
from anxin.core import clock, policy
from anxin.core.listing import single_scope
from anxin.core.roles import Role
from anxin.core.testing import make_user

pytestmark = pytest.mark.django_db


def _selects(client, url) -> set[str]:
    body = client.get(url).content.decode()
    return {name for name in ("school", "klass") if f'name="{name}"' in body}


def test_one_class_teacher_one_school_principal_and_the_county(world, as_user):
    students = reverse("roster:student_list")
    plans = reverse("care:plan_list")
    teacher = world.user[Role.CLASS_TEACHER]
    assert single_scope(teacher) == (world.school_a1.pk, world.class_a1_1.pk)
    assert _selects(as_user(teacher), students) == set()
    assert 'name="q"' in as_user(teacher).get(students).content.decode()  # the rest of the filters stay
    assert _selects(as_user(teacher), plans) == set()
    principal = world.user[Role.PRINCIPAL]
    assert single_scope(principal) == (world.school_a1.pk, None)
    assert _selects(as_user(principal), students) == {"klass"}
    # a county user chooses among the county's schools
    bureau = world.user[Role.BUREAU_ADMIN]
    assert single_scope(bureau) == (None, None)


def test_a_second_class_or_a_grant_brings_the_choice_back(world, as_user):
    from anxin.accounts.models import Membership

    teacher = world.user[Role.CLASS_TEACHER]
    Membership.objects.create(
        user=teacher,
        role=Role.SUBJECT_TEACHER,
        county=world.county_a,
        school=world.school_a1,
        klass=world.class_a1_2,
        started_on=clock.today(),
    )
    policy.forget(teacher)
    assert single_scope(teacher) == (world.school_a1.pk, None)
    assert _selects(as_user(teacher), reverse("roster:student_list")) == {"klass"}
    counsellor = make_user("c2", world.county_a, Role.COUNSELLOR, world.school_a1)
    AccessGrant.objects.create(
        grantee=counsellor,
        county=world.county_a,
        school=world.school_a2,
        reason="协助心理辅导",
        status=AccessGrant.Status.APPROVED,
        starts_at=clock.now(),
        expires_at=clock.now() + dt.timedelta(days=7),
    )
    policy.forget(counsellor)
    assert single_scope(counsellor) == (None, None)
