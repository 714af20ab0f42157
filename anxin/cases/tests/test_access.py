"""Who sees which case (ROLES.md; LAW 18): the standard scope ORed with the party-based rules."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.cases import scenarios, services
from anxin.cases.models import BullyingCase, CaseState, PartyRole, SupportKind
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.core.testing import make_user

S = CaseState


def _visible(user, action="view"):
    return set(BullyingCase.objects.restrict(user, action).values_list("pk", flat=True))


@pytest.fixture
def cases(cw, mm):
    own = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)
    other = scenarios.open_simple(cw.school_a1, mm, victim=cw.student_other_class, bully=None)
    return own, other


def test_class_teacher_sees_cases_of_own_students_only(cw, cases, as_user):
    own, other = cases
    teacher = cw.user["class_teacher"]
    assert _visible(teacher) == {own.pk}
    c = as_user(teacher)
    assert c.get(reverse("cases:case_detail", args=[own.pk])).status_code == 200
    assert c.get(reverse("cases:case_detail", args=[other.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action="denied", object_type="cases.bullyingcase", object_id=str(other.pk)
    ).exists()
    body = c.get(reverse("cases:case_list")).content.decode()
    assert own.number in body and other.number not in body


def test_class_teacher_adds_statements_and_notes_but_does_not_run_the_case(cw, cases, drive, as_user):
    from django.core.exceptions import PermissionDenied

    own, _other = cases
    teacher = cw.user["class_teacher"]
    services.add_note(own, by=teacher, text="家长已来电说明情况")
    with pytest.raises(PermissionDenied):
        services.advance(own, "begin", by=teacher)
    drive(own, S.STOPPED)
    services.record_statement(
        own,
        by=teacher,
        speaker_kind="party",
        content="学生自述",
        taken_at=own.discovered_at,
        party=own.parties.get(role=PartyRole.VICTIM),
    )
    c = as_user(teacher)
    assert c.get(reverse("cases:case_step", args=[own.pk, "immediate"])).status_code == 403
    assert c.get(reverse("cases:case_step", args=[own.pk, "statement"])).status_code == 200


def test_counsellor_sees_cases_with_a_counselling_duty(cw, new_case, drive, as_user):
    counsellor = cw.user["counsellor"]
    plain = new_case()
    bullying = new_case()
    drive(bullying, S.HANDLING, result="minor")  # plans counselling for both sides (LAW 9)
    assert _visible(counsellor) == {bullying.pk}
    victim = bullying.parties.get(role=PartyRole.VICTIM)
    services.record_support(
        bullying,
        by=counsellor,
        party=victim,
        kind=SupportKind.VICTIM_COUNSELLING,
        done_at=bullying.discovered_at,
        provider="心理教师",
        notes="情绪低落，已疏导",
    )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):  # counselling only
        services.record_support(
            bullying,
            by=counsellor,
            party=victim,
            kind=SupportKind.FAMILY_GUIDANCE,
            done_at=bullying.discovered_at,
            provider="心理教师",
        )
    page = as_user(counsellor).get(reverse("cases:case_detail", args=[bullying.pk])).content.decode()
    assert "情绪低落，已疏导" in page
    assert as_user(counsellor).get(reverse("cases:case_detail", args=[plain.pk])).status_code == 404
    # a middle manager sees the case but not the counselling notes
    page = (
        as_user(cw.user["middle_manager"])
        .get(reverse("cases:case_detail", args=[bullying.pk]))
        .content.decode()
    )
    assert "情绪低落" not in page and "已完成" in page


def test_bureau_sees_every_case_in_the_register_but_opens_only_reported_ones(
    cw, new_case, drive, mm, leader, as_user
):
    plain = new_case()
    reported = new_case(source="public_opinion")
    drive(reported, S.INVESTIGATING)  # reports to police and bureau on the way (LAW 7)
    bureau = cw.user["bureau_safety"]
    assert _visible(bureau, "register") == {plain.pk, reported.pk}
    assert _visible(bureau) == {reported.pk}
    c = as_user(bureau)
    body = c.get(reverse("cases:case_list")).content.decode()
    assert plain.number in body and reported.number in body
    assert "张小明" not in body  # the register carries no names
    assert reverse("cases:case_detail", args=[reported.pk]) in body
    assert reverse("cases:case_detail", args=[plain.pk]) not in body
    assert c.get(reverse("cases:case_detail", args=[plain.pk])).status_code == 404
    assert c.get(reverse("cases:case_detail", args=[reported.pk])).status_code == 200
    # the bureau does not edit a school's case
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.add_note(reported, by=bureau, text="x")


def test_legal_vp_and_liaison_see_only_cases_referred_to_them(cw, new_case, drive, mm):
    legal_vp, liaison = cw.user["legal_vp"], cw.user["partner_liaison"]
    case = new_case()
    other = new_case()
    assert _visible(legal_vp) == set() and _visible(liaison) == set()
    drive(case, S.INVESTIGATING)
    referral = services.refer_case(case, by=mm, to_user=legal_vp, purpose="请法治副校长参与警示教育")
    assert _visible(legal_vp) == {case.pk} and other.pk not in _visible(legal_vp)
    services.record_referral_outcome(referral, by=legal_vp, outcome="已对双方学生进行法治教育")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.record_referral_outcome(referral, by=liaison, outcome="x")


def test_bureau_admin_and_auditor_read_no_case_contents(cw, cases, as_user):
    own, _other = cases
    for role in (Role.BUREAU_ADMIN, Role.AUDITOR, Role.SUBJECT_TEACHER, Role.SECURITY_STAFF):
        user = cw.user[role]
        assert _visible(user) == set() and _visible(user, "register") == set(), role
        c = as_user(user)
        assert c.get(reverse("cases:case_detail", args=[own.pk])).status_code == 404
        assert c.get(reverse("cases:case_list")).status_code == 403


def test_other_county_sees_nothing(cw, cases, as_user):
    own, _other = cases
    for user in cw.user_b.values():
        assert _visible(user) == set() and _visible(user, "register") == set()
    assert (
        as_user(cw.user_b["safety_leader"]).get(reverse("cases:case_detail", args=[own.pk])).status_code
        == 404
    )


def test_supervisor_sees_the_register_of_assigned_schools_only(cw, cases):
    supervisor = cw.user["supervisor"]
    own, other = cases
    assert _visible(supervisor, "register") == {own.pk, other.pk}
    assert _visible(supervisor) == set()
    case_a2 = scenarios.open_simple(
        cw.school_a2,
        make_user("a2_mm", cw.county_a, Role.MIDDLE_MANAGER, cw.school_a2),
        victim=cw.student_other_school,
        bully=None,
    )
    assert case_a2.pk not in _visible(supervisor, "register")


def test_nav_shows_the_case_section_to_those_who_may_use_it(cw, as_user):
    page = as_user(cw.user["middle_manager"]).get(reverse("core:home")).content.decode()
    assert "欺凌事件" in page and reverse("cases:case_list") in page and reverse("cases:case_new") in page
    page = as_user(cw.user["bureau_admin"]).get(reverse("core:home")).content.decode()
    assert f'href="{reverse("cases:case_list")}"' not in page and reverse("cases:holidays") in page


def test_every_case_url_refuses_anonymous_users(client, cases):
    own, _other = cases
    for url in (
        reverse("cases:case_list"),
        reverse("cases:case_detail", args=[own.pk]),
        reverse("cases:case_step", args=[own.pk, "note"]),
        reverse("cases:case_new"),
        reverse("cases:committee"),
        reverse("cases:report_list"),
    ):
        resp = client.get(url)
        assert resp.status_code == 302 and "/accounts/login/" in resp["Location"], url
