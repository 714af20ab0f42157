"""LAW 24 (PJDL Art 59): a sealed case is seen only by the named roles — the school's principal
and safety leader (and the 法治副校长 / liaison it was referred to) — and is gone, for everyone
else, from every surface: the register, its search, the .xlsx export, the API (list and detail),
the 工作台 figures and the case page. Sealing and unsealing need a named role and a reason, and
are audited and on the timeline."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from anxin.cases import sealing
from anxin.cases.models import CaseSeal
from anxin.core.models import AuditEvent
from anxin.core.roles import Role

API = "/api/v1/cases/"
REASON = "人民法院判决后依法封存（预防未成年人犯罪法第五十九条）"


@pytest.fixture
def sealed(cw, new_case, leader):
    visible = new_case()
    case = new_case()
    sealing.seal(case, by=leader, reason=REASON)
    return case, visible


def _others(cw):
    """Roles that see the case when it is not sealed, and must not once it is."""
    return [
        cw.user[r] for r in (Role.MIDDLE_MANAGER, Role.CLASS_TEACHER, Role.BUREAU_SAFETY, Role.SUPERVISOR)
    ]


def _named(cw):
    return [cw.user[Role.PRINCIPAL], cw.user[Role.SAFETY_LEADER]]


def _numbers_in_xlsx(resp) -> set:
    rows = load_workbook(io.BytesIO(resp.content), read_only=True).worksheets[0].iter_rows(values_only=True)
    return {r[0] for r in rows}


def test_before_sealing_the_other_roles_do_see_the_case(cw, new_case, as_user):
    case = new_case()
    for user in _others(cw):
        page = as_user(user).get(reverse("cases:case_list")).content.decode()
        assert case.number in page, user.username


def test_register_and_its_search_hide_a_sealed_case_from_other_roles(cw, sealed, as_user):
    case, visible = sealed
    for user in _others(cw):
        client = as_user(user)
        page = client.get(reverse("cases:case_list")).content.decode()
        assert visible.number in page and case.number not in page, user.username
        found = client.get(reverse("cases:case_list"), {"number": case.number[:-1]}).content.decode()
        assert visible.number in found and case.number not in found
    for user in _named(cw):
        client = as_user(user)
        assert case.number in client.get(reverse("cases:case_list")).content.decode()
        assert (
            case.number
            in client.get(reverse("cases:case_list"), {"number": case.number[:-1]}).content.decode()
        )


def test_the_xlsx_export_leaves_a_sealed_case_out_for_other_roles(cw, sealed, as_user):
    case, visible = sealed
    for role in (Role.MIDDLE_MANAGER, Role.BUREAU_SAFETY, Role.SUPERVISOR):
        numbers = _numbers_in_xlsx(as_user(cw.user[role]).get(reverse("cases:case_list"), {"format": "xlsx"}))
        assert visible.number in numbers and case.number not in numbers, role
    numbers = _numbers_in_xlsx(
        as_user(cw.user[Role.PRINCIPAL]).get(reverse("cases:case_list"), {"format": "xlsx"})
    )
    assert case.number in numbers


def test_the_api_hides_a_sealed_case_in_list_and_detail(cw, sealed, as_user):
    case, visible = sealed
    for role in (Role.MIDDLE_MANAGER, Role.CLASS_TEACHER):
        client = as_user(cw.user[role])
        listed = {c["number"] for c in client.get(API).json()["results"]}
        assert visible.number in listed and case.number not in listed, role
        assert client.get(f"{API}{case.pk}/").status_code == 404
    client = as_user(cw.user[Role.SAFETY_LEADER])
    assert case.number in {c["number"] for c in client.get(API).json()["results"]}
    assert client.get(f"{API}{case.pk}/").status_code == 200


def test_the_case_page_is_404_for_other_roles_and_shows_the_seal_to_named_ones(cw, sealed, as_user):
    case, _visible = sealed
    for role in (Role.MIDDLE_MANAGER, Role.CLASS_TEACHER):
        assert as_user(cw.user[role]).get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    page = as_user(cw.user[Role.PRINCIPAL]).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "已封存" in page and REASON in page and "解除封存" in page


def test_home_figures_do_not_count_a_sealed_case_for_other_roles(cw, new_case, leader, as_user):
    """工作台's figures (``core.duties.figures_for``): the bureau's 迟报 no longer counts a sealed
    late case; the principal's 办理中 still counts it (a named role)."""
    from anxin.cases.models import BullyingCase
    from anxin.core import duties

    def figure(user, key):
        return next(f.value for f in duties.figures_for(user) if f.key == key)

    case = new_case()
    BullyingCase.objects.filter(pk=case.pk).update(report_late=True)  # a late first report (LAW 7)
    bureau, principal = cw.user[Role.BUREAU_SAFETY], cw.user[Role.PRINCIPAL]
    before = {"late": figure(bureau, "cases.late"), "open": figure(principal, "cases.open")}
    sealing.seal(case, by=leader, reason=REASON)
    assert figure(bureau, "cases.late") == before["late"] - 1
    assert figure(principal, "cases.open") == before["open"]
    home = as_user(bureau).get(reverse("core:home")).content.decode()
    assert "迟报" in home and case.number not in home


