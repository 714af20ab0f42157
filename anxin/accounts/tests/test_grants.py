"""Access outside one's scope only with an approval that carries a reason and an expiry,
approved by the owning school's safety leader or bureau safety staff; read only (LAW 18)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from anxin.accounts import services
from anxin.accounts.models import AccessGrant, User
from anxin.core import policy
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.core.testing import make_user
from anxin.roster.models import Student

REASON = "协助习岗小学开展心理危机干预，需查看学生名单"


def fresh(user) -> User:
    """The user as the next request loads it (no cached posts or grants)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def a2_leader(world):
    return make_user("a2_safety_leader", world.county_a, Role.SAFETY_LEADER, world.school_a2)


@pytest.fixture
def counsellor(world):
    return world.user[Role.COUNSELLOR]  # school A1


def sees(user, student, action="view") -> bool:
    user = fresh(user)
    return Student.objects.restrict(user, action).filter(pk=student.pk).exists()


def test_counsellor_reads_another_school_only_with_an_approved_grant_until_it_expires(
    world, as_user, counsellor, a2_leader
):
    other = world.student_other_school
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        assert not sees(counsellor, other)
        c = as_user(counsellor)
        r = c.post("/accounts/grants/new/", {"school": world.school_a2.pk, "reason": REASON, "days": 3})
        assert r.status_code == 302
        grant = AccessGrant.objects.get(grantee=counsellor)
        assert grant.status == AccessGrant.Status.PENDING
        assert not sees(counsellor, other)  # asking is not enough

        traveller.shift(timedelta(hours=5))
        c = as_user(a2_leader)
        assert "待我审批" in c.get("/accounts/grants/").content.decode()
        r = c.post(f"/accounts/grants/{grant.pk}/decide/", {"decision": "approve", "note": "同意"})
        assert r.status_code == 302
        grant.refresh_from_db()
        assert grant.status == AccessGrant.Status.APPROVED
        assert grant.decided_by == a2_leader
        assert grant.expires_at - grant.starts_at == timedelta(days=3)  # the term runs from approval

        assert sees(counsellor, other)
        assert sees(counsellor, other, "detail")
        assert policy.allows(fresh(counsellor), other, "detail")
        # read only, and only that school
        assert not sees(counsellor, other, "change")
        assert not policy.allows(fresh(counsellor), other, "change")
        assert not sees(counsellor, world.student_other_county)

        traveller.shift(timedelta(days=3) - timedelta(minutes=1))
        assert sees(counsellor, other)
        traveller.shift(timedelta(minutes=2))
        assert not sees(counsellor, other)
        assert not policy.allows(fresh(counsellor), other, "view")


def test_grant_cannot_be_approved_by_the_grantee(world, as_user):
    bureau = world.user[Role.BUREAU_SAFETY]
    grant = services.request_grant(bureau, world.school_a2, REASON, 5)
    with pytest.raises(PermissionDenied):
        services.decide_grant(bureau, grant, True, "")
    c = as_user(bureau)
    assert c.post(f"/accounts/grants/{grant.pk}/decide/", {"decision": "approve"}).status_code == 403
    grant.refresh_from_db()
    assert grant.status == AccessGrant.Status.PENDING
    assert not services.can_decide(bureau, grant)


