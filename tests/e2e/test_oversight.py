"""监督岗与问责 in a browser (R-SUP-4, R-CMP-4): a class teacher on shift records an observation at
a supervision post on a phone and flags it; the safety leader finds the 苗头 in the triage
inbox; the bureau opens the list for 通报约谈 and records an interview of the class over the
threshold. Each flow runs on the phone and the desktop viewport (the ``page`` fixture)."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.core import clock
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from anxin.oversight import services
from anxin.oversight.models import Action, Observation
from anxin.oversight.tests.conftest import make_case
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

SIGN = "两名学生在楼梯拐角围住一名初一学生索要零花钱"


def _world():
    from anxin.screening.models import HazardPoint

    w = build_world()
    leader, teacher = w.user[Role.SAFETY_LEADER], w.user[Role.CLASS_TEACHER]
    hazard = HazardPoint.objects.create(
        county=w.county_a, school=w.school_a1, name="教学楼东侧楼梯口", kind="stairs", owner=leader
    )
    post = services.save_post(by=leader, school=w.school_a1, data={"name": "东楼梯监督岗", "hazard": hazard})
    services.save_shift(
        by=leader,
        post=post,
        data={
            "weekday": clock.local_now().isoweekday(),
            "start_time": dt.time(0, 0),
            "end_time": dt.time(23, 59),
            "staff": teacher,
        },
    )
    for _i in range(2):
        make_case(w.school_a1, w.user[Role.MIDDLE_MANAGER], klass_students=[w.student_own])
    return w


def _context(browser, page):
    ctx = browser.new_context(viewport=page.viewport_size, locale="zh-CN", timezone_id="Asia/Shanghai")
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.viewport_name = page.viewport_name
    return ctx, pg


def _login_bureau(page, live_server, user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    login(page, live_server, user.username, PASSWORD)
    page.wait_for_url("**/otp/verify/**")
    page.locator("input[name=token]").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/home/")


def test_teacher_flags_at_a_post_leader_triages_bureau_interviews(live_server, page, browser):
    w = _world()
    base = live_server.url

    # 1. the class teacher on shift, on the phone: 我的监督岗 → 记录值岗情况 → 发现苗头
    login(page, live_server, w.user[Role.CLASS_TEACHER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{base}/oversight/mine/")
    page.get_by_text("东楼梯监督岗").first.wait_for()
    shot(page, "oversight-my-posts")
    page.get_by_role("link", name="记录值岗情况").first.click()
    page.get_by_label("值岗情况").fill(SIGN)
    page.get_by_label("发现苗头（推送到分管安全副校长的研判收件箱）").check()
    shot(page, "oversight-observe")
    page.get_by_role("button", name="提交").click()
    page.get_by_text("已记录并作为苗头报送分管安全副校长研判").wait_for()
    obs = Observation.objects.get()
    assert obs.flagged and obs.concern_id and obs.duty_log_id

    # 2. the safety leader sees the 苗头 in the triage inbox
    ctx, staff = _context(browser, page)
    try:
        login(staff, live_server, w.user[Role.SAFETY_LEADER].username, PASSWORD)
        staff.wait_for_url("**/home/")
        staff.goto(f"{base}/intake/")
        staff.locator("main table").get_by_text(
            "视频监控值守发现苗头"
        ).first.wait_for()  # the channel of a monitoring 苗头
        shot(staff, "oversight-inbox")
        staff.get_by_role("link", name=f"#{obs.concern_id}").click()
        staff.get_by_text(SIGN).first.wait_for()
        shot(staff, "oversight-inbox-sign")
        staff.goto(f"{base}/oversight/posts/")
        staff.get_by_text("隐患点无摄像头").first.wait_for()
    finally:
        ctx.close()

    # 3. the bureau opens the list for 通报约谈 and records an interview
    ctx, bureau = _context(browser, page)
    try:
        _login_bureau(bureau, live_server, w.user[Role.BUREAU_SAFETY])
        bureau.goto(f"{base}/oversight/accountability/")
        bureau.get_by_text("初一1班").first.wait_for()
        shot(bureau, "oversight-accountability")
        bureau.get_by_role("link", name="记录问责").first.click()
        bureau.get_by_label("问责方式").select_option(
            "interview"
        )  # the list suggests 通报; the bureau interviews
        bureau.get_by_label("被约谈人", exact=True).fill("初一1班班主任 王老师")
        bureau.get_by_label("约谈人", exact=True).fill("县教体局安全股 李股长")
        bureau.get_by_label("约谈要求与整改承诺").fill("本周召开主题班会，课间在楼梯口增设监督岗")
        bureau.get_by_label("整改责任人").select_option(str(w.user[Role.CLASS_TEACHER].pk))
        bureau.get_by_label("整改期限").fill((clock.today() + dt.timedelta(days=14)).isoformat())
        bureau.get_by_role("button", name="保存").click()
        bureau.get_by_text("已记录问责措施").wait_for()
        shot(bureau, "oversight-interview")
    finally:
        ctx.close()
    a = Action.objects.get()
    assert a.kind == "interview" and a.klass == w.class_a1_1 and a.interviewees == "初一1班班主任 王老师"
    assert a.owner == w.user[Role.CLASS_TEACHER]
