"""签发: a report to the bureau is signed off in the system by the principal, or by the deputy
the principal designated (org Duty.REPORT_SIGN), before it can be sent (seed 二(四); issue 11
item 6). The signer printed on the .docx is that person; an edit after sign-off clears it; the
principal owes "首报待签发" on 工作台 until it is signed."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from docx import Document

from anxin.cases import documents, services
from anxin.cases.models import BureauReport, CaseEvent
from anxin.core import clock, duties
from anxin.org import services as org_services
from anxin.org.models import Duty


@pytest.fixture
def draft(new_case, mm):
    case = new_case(source="public_opinion")  # a 首报 due within 2 hours (LAW 7)
    services.record_immediate(case, by=mm, kind="separate", taken_at=clock.now())
    return services.draft_report(case, by=mm)


def _sign_refs(user, now=None) -> set[str]:
    return {d.ref for d in duties.duties_for(user, now or clock.now(), kinds=["cases.report_sign"])}


def test_contact_is_prefilled_from_the_schools_leadership(cw, draft):
    leader = cw.user["safety_leader"]
    assert draft.contact.startswith(leader.real_name)
    cw.school_a1.safety_leader_phone = "0951-8012345"
    cw.school_a1.save()
    assert services.leadership_contact(cw.school_a1) == f"{leader.real_name} 0951-8012345"


def test_cannot_send_without_sign_off(cw, draft, leader):
    with pytest.raises(ValidationError) as exc:
        services.submit_report(draft, by=leader)
    assert "报告须经校长（或校长指定的副校长）在系统中签发后才能报送" in exc.value.messages
    draft.refresh_from_db()
    assert draft.submitted_at is None


def test_only_the_principal_signs_unless_a_deputy_is_designated(cw, draft, leader, mm):
    principal = cw.user["principal"]
    for nobody in (leader, mm, cw.user["class_teacher"]):
        with pytest.raises(PermissionDenied):
            services.sign_off(nobody, draft)
    # the safety leader cannot designate themself: only the principal designates
    with pytest.raises(ValidationError, match="只有校长可以指定"):
        org_services.set_responsibility(leader, cw.school_a1, Duty.REPORT_SIGN, leader)
    # nor may the principal designate someone who is not a deputy (副校长)
    with pytest.raises(ValidationError):
        org_services.set_responsibility(principal, cw.school_a1, Duty.REPORT_SIGN, mm)
    designation = org_services.set_responsibility(principal, cw.school_a1, Duty.REPORT_SIGN, leader)
    with pytest.raises(PermissionDenied):  # nor undo the principal's designation
        org_services.remove_responsibility(leader, designation)
    # the designation is optional: never a 未落实 gap in the matrix
    assert Duty.REPORT_SIGN not in org_services.required_duties(cw.school_a1)
    assert services.may_sign(leader, draft)
    services.sign_off(leader, draft)
    draft.refresh_from_db()
    assert draft.signed_off_by == leader and draft.signer_name == leader.real_name
    assert CaseEvent.objects.filter(case=draft.case, kind="report.signed_off").exists()
    with pytest.raises(ValidationError):  # already signed
        services.sign_off(principal, draft)
    services.submit_report(draft, by=leader)
    with pytest.raises(ValidationError):  # a report sent cannot be signed again
        services.sign_off(principal, BureauReport.objects.get(pk=draft.pk))


def test_an_edit_after_sign_off_clears_it(cw, draft, mm, leader):
    principal = cw.user["principal"]
    services.sign_off(principal, draft)
    services.update_report(draft, by=mm, contact=draft.contact)  # nothing changed: still signed
    draft.refresh_from_db()
    assert draft.signed_off_at is not None
    services.update_report(draft, by=mm, place="教学楼三楼走廊")
    draft.refresh_from_db()
    assert draft.signed_off_at is None and draft.signed_off_by is None
    assert CaseEvent.objects.filter(case=draft.case, kind="report.signoff_cleared").exists()
    with pytest.raises(ValidationError):
        services.submit_report(draft, by=leader)
    services.sign_off(principal, draft)
    services.submit_report(draft, by=leader)
    draft.refresh_from_db()
    assert draft.submitted_at is not None


def test_the_docx_prints_the_signers_name(cw, draft, leader):
    principal = cw.user["principal"]
    principal.real_name = "王建国"
    principal.save()
    unsigned = Document(io.BytesIO(documents.report_docx(draft)))
    assert not any(p.text.startswith("签发人") for p in unsigned.paragraphs)
    services.sign_off(principal, draft)
    services.submit_report(draft, by=leader)
    report = BureauReport.objects.select_related("signed_off_by").get(pk=draft.pk)
    doc = Document(io.BytesIO(documents.report_docx(report)))
    assert "签发人：王建国" in [p.text for p in doc.paragraphs]


def test_the_api_signs_off_and_refuses_to_send_unsigned(cw, draft, leader, as_user):
    url = f"/api/v1/case-reports/{draft.pk}"
    lc = as_user(leader)
    resp = lc.post(f"{url}/submit/")
    assert resp.status_code == 400
    assert "签发后才能报送" in resp.content.decode()
    assert lc.post(f"{url}/sign-off/").status_code == 403  # not designated
    pc = as_user(cw.user["principal"])
    resp = pc.post(f"{url}/sign-off/")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["signed_off_by"] == cw.user["principal"].pk and body["signer_name"]
    assert pc.post(f"{url}/sign-off/").status_code == 400  # already signed
    resp = as_user(leader).post(f"{url}/submit/")
    assert resp.status_code == 200 and resp.json()["submitted_at"]


def test_the_sign_duty_is_the_principals_due_at_the_legal_deadline(cw, draft, leader):
    principal = cw.user["principal"]
    ref = f"cases.bureaureport:{draft.pk}:sign"
    found = [
        d for d in duties.duties_for(principal, clock.now(), kinds=["cases.report_sign"]) if d.ref == ref
    ]
    assert found and found[0].is_mine(principal)
    assert found[0].due_at() == draft.case.report_due_at and "待签发" in found[0].title
    assert ref not in _sign_refs(leader)  # not designated: not theirs
    assert ref not in _sign_refs(cw.user["middle_manager"])
    # past the deadline it is overdue, in red
    late = draft.case.report_due_at + dt.timedelta(minutes=1)
    with time_machine.travel(late, tick=False):
        d = next(d for d in duties.duties_for(principal, late, kinds=["cases.report_sign"]) if d.ref == ref)
        assert d.state(late) == duties.State.OVERDUE
    services.sign_off(principal, draft)
    assert ref not in _sign_refs(principal)