def test_grant_cannot_be_approved_by_a_safety_leader_of_another_school(world, as_user, counsellor):
    grant = services.request_grant(counsellor, world.school_a2, REASON, 5)
    own_leader = world.user[Role.SAFETY_LEADER]  # A1: the requester's school, not the target
    with pytest.raises(PermissionDenied):
        services.decide_grant(own_leader, grant, True, "")
    c = as_user(own_leader)
    assert c.post(f"/accounts/grants/{grant.pk}/decide/", {"decision": "approve"}).status_code == 404
    assert c.post(f"/accounts/grants/{grant.pk}/revoke/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.decide_grant(world.user[Role.PRINCIPAL], grant, True, "")
    with pytest.raises(PermissionDenied):
        services.decide_grant(world.user_b[Role.BUREAU_SAFETY], grant, True, "")
    grant.refresh_from_db()
    assert grant.status == AccessGrant.Status.PENDING


def test_bureau_safety_of_the_county_may_approve(world, counsellor):
    grant = services.request_grant(counsellor, world.school_a2, REASON, 5)
    services.decide_grant(world.user[Role.BUREAU_SAFETY], grant, True, "")
    assert sees(counsellor, world.student_other_school)


def test_request_needs_a_reason_a_term_and_a_school_outside_ones_own(world, counsellor, settings):
    with pytest.raises(ValidationError) as exc:
        services.request_grant(
            counsellor, world.school_a2, "看一下", settings.ANXIN_ACCESS_GRANT_MAX_DAYS + 1
        )
    assert set(exc.value.message_dict) == {"reason", "days"}
    with pytest.raises(ValidationError, match="本人任职的学校"):
        services.request_grant(counsellor, world.school_a1, REASON, 5)
    with pytest.raises(ValidationError, match="本县区"):
        services.request_grant(counsellor, world.school_b1, REASON, 5)
    with pytest.raises(PermissionDenied):
        services.request_grant(world.user[Role.AUDITOR], world.school_a2, REASON, 5)
    assert not AccessGrant.objects.exists()


def test_request_form_shows_the_errors_in_chinese(world, as_user, counsellor):
    c = as_user(counsellor)
    r = c.post("/accounts/grants/new/", {"school": world.school_a2.pk, "reason": "看看", "days": 99})
    body = r.content.decode()
    assert "至少10个字" in body
    assert "30" in body
    assert not AccessGrant.objects.exists()


def test_rejection_needs_a_note_and_gives_no_access(world, counsellor, a2_leader):
    grant = services.request_grant(counsellor, world.school_a2, REASON, 5)
    with pytest.raises(ValidationError):
        services.decide_grant(a2_leader, grant, False, "")
    services.decide_grant(a2_leader, grant, False, "理由不充分")
    grant.refresh_from_db()
    assert grant.status == AccessGrant.Status.REJECTED
    assert not sees(counsellor, world.student_other_school)
    with pytest.raises(ValidationError, match="已处理"):
        services.decide_grant(a2_leader, grant, True, "")


def test_revoking_a_grant_ends_access_at_once(world, as_user, counsellor, a2_leader):
    grant = services.request_grant(counsellor, world.school_a2, REASON, 5)
    services.decide_grant(a2_leader, grant, True, "")
    assert sees(counsellor, world.student_other_school)
    c = as_user(a2_leader)
    assert c.post(f"/accounts/grants/{grant.pk}/revoke/").status_code == 302
    grant.refresh_from_db()
    assert grant.status == AccessGrant.Status.REVOKED
    assert not sees(counsellor, world.student_other_school)


def test_grant_lifecycle_is_in_the_audit_trail(world, counsellor, a2_leader):
    grant = services.request_grant(counsellor, world.school_a2, REASON, 5)
    services.decide_grant(a2_leader, grant, True, "同意")
    events = AuditEvent.objects.filter(object_type="accounts.accessgrant", object_id=str(grant.pk))
    assert list(events.order_by("at", "seq").values_list("action", flat=True)) == ["create", "update"]
    update = events.get(action="update")
    assert update.data["after"]["status"] == "approved"
    assert update.school_id == world.school_a2.pk


def test_grant_list_shows_each_person_what_is_theirs(world, as_user, counsellor, a2_leader):
    mine = services.request_grant(counsellor, world.school_a2, REASON, 5)
    b_teacher = world.user_b[Role.CLASS_TEACHER]
    b_school2 = world.school_b1.__class__.objects.create(
        county=world.county_b, name="永宁县第二中学", code="2164012102", type="junior", town="杨和镇"
    )
    other_county = services.request_grant(b_teacher, b_school2, REASON, 5)

    r = as_user(counsellor).get("/accounts/grants/")
    assert r.status_code == 200
    assert [g.pk for g, _ in r.context["mine"]] == [mine.pk]
    assert "pending" not in r.context

    r = as_user(a2_leader).get("/accounts/grants/")
    assert [g.pk for g in r.context["pending"]] == [mine.pk]

    r = as_user(world.user[Role.AUDITOR]).get("/accounts/grants/")
    seen = {g.pk for g, _ in r.context["all_grants"]}
    assert mine.pk in seen and other_county.pk not in seen

    assert as_user(world.user[Role.BUREAU_ADMIN]).get("/accounts/grants/").status_code == 403
