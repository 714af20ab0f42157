"""SPEC R-Q-7: every legal parameter of LAW.md is a county setting with its legal source, kept
in versions with effective dates by the county's administrator; a case keeps the parameters in
force when it was opened."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from anxin.cases import params, scenarios, services
from anxin.cases.law import settings as law_settings
from anxin.cases.law.parameters import PARAMETERS
from anxin.cases.models import CaseState, LegalParameterVersion
from anxin.core import clock
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.core.testing import make_user

S = CaseState
API = "/api/v1/case-legal-parameters/"
DAY = dt.datetime(2026, 11, 2, 9, 0, tzinfo=clock.SHANGHAI)  # a Monday


def _refused(fn, *args, **kwargs) -> str:
    with pytest.raises(ValidationError) as exc:
        fn(*args, **kwargs)
    return " ".join(exc.value.messages)


@pytest.fixture
def admin(cw):
    return cw.user[Role.BUREAU_ADMIN]


def _investigation_days(case) -> int:
    inv = case.investigation
    return (clock.local_date(inv.due_at) - clock.local_date(inv.started_at)).days


def test_every_italic_setting_of_law_md_is_a_county_parameter_with_its_source():
    keys = {p.key for p in PARAMETERS}
    assert {
        "INVESTIGATION_DAYS",
        "INVESTIGATION_DAY_KIND",
        "BUREAU_REPORT_HOURS",
        "REPORT_RESULTS",
        "SEVERE_MIN_GRADE",
        "COMMITTEE_STUDENT_REP_WITH_SENIOR",
        "APPEAL_WORKING_DAYS",
        "COUNTY_REVIEW_DAYS",
        "CITY_REVIEW_ENABLED",
        "JOKE_REPEAT_DAYS",
    } <= keys
    for p in PARAMETERS:
        assert p.source and p.rule.startswith("LAW ")
        # the table's default is LAW.md's, and the deployment default matches it
        assert law_settings.DEFAULTS[p.key] == p.default


def test_a_case_keeps_the_parameters_in_force_when_it_was_opened(cw, admin, new_case, drive):
    with time_machine.travel(DAY, tick=False):
        version = params.set_version(
            by=admin,
            county_id=cw.county_a.pk,
            effective_from=dt.date(2026, 11, 12),
            values={"INVESTIGATION_DAYS": 5, "BUREAU_REPORT_HOURS": 1},
            reason="县教体局2026年第3次局务会议决定",
        )
        before = new_case()
        assert before.legal_params is None  # nothing in force yet: LAW.md's defaults
        assert law_settings.get("INVESTIGATION_DAYS", county_id=cw.county_a.pk) == 10
        # another county is not touched
        assert law_settings.get("INVESTIGATION_DAYS", county_id=cw.county_b.pk, on=dt.date(2027, 1, 1)) == 10
    with time_machine.travel(DAY + dt.timedelta(days=9), tick=False):
        assert law_settings.get("INVESTIGATION_DAYS", county_id=cw.county_a.pk) == 10
    with time_machine.travel(DAY + dt.timedelta(days=10), tick=False):
        assert law_settings.get("INVESTIGATION_DAYS", county_id=cw.county_a.pk) == 5
        after = new_case(source="public_opinion")
        assert after.legal_params_id == version.pk
        assert after.report_due_at == after.discovered_at + dt.timedelta(hours=1)
        drive(before, S.INVESTIGATING)
        drive(after, S.INVESTIGATING)
        # the case opened before the effective date keeps the old values
        assert _investigation_days(before) == 10
        assert _investigation_days(after) == 5
        # a later version changes neither case
        params.set_version(
            by=admin,
            county_id=cw.county_a.pk,
            effective_from=clock.today(),
            values={"INVESTIGATION_DAYS": 7},
            reason="市教育局通知调整",
        )
        assert law_settings.get("INVESTIGATION_DAYS", county_id=cw.county_a.pk) == 7
        # values not named are carried over from the version in force
        assert law_settings.get("BUREAU_REPORT_HOURS", county_id=cw.county_a.pk) == 1
        after.refresh_from_db()
        assert law_settings.get("INVESTIGATION_DAYS", case=after) == 5
        assert law_settings.get("INVESTIGATION_DAYS", case=before) == 10


def test_the_report_list_and_appeal_days_come_from_the_case_parameters(cw, admin, new_case, drive, mm):
    params.set_version(
        by=admin,
        county_id=cw.county_a.pk,
        effective_from=clock.today(),
        values={"REPORT_RESULTS": ["serious", "severe", "criminal"], "COUNTY_REVIEW_DAYS": 10},
        reason="本县规定情节较重的也须报告",
    )
    case = new_case()
    drive(case, S.HANDLING, result="serious")
    case.refresh_from_db()
    assert case.report_required  # the county lists 情节较重 among the results to report at once
    scenarios.notify_sides(case, mm, "determination", participated=False)
    review = services.file_appeal(
        case,
        by=mm,
        kind="county_review",
        party=case.parties.get(role="alleged_bully"),
        appellant="家长",
        filed_on=clock.today(),
        grounds="认定过重",
    )
    assert review.due_on == clock.today() + dt.timedelta(days=10)


def test_only_the_county_administrator_sets_a_version(cw, admin, as_user):
    values = {"INVESTIGATION_DAYS": 7}
    kwargs = dict(
        county_id=cw.county_a.pk, effective_from=clock.today(), values=values, reason="调整调查时限"
    )
    for role in (Role.BUREAU_SAFETY, Role.PRINCIPAL, Role.SAFETY_LEADER, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            params.set_version(by=cw.user[role], **kwargs)
    other_admin = make_user("b_admin", cw.county_b, Role.BUREAU_ADMIN)
    with pytest.raises(PermissionDenied):
        params.set_version(by=other_admin, **kwargs)  # not their county
    assert not LegalParameterVersion.objects.exists()
    # the page: the safety staff read it, only the administrator's POST saves
    url = reverse("cases:legal_params")
    post = {"effective_from": clock.today().isoformat(), "reason": "调整调查时限"}
    post.update(_form_values(cw.county_a.pk, INVESTIGATION_DAYS=7))
    safety = as_user(cw.user[Role.BUREAU_SAFETY])
    assert safety.get(url).status_code == 200
    assert safety.post(url, post).status_code == 403
    assert not LegalParameterVersion.objects.exists()
    assert as_user(cw.user[Role.CLASS_TEACHER]).get(url).status_code == 403
    resp = as_user(admin).post(url, post)
    assert resp.status_code == 302
    v = LegalParameterVersion.objects.get()
    assert v.values["INVESTIGATION_DAYS"] == 7 and v.created_by == admin
    assert AuditEvent.objects.filter(object_type="cases.legalparameterversion", object_id=str(v.pk)).exists()


def _form_values(county_id, **changes) -> dict:
    out = {}
    for r in params.rows(county_id):
        value = changes.get(r.key, r.value)
        if r.param.kind == "bool":
            if value:
                out[r.key] = "on"
        elif r.param.kind == "results":
            out[r.key] = list(value)
        else:
            out[r.key] = value
    return out


def test_the_page_shows_each_value_with_its_default_and_legal_source(cw, admin, as_user):
    page = as_user(admin).get(reverse("cases:legal_params")).content.decode()
    assert "调查完成时限" in page and "10日" in page
    assert "《加强中小学生欺凌综合治理方案》" in page  # P2017, beside the investigation days
    assert "《中小学教育惩戒规则（试行）》" in page  # DR, beside the grade floor
    assert "保存新版本" in page
    principal_page = as_user(cw.user[Role.PRINCIPAL]).get(reverse("cases:legal_params")).content.decode()
    assert "调查完成时限" in principal_page and "保存新版本" not in principal_page


def test_out_of_range_values_and_past_dates_are_refused_in_chinese(cw, admin, as_user):
    kw = dict(by=admin, county_id=cw.county_a.pk, effective_from=clock.today(), reason="调整")
    assert "须在1至30日之间" in _refused(params.set_version, values={"INVESTIGATION_DAYS": 0}, **kw)
    assert "须在1至24小时之间" in _refused(params.set_version, values={"BUREAU_REPORT_HOURS": 48}, **kw)
    assert "须包括情节恶劣" in _refused(params.set_version, values={"REPORT_RESULTS": ["severe"]}, **kw)
    assert "不能设置" in _refused(params.set_version, values={"LOCKOUT_FAILURES": 3}, **kw)
    kw["effective_from"] = clock.today() - dt.timedelta(days=1)
    assert "不能早于今天" in _refused(params.set_version, values={"INVESTIGATION_DAYS": 7}, **kw)
    assert not LegalParameterVersion.objects.exists()
    resp = as_user(admin).post(
        API,
        {
            "effective_from": clock.today().isoformat(),
            "reason": "调整",
            "values": {"APPEAL_WORKING_DAYS": 99},
        },
        content_type="application/json",
    )
    assert resp.status_code == 400 and "须在5至30个工作日之间" in resp.content.decode()


def test_a_saved_version_is_never_edited(cw, admin):
    v = params.set_version(
        by=admin, county_id=cw.county_a.pk, effective_from=clock.today(), values={}, reason="首次设置"
    )
    v.values = {"INVESTIGATION_DAYS": 3}
    with pytest.raises(ValidationError):
        v.save()
    v.refresh_from_db()
    assert v.values["INVESTIGATION_DAYS"] == 10


def test_the_api_reads_for_county_roles_and_writes_for_the_administrator(cw, admin, as_user):
    body = as_user(cw.user[Role.BUREAU_SAFETY]).get(API).json()
    row = next(r for r in body["parameters"] if r["key"] == "APPEAL_WORKING_DAYS")
    assert row["value"] == 15 and row["default"] == 15 and "第17条" in row["source_text"]
    data = {
        "effective_from": clock.today().isoformat(),
        "reason": "调整申诉期限",
        "values": {"APPEAL_WORKING_DAYS": 20},
    }
    assert (
        as_user(cw.user[Role.BUREAU_SAFETY]).post(API, data, content_type="application/json").status_code
        == 403
    )
    assert as_user(cw.user[Role.CLASS_TEACHER]).get(API).status_code == 403
    resp = as_user(admin).post(API, data, content_type="application/json")
    assert resp.status_code == 201, resp.content
    body = as_user(cw.user[Role.SAFETY_LEADER]).get(API).json()
    assert body["in_force"] == resp.json()["id"]
    assert next(r for r in body["parameters"] if r["key"] == "APPEAL_WORKING_DAYS")["value"] == 20
    # another county reads its own values
    other = make_user("b_admin2", cw.county_b, Role.BUREAU_ADMIN)
    body = as_user(other).get(API).json()
    assert body["in_force"] is None and body["versions"] == []
