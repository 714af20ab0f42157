"""Every role against every list page and API endpoint of this app: allowed exactly where the
policy grants the right, refused (403, audited) elsewhere; anonymous users go to the login."""

import pytest

from anxin.core import policy
from anxin.core.models import AuditEvent
from anxin.core.roles import Role
from anxin.screening.tests.helpers import open_round, record

PAGES = {
    "/screening/rounds/": "screening.screeninground.view",
    "/screening/surveys/": "screening.peersurvey.view",
    "/screening/vulnerable/": "screening.vulnerabilityentry.view",
    "/screening/tendency/": "screening.tendencyentry.view",
    "/screening/risk/": "screening.riskstate.view",
    "/screening/risk/changes/": "screening.riskstate.view",
    "/screening/risk/rules/": "screening.riskstate.view",
    "/screening/counts/": "screening.counts.view",
    "/screening/hazards/": "screening.hazardpoint.view",
    "/screening/hazards/overview/": "screening.hazardpoint.view",
    "/screening/hazards/coverage/": "screening.hazardpoint.view",
    "/screening/cameras/": "screening.camera.view",
    "/screening/duty/": "screening.dutyshift.view",
    "/screening/duty/logs/": "screening.dutylog.view",
    "/screening/problems/": "screening.rectification.view",
    "/screening/categories/": "screening.vulnerabilitycategory.view",
}
API = {
    "rounds": "screening.screeninground.view",
    "records": "screening.screeningrecord.view",
    "surveys": "screening.peersurvey.view",
    "survey-responses": "screening.surveyresponse.view",
    "categories": "screening.vulnerabilitycategory.view",
    "vulnerable": "screening.vulnerabilityentry.view",
    "tendency": "screening.tendencyentry.view",
    "risk": "screening.riskstate.view",
    "risk-history": "screening.riskstate.view",
    "hazards": "screening.hazardpoint.view",
    "measures": "screening.hazardpoint.view",
    "zones": "screening.camera.view",
    "cameras": "screening.camera.view",
    "duty-shifts": "screening.dutyshift.view",
    "duty-logs": "screening.dutylog.view",
    "rectifications": "screening.rectification.view",
    "counts": "screening.counts.view",
}


@pytest.mark.parametrize("role", [*Role.values, "outsider"])
def test_every_role_gets_exactly_what_the_policy_grants(world, as_user, role):
    rnd = open_round(world)
    record(world, rnd, world.student_own)
    user = world.outsider if role == "outsider" else world.user[role]
    c = as_user(user)
    for url, perm in PAGES.items():
        expected = 200 if policy.can(user, perm) else 403
        assert c.get(url).status_code == expected, (role, url)
    for name, perm in API.items():
        expected = 200 if policy.can(user, perm) else 403
        assert c.get(f"/api/v1/screening/{name}/").status_code == expected, (role, name)
    home = c.get("/screening/")
    assert home.status_code in (200, 403)
    if role == "auditor":
        assert home.status_code == 403


def test_a_refusal_is_audited(world, as_user):
    as_user(world.user["security_staff"]).get("/screening/tendency/")
    assert AuditEvent.objects.filter(action="denied", result="denied").exists()


def test_anonymous_users_are_sent_to_login(client, world):
    for url in PAGES:
        r = client.get(url)
        assert r.status_code == 302 and "/accounts/login/" in r["Location"], url


def test_menu_shows_the_section_for_school_roles(world, as_user):
    body = as_user(world.user["safety_leader"]).get("/screening/").content.decode()
    assert "排查与风险" in body and "/screening/tendency/" in body
    body = as_user(world.user["security_staff"]).get("/screening/").content.decode()
    assert "/screening/duty/logs/" in body and "/screening/tendency/" not in body
