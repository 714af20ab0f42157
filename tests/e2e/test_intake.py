"""Reporting channels in a real browser (issue 4): a student on a phone submits an anonymous
report with a photo, keeps the follow-up code, reads the school's reply and adds a message;
then presses emergency help, and the on-duty leader sees the alert in their notifications."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from anxin.core.testing import PASSWORD
from anxin.intake.models import EmergencyRequest, Report, ReportMessage
from anxin.screening.models import HazardPoint
from tests.e2e.conftest import login, shot


@pytest.fixture
def photo_file(tmp_path):
    path = tmp_path / "evidence.jpg"
    img = Image.new("RGB", (320, 240), (180, 40, 40))
    buf = io.BytesIO()
    img.save(buf, format="JPEG")
    path.write_bytes(buf.getvalue())
    return path


@pytest.mark.django_db(transaction=True)
def test_anonymous_report_follow_up_and_emergency_help(
    page, live_server, world, photo_file, browser, settings
):
    settings.MEDIA_ROOT = str(photo_file.parent / "media")
    school = world.school_a1
    base = f"{live_server.url}/s/{school.public_code}"
    spot = HazardPoint.objects.create(
        county=school.county, school=school, name="教学楼三楼东侧厕所", kind="toilet"
    )

    # 1. the report form, phone first, no login
    page.goto(f"{base}/report/")
    page.get_by_label("学生", exact=True).check()
    page.get_by_label(re.compile("肢体欺凌")).check()
    page.get_by_label("请说说发生了什么").fill("课间在三楼厕所，两个同学推我，还抢了我的饭卡。")
    page.get_by_label("在哪里").select_option(label="教学楼三楼东侧厕所")  # one of the school's places
    page.locator("input[type=file]").set_input_files(str(photo_file))
    shot(page, "intake-report-form")
    page.get_by_role("button", name="提交举报").click()
    page.get_by_text("举报已提交，谢谢你！").wait_for()
    code = page.locator("#followup-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", code)
    shot(page, "intake-report-done")
    report = Report.objects.get(school=school)
    assert report.attachments.count() == 1
    assert report.spot == spot and report.place_kind == "toilet"

    # 2. the safety leader opens it from the triage inbox and replies on the staff page
    staff_ctx = browser.new_context(viewport=page.viewport_size, locale="zh-CN", timezone_id="Asia/Shanghai")
    staff = staff_ctx.new_page()
    staff.viewport_name = page.viewport_name
    try:
        login(staff, live_server, world.user["safety_leader"].username, PASSWORD)
        staff.goto(f"{live_server.url}/intake/")
        staff.get_by_role("link", name=f"#{report.pk}").click()
        staff.get_by_text("课间在三楼厕所").wait_for()
        staff.get_by_text("教学楼三楼东侧厕所").wait_for()
        staff.get_by_label("回复举报人").fill("我们收到了，班主任今天会找你了解情况。")
        staff.get_by_role("button", name="发送回复").click()
        staff.get_by_text("回复已发出").wait_for()
        shot(staff, "intake-triage-detail")
    finally:
        staff_ctx.close()
    assert ReportMessage.objects.filter(report=report, sender="school").count() == 1

    # 3. the reporter reads the reply with the code and adds a message
    page.goto(f"{base}/followup/")
    page.get_by_label("跟进码").fill(code.lower())
    page.get_by_role("button", name="查看").click()
    page.get_by_text("我们收到了，班主任今天会找你了解情况。").wait_for()
    assert "学校已受理" in page.locator("#report-status").inner_text()
    page.get_by_label("补充情况").fill("今天放学他们又在校门口堵我。")
    page.get_by_role("button", name="提交补充").click()
    page.get_by_text("补充已提交，学校会看到。").wait_for()
    page.get_by_text("今天放学他们又在校门口堵我。").wait_for()
    shot(page, "intake-followup-thread")
    assert ReportMessage.objects.filter(report=report, sender="reporter").count() == 1

    # 4. emergency help: one tap
    page.goto(f"{base}/help/")
    page.get_by_label("你在哪里？（可不填）").fill("操场东边")
    page.get_by_role("button", name="紧急求救").click()
    page.get_by_text("已通知学校值班领导").wait_for()
    shot(page, "intake-help-sent")
    em = EmergencyRequest.objects.get(school=school)
    assert em.place == "操场东边"

    # 5. the on-duty leader (no roster: the safety leader) sees the alert in their notifications
    ctx = browser.new_context(viewport=page.viewport_size, locale="zh-CN", timezone_id="Asia/Shanghai")
    leader_page = ctx.new_page()
    leader_page.viewport_name = page.viewport_name
    try:
        login(leader_page, live_server, world.user["safety_leader"].username, PASSWORD)
        leader_page.goto(f"{live_server.url}/notifications/")
        leader_page.get_by_text(f"紧急求救：{school.name}").first.wait_for()
        assert "操场东边" in leader_page.content()
        shot(leader_page, "intake-leader-alert")
        # the leader opens it and responds
        leader_page.goto(f"{live_server.url}/intake/emergencies/{em.pk}/")
        leader_page.get_by_role("button", name="已响应，正在处置").click()
        leader_page.get_by_text("已响应。请尽快到场处置。").wait_for()
    finally:
        ctx.close()
    em.refresh_from_db()
    assert em.status == "acknowledged"
