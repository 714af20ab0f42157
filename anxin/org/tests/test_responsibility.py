"""The responsibility matrix 明确到人、到岗 (R-ORG-3)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from anxin.core.models import AuditEvent
from anxin.core.testing import make_user
from anxin.org import services
from anxin.org.models import Duty, Responsibility


def matrix_url():
    return reverse("org:responsibility_list")


def test_missing_duties_lists_required_duties_without_a_person(world):
    missing = services.missing_duties(world.school_a1)
    assert Duty.SAFETY in missing and Duty.OVERALL in missing
    assert Duty.OTHER not in missing  # "其他" is never required
    assert Duty.DORM not in missing  # A1 is not a boarding school
    world.school_a1.boarding = True
    assert Duty.DORM in services.missing_duties(world.school_a1)
    services.set_responsibility(
        world.user["principal"], world.school_a1, Duty.SAFETY, world.user["safety_leader"]
    )
    assert Duty.SAFETY not in services.missing_duties(world.school_a1)


def test_matrix_shows_gaps_as_unassigned(world, as_user):
    services.set_responsibility(
        world.user["principal"], world.school_a1, Duty.OVERALL, world.user["principal"], detail="全面负责"
    )
    c = as_user(world.user["safety_leader"])
    r = c.get(matrix_url())
    body = r.content.decode()
    assert r.status_code == 200
    assert "全面负责" in body
    assert body.count("未落实") >= len(services.missing_duties(world.school_a1))
    assert str(Duty.SAFETY.label) in body


def test_matrix_export_has_one_row_per_duty_including_gaps(world, as_user, xlsx_rows):
    leader = world.user["safety_leader"]
    leader.real_name = "王副校长"
    leader.phone = "13900001111"
    leader.save()
    services.set_responsibility(world.user["principal"], world.school_a1, Duty.SAFETY, leader)
    c = as_user(world.user["principal"])
    rows = xlsx_rows(c.get(matrix_url(), {"format": "xlsx"}))
    header, body = rows[0], rows[1:]
    assert header == ("学校", "职责", "班级", "责任人", "岗位", "联系电话", "具体内容", "落实情况")
    assert len(body) == len(services.required_duties(world.school_a1))
    safety = next(r for r in body if r[1] == str(Duty.SAFETY.label))
    assert safety[3] == "王副校长" and safety[4] == "分管安全副校长" and safety[5] == "13900001111"
    assert safety[7] == "已落实"
    gaps = [r for r in body if r[7] == "未落实"]
    assert len(gaps) == len(services.missing_duties(world.school_a1))
    assert all(r[3] is None for r in gaps)
    assert AuditEvent.objects.filter(action="export", object_type="org.responsibility").exists()


def test_bureau_matrix_export_covers_all_county_schools_only(world, as_user, xlsx_rows):
    c = as_user(world.user["bureau_safety"])
    rows = xlsx_rows(c.get(matrix_url(), {"format": "xlsx"}))
    schools = {r[0] for r in rows[1:]}
    assert schools == {world.school_a1.name, world.school_a2.name}


def test_class_teacher_sees_matrix_but_cannot_export(world, as_user):
    c = as_user(world.user["class_teacher"])
    assert c.get(matrix_url()).status_code == 200
    assert c.get(matrix_url(), {"format": "xlsx"}).status_code == 403


def test_security_roles_without_right_cannot_see_matrix(world, as_user):
    for role in ("legal_vp", "auditor", "partner_liaison"):
        assert as_user(world.user[role]).get(matrix_url()).status_code == 403


def test_bureau_overview_lists_county_schools_with_gaps(world, as_user):
    c = as_user(world.user["bureau_safety"])
    body = c.get(matrix_url()).content.decode()
    assert world.school_a1.name in body and world.school_a2.name in body
    assert world.school_b1.name not in body
    body = c.get(matrix_url(), {"school": world.school_a2.pk}).content.decode()
    assert str(Duty.OVERALL.label) in body and "未落实" in body
    # another county's school is no valid choice: the page stays on the county overview
    body = c.get(matrix_url(), {"school": world.school_b1.pk}).content.decode()
    assert world.school_b1.name not in body


def test_responsibility_person_must_hold_a_post_at_the_school(world):
    with pytest.raises(ValidationError):
        services.set_responsibility(world.user["principal"], world.school_a1, Duty.PSYCH, world.outsider)
    other = make_user("a2_teacher", world.county_a, "counsellor", world.school_a2)
    with pytest.raises(ValidationError):
        services.set_responsibility(world.user["principal"], world.school_a1, Duty.PSYCH, other)
    assert not Responsibility.objects.filter(duty=Duty.PSYCH).exists()


def test_legal_vp_of_the_school_may_be_accountable(world):
    r = services.set_responsibility(
        world.user["principal"], world.school_a1, Duty.LEGAL_EDU, world.user["legal_vp"]
    )
    assert r.person == world.user["legal_vp"] and r.post == "法治副校长"


def test_setting_a_duty_again_replaces_the_person(world):
    p = world.user["principal"]
    services.set_responsibility(p, world.school_a1, Duty.SCREENING, world.user["middle_manager"])
    services.set_responsibility(p, world.school_a1, Duty.SCREENING, world.user["safety_leader"])
    rows = Responsibility.objects.filter(school=world.school_a1, duty=Duty.SCREENING)
    assert [r.person for r in rows] == [world.user["safety_leader"]]


def test_class_duty_needs_a_class_of_the_school(world):
    p = world.user["principal"]
    with pytest.raises(ValidationError):
        services.set_responsibility(p, world.school_a1, Duty.CLASS, world.user["class_teacher"])
    with pytest.raises(ValidationError):
        services.set_responsibility(
            p, world.school_a1, Duty.CLASS, world.user["class_teacher"], klass=world.class_a2_1
        )
    r = services.set_responsibility(
        p, world.school_a1, Duty.CLASS, world.user["class_teacher"], klass=world.class_a1_1
    )
    assert r.klass == world.class_a1_1


def test_principal_sets_responsibility_through_the_page(world, as_user):
    c = as_user(world.user["principal"])
    url = reverse("org:responsibility_edit", args=[world.school_a1.pk])
    assert c.get(url, {"duty": "psych"}).status_code == 200
    r = c.post(
        url, {"duty": "psych", "person": world.user["counsellor"].pk, "post": "", "detail": "心理辅导"}
    )
    assert r.status_code == 302
    assert Responsibility.objects.get(school=world.school_a1, duty="psych").person == world.user["counsellor"]
    # someone without a post at the school is not offered and is refused
    r = c.post(url, {"duty": "psych", "person": world.outsider.pk})
    assert r.status_code == 200 and 'class="errorlist"' in r.content.decode()


def test_responsibility_edit_access(world, as_user):
    url = reverse("org:responsibility_edit", args=[world.school_a1.pk])
    assert as_user(world.user["class_teacher"]).get(url).status_code == 403
    assert as_user(world.user["bureau_safety"]).get(url).status_code == 403
    url_a2 = reverse("org:responsibility_edit", args=[world.school_a2.pk])
    assert as_user(world.user["principal"]).get(url_a2).status_code == 404


def test_responsibility_delete_is_post_only_and_scoped(world, as_user):
    r = services.set_responsibility(
        world.user["principal"], world.school_a1, Duty.MONITORING, world.user["security_staff"]
    )
    url = reverse("org:responsibility_delete", args=[r.pk])
    c = as_user(world.user["class_teacher"])
    assert c.post(url).status_code == 403
    c = as_user(world.user_b["safety_leader"])
    assert c.post(url).status_code == 404
    c = as_user(world.user["safety_leader"])
    assert c.get(url).status_code == 405
    assert c.post(url).status_code == 302
    assert not Responsibility.objects.filter(pk=r.pk).exists()
    assert Duty.MONITORING in services.missing_duties(world.school_a1)


def test_bureau_user_school_switcher_selects_the_matrix_school(world, as_user):
    c = as_user(world.user["bureau_safety"])
    c.post(reverse("core:switch_school"), {"school": world.school_a2.pk})
    body = c.get(matrix_url()).content.decode()
    assert f"岗位责任清单 · {world.school_a2.name}" in body
    assert "未落实" in body
