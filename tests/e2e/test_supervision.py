"""Supervision in a browser, on a phone and a desktop viewport (R-SUP-1): the responsible
supervisor plans a visit to their school, scores the checklist (a wrong score keeps everything
typed), completes the visit and raises a rectification item; the school's safety leader records
what was done with an evidence file and reports it; the supervisor verifies it."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.core import clock
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from anxin.supervision.models import RectificationItem, Visit
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

PDF = b"%PDF-1.4\n%e2e\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login_2fa(page, live_server, user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user).first() or TOTPDevice.objects.create(
        user=user, name="e2e", confirmed=True
    )
    # a second sign-in within the same 30 s would reuse the token django-otp already accepted
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    login(page, live_server, user.username, PASSWORD)
    page.wait_for_url("**/otp/verify/**")
    page.locator("input[name=token]").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/home/")


def test_supervisor_visits_scores_raises_school_fixes_supervisor_verifies(live_server, page, tmp_path):
    w = build_world()
    sup, leader = w.user[Role.SUPERVISOR], w.user[Role.SAFETY_LEADER]
    _login_2fa(page, live_server, sup)
    page.goto(f"{live_server.url}/supervision/")
    main = page.locator("main")
    assert w.school_a2.name not in main.inner_text()  # only the assigned school
    page.get_by_role("link", name="计划督导").first.click()
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/supervision/visits/*/")
    visit = Visit.objects.get(school=w.school_a1)
    scores = list(visit.scores.order_by("position", "id"))
    for s in scores:
        page.locator(f"#id_score_{s.pk}").fill(str(s.weight - 1))
    page.locator(f"#id_score_{scores[0].pk}").fill("99")
    page.locator(f"#id_note_{scores[1].pk}").fill("部分班主任未参训")
    page.get_by_label("主要发现").fill("操场东北角监控有盲区")
    page.get_by_role("button", name="完成督导").click()
    assert "得分须在 0 至" in main.inner_text()
    # what was typed is still there
    assert page.locator(f"#id_score_{scores[2].pk}").input_value() == str(scores[2].weight - 1)
    assert page.locator(f"#id_note_{scores[1].pk}").input_value() == "部分班主任未参训"
    assert page.get_by_label("主要发现").input_value() == "操场东北角监控有盲区"
    shot(page, "supervision-score-error")
    page.locator(f"#id_score_{scores[0].pk}").fill(str(scores[0].weight))
    page.get_by_role("button", name="完成督导").click()
    page.wait_for_url(f"**/supervision/visits/{visit.pk}/")
    assert "督导已完成" in main.inner_text()
    visit.refresh_from_db()
    assert visit.status == "done" and visit.total == sum(s.weight for s in scores) - len(scores) + 1
    page.get_by_role("link", name="提出整改").click()
    page.get_by_label("存在问题").fill("操场东北角监控有盲区")
    page.get_by_label("整改要求").fill("补装摄像头并安排专人查看")
    page.get_by_label("整改期限").fill((clock.today() + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/supervision/visits/{visit.pk}/")
    item = RectificationItem.objects.get(visit=visit)
    shot(page, "supervision-visit-done")

    page.context.clear_cookies()
    login(page, live_server, leader.username, PASSWORD)
    page.wait_for_url("**/home/")
    assert "督导整改" in page.locator("main").inner_text()  # the duty on 工作台
    page.goto(f"{live_server.url}/supervision/rectifications/{item.pk}/")
    evidence = tmp_path / "整改照片.pdf"
    evidence.write_bytes(PDF)
    page.locator("input[type=file]").set_input_files(str(evidence))
    page.get_by_role("button", name="上传", exact=True).click()
    assert "整改佐证已上传" in main.inner_text()
    page.get_by_label("整改情况").fill("已补装两台摄像头，课间由值班教师查看")
    page.get_by_role("button", name="报送核验").click()
    assert "已报送督学核验" in main.inner_text()
    shot(page, "supervision-rectification-reported")

    page.context.clear_cookies()
    _login_2fa(page, live_server, sup)
    assert "核验" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/supervision/rectifications/{item.pk}/")
    page.get_by_role("button", name="核验通过").click()
    assert "已核验通过" in main.inner_text()
    item.refresh_from_db()
    assert item.status == "verified" and item.reviewed_by == sup
    shot(page, "supervision-rectification-verified")
