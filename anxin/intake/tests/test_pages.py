"""Every staff page of the reporting channels renders for those allowed, in Chinese, with no
inline script or style (CSP), and every mutation is POST-only."""

from __future__ import annotations

import re

import pytest

from anxin.core.roles import Role
from anxin.intake import services
from anxin.intake.tests.conftest import FORM


@pytest.fixture
def items(world):
    report = services.submit_report(school=world.school_a1, data=dict(FORM)).report
    em, _token = services.raise_emergency(school=world.school_a1, place="操场")
    return report, em


def test_staff_pages_render_without_inline_script_or_style(world, as_user, items):
    report, em = items
    c = as_user(world.user[Role.SAFETY_LEADER])
    pages = [
        "/intake/",
        "/intake/?state=all&urgency=high&hinted=true",
        f"/intake/reports/{report.pk}/",
        "/intake/concerns/new/",
        "/intake/record/",
        "/intake/mine/",
        "/intake/emergencies/",
        f"/intake/emergencies/{em.pk}/",
        "/intake/duty/",
        "/intake/posters/",
    ]
    for url in pages:
        r = c.get(url)
        assert r.status_code == 200, url
        body = r.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert " style=" not in body and "onclick=" not in body, url
    r = c.get("/intake/?format=xlsx")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")


def test_triage_acts_are_post_only(world, as_user, items):
    report, em = items
    c = as_user(world.user[Role.SAFETY_LEADER])
    for url in (
        f"/intake/reports/{report.pk}/close/",
        f"/intake/reports/{report.pk}/acknowledge/",
        f"/intake/emergencies/{em.pk}/acknowledge/",
    ):
        assert c.get(url).status_code == 405
    assert c.post(f"/intake/reports/{report.pk}/no-such-act/").status_code == 404


def test_a_closed_concern_page_offers_reopening_not_a_reply(world, as_user):
    concern = services.raise_concern(
        by=world.user[Role.CLASS_TEACHER], school=world.school_a1, text="情绪低落", student=world.student_own
    )
    services.close(
        concern, by=world.user[Role.SAFETY_LEADER], kind="resolved", reason="已与家长沟通，情况好转"
    )
    body = as_user(world.user[Role.SAFETY_LEADER]).get(f"/intake/reports/{concern.pk}/").content.decode()
    assert "重新打开" in body and "发送回复" not in body and "办结（不立案）" not in body
    assert "已与家长沟通，情况好转" in body and world.student_own.name in body
