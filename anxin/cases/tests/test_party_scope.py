"""Naming a student in a case by id follows the search's scope rules (LAW 18): the case's own
school (and the user's own scope) yes; another school of the county only with the exact name,
audited as a cross-scope lookup; anything else answers "not found" and is audited as a denial.
Checked for every entry point (the party page, the party API step, opening a case through the
API) and every school role."""

from __future__ import annotations

import pytest
from django.urls import reverse

from anxin.cases.models import BullyingCase, CaseParty
from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.roster import lookup

API = "/api/v1/cases/"
MANAGERS = ["principal", "safety_leader", "middle_manager"]
NOT_FOUND = "没有找到该学生"


def _denials(student):
    return AuditEvent.objects.filter(
        action="denied", object_type="roster.student", object_id=str(student.pk), result="denied"
    )


def _cross(student):
    return AuditEvent.objects.filter(
        action=lookup.CROSS_SCOPE, object_type="roster.student", object_id=str(student.pk)
    )


def _step(case):
    return reverse("cases:case_step", args=[case.pk, "party"])


@pytest.mark.parametrize("role", MANAGERS)
def test_page_refuses_another_schools_student_by_id_alone(cw, new_case, as_user, role):
    case = new_case()
    c = as_user(cw.user[role])
    other = cw.student_other_school
    resp = c.post(_step(case), {"role": "witness", "student": other.pk, "version": case.version})
    body = resp.content.decode()
    assert resp.status_code == 200 and NOT_FOUND in body
    assert other.name not in body and cw.school_a2.name not in body  # the form lists nobody
    assert not CaseParty.objects.filter(case=case, student=other).exists()
    assert _denials(other).get().data["purpose"] == "cases.party"
    page = c.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert other.name not in page and cw.school_a2.name not in page


@pytest.mark.parametrize("role", MANAGERS)
def test_page_takes_another_schools_student_with_the_exact_name_and_audits_it(cw, new_case, as_user, role):
    case = new_case()
    c = as_user(cw.user[role])
    other = cw.student_other_school
    # a part of the name finds nobody at another school; the id with that part is refused too
    assert other.name not in c.get(_step(case) + "?q=王小").content.decode()
    r = c.post(
        _step(case), {"role": "witness", "student": other.pk, "student_name": "王小", "version": case.version}
    )
    assert r.status_code == 200 and NOT_FOUND in r.content.decode()
    # the exact name finds the student (audited) and the form carries the name along
    found = c.get(_step(case) + f"?q={other.name}").content.decode()
    assert other.name in found and f'name="student_name" value="{other.name}"' in found
    assert _cross(other).filter(data__via="search").count() == 1
    r = c.post(
        _step(case),
        {"role": "witness", "student": other.pk, "student_name": other.name, "version": case.version},
    )
    assert r.status_code == 302, r.content.decode()
    assert CaseParty.objects.filter(case=case, student=other).exists()
    assert _cross(other).filter(data__via="exact_name", data__purpose="cases.party").count() == 1


@pytest.mark.parametrize("role", MANAGERS)
def test_page_takes_the_cases_own_school_by_id(cw, new_case, as_user, role):
    case = new_case()
    c = as_user(cw.user[role])
    extra = cw.student_other_class
    CaseParty.objects.filter(case=case, student=extra).delete()
    r = c.post(_step(case), {"role": "witness", "student": extra.pk, "version": case.version})
    assert r.status_code == 302, r.content.decode()
    assert not _cross(extra).exists() and not _denials(extra).exists()


@pytest.mark.parametrize("role", MANAGERS)
def test_another_countys_student_is_not_found_even_with_the_exact_name(cw, new_case, as_user, role):
    case = new_case()
    c = as_user(cw.user[role])
    far = cw.student_other_county
    found = c.get(_step(case) + f"?q={far.name}").content.decode()
    assert "没有找到该学生。可按校外人员登记。" in found and cw.school_b1.name not in found
    r = c.post(
        _step(case), {"role": "witness", "student": far.pk, "student_name": far.name, "version": case.version}
    )
    assert r.status_code == 200 and NOT_FOUND in r.content.decode()
    assert _denials(far).count() == 1 and not CaseParty.objects.filter(student=far).exists()