def test_only_named_roles_seal_with_a_reason_and_both_ways_are_audited(cw, new_case, leader, mm, as_user):
    case = new_case()
    with pytest.raises(PermissionDenied):
        sealing.seal(case, by=mm, reason=REASON)
    with pytest.raises(ValidationError) as exc:
        sealing.seal(case, by=leader, reason=" ")
    assert "请写明封存理由" in " ".join(exc.value.messages)
    # through the case page
    client = as_user(leader)
    resp = client.post(reverse("cases:case_seal", args=[case.pk]), {"op": "seal", "reason": REASON})
    assert resp.status_code == 302
    assert CaseSeal.objects.filter(case=case, unsealed_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="case.seal", object_id=str(case.pk)).exists()
    assert case.events.filter(kind="record.sealed").exists()
    with pytest.raises(ValidationError):
        sealing.seal(case, by=leader, reason=REASON)  # sealed already
    # a middle manager can neither see nor unseal it
    assert (
        as_user(mm)
        .post(reverse("cases:case_seal", args=[case.pk]), {"op": "unseal", "reason": "x" * 10})
        .status_code
        == 404
    )
    client = as_user(leader)
    client.post(
        reverse("cases:case_seal", args=[case.pk]), {"op": "unseal", "reason": "判决撤销，依法解除封存"}
    )
    seal = CaseSeal.objects.get(case=case)
    assert seal.unsealed_at is not None and seal.unsealed_by == leader and seal.unseal_reason
    assert AuditEvent.objects.filter(action="case.unseal", object_id=str(case.pk)).exists()
    assert case.events.filter(kind="record.unsealed").exists()
    page = as_user(mm).get(reverse("cases:case_list")).content.decode()
    assert case.number in page  # visible again


def test_the_legal_vice_principal_it_was_referred_to_sees_and_may_seal_it(cw, new_case, leader, mm, as_user):
    from anxin.cases.models import CaseReferral
    from anxin.core import clock

    vp = cw.user[Role.LEGAL_VP]
    case, other = new_case(), new_case()
    for c in (case, other):
        sealing.seal(c, by=leader, reason=REASON)
    CaseReferral.objects.create(
        county=cw.county_a,
        school=cw.school_a1,
        case=case,
        to_user=vp,
        purpose="训诫",
        referred_at=clock.now(),
        referred_by=mm,
    )
    client = as_user(vp)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert client.get(reverse("cases:case_detail", args=[other.pk])).status_code == 404  # not referred
    sealing.unseal(case, by=vp, reason="法院裁定解除封存")
    assert sealing.active_seal(case) is None


def test_the_tendency_register_does_not_name_a_sealed_source_case(cw, sealed, as_user):
    """The register entry a case fed keeps its grounds, but the sealed case is not named (page
    and API) to those who may not see it; the named roles still get the link."""
    from anxin.screening.models import TendencyEntry

    case, visible = sealed
    entry = TendencyEntry.objects.create(
        county=cw.county_a,
        school=cw.school_a1,
        student=cw.student_other_class,
        grounds="经学生欺凌治理委员会认定",
        source="case",
        case_ids=[case.pk, visible.pk],
        added_by=cw.user[Role.SAFETY_LEADER],
        review_due="2027-03-01",
    )
    page = reverse("screening:tendency_detail", args=[entry.pk])
    mm = as_user(cw.user[Role.MIDDLE_MANAGER])
    body = mm.get(page).content.decode()
    assert visible.number in body and case.number not in body
    api = mm.get(f"/api/v1/screening/tendency/{entry.pk}/").json()
    assert api["case_ids"] == [visible.pk]
    listed = {r["id"]: r for r in mm.get("/api/v1/screening/tendency/").json()["results"]}
    assert listed[entry.pk]["case_ids"] == [visible.pk]
    leader = as_user(cw.user[Role.SAFETY_LEADER])
    assert case.number in leader.get(page).content.decode()
    assert leader.get(f"/api/v1/screening/tendency/{entry.pk}/").json()["case_ids"] == [case.pk, visible.pk]