@pytest.mark.parametrize("role", MANAGERS)
def test_api_party_step_follows_the_same_rule(cw, new_case, as_user, role):
    case = new_case()
    c = as_user(cw.user[role])
    other = cw.student_other_school
    url = f"{API}{case.pk}/party/"
    r = c.post(url, {"role": "witness", "student": other.pk}, content_type="application/json")
    assert r.status_code == 400 and NOT_FOUND in r.content.decode()
    assert other.name not in r.content.decode()
    assert _denials(other).count() == 1
    r = c.post(url, {"role": "witness", "student": 999999}, content_type="application/json")
    assert r.status_code == 400 and NOT_FOUND in r.content.decode()
    r = c.post(
        url,
        {"role": "witness", "student": other.pk, "student_name": other.name},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert _cross(other).filter(data__via="exact_name").count() == 1


@pytest.mark.parametrize("role", MANAGERS)
def test_api_open_case_follows_the_same_rule(cw, as_user, role):
    c = as_user(cw.user[role])
    other = cw.student_other_school
    payload = {
        "school": cw.school_a1.pk,
        "source": "hotline",
        "discovered_at": clock.local_now().isoformat(),
        "summary": "家长来电反映孩子被外校学生勒索",
        "students": [
            {"student": cw.student_own.pk, "role": "victim"},
            {"student": other.pk, "role": "alleged_bully"},
        ],
    }
    r = c.post(API, payload, content_type="application/json")
    assert r.status_code == 400 and NOT_FOUND in r.content.decode()
    assert not BullyingCase.objects.exists() and _denials(other).get().data["purpose"] == "cases.open"
    payload["students"][1]["name"] = other.name
    r = c.post(API, payload, content_type="application/json")
    assert r.status_code == 201, r.content
    assert BullyingCase.objects.get().parties.filter(student=other).exists()
    assert _cross(other).filter(data__purpose="cases.open").count() == 1


def test_class_teacher_cannot_add_parties_at_all(cw, new_case, as_user):
    case = new_case()  # involves the class teacher's own student: the teacher sees the case
    c = as_user(cw.user["class_teacher"])
    other = cw.student_other_school
    assert c.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    r = c.post(
        _step(case),
        {"role": "witness", "student": other.pk, "student_name": other.name, "version": case.version},
    )
    assert r.status_code == 403
    r = c.post(
        f"{API}{case.pk}/party/",
        {"role": "witness", "student": other.pk, "student_name": other.name},
        content_type="application/json",
    )
    assert r.status_code in (403, 404)
    assert not CaseParty.objects.filter(student=other).exists() and not _cross(other).exists()
    assert AuditEvent.objects.filter(action="denied", actor_id=cw.user["class_teacher"].pk).exists()


def test_lookup_rules_for_a_class_teacher(cw):
    """Outside a case, a class teacher's own scope is the own class: another class of the same
    school, like another school, only with the exact name."""
    teacher = cw.user["class_teacher"]
    a1 = cw.school_a1.county_id
    own, other_class = cw.student_own, cw.student_other_class
    assert lookup.resolve(teacher, own.pk, county_id=a1) == own
    assert lookup.resolve(teacher, other_class.pk, county_id=a1) is None
    assert _denials(other_class).count() == 1
    assert lookup.resolve(teacher, other_class.pk, county_id=a1, name=other_class.name) == other_class
    assert [s.pk for s in lookup.search(teacher, "小", county_id=a1)] == [own.pk]
    assert [s.pk for s in lookup.search(teacher, other_class.name, county_id=a1)] == [other_class.pk]
    assert lookup.resolve(teacher, "x", county_id=a1) is None
