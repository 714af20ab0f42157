"""Education flows in a browser, on a phone and a desktop viewport: the 德育主任 shows a
training's check-in code and a member of staff checks in on their phone by its address (login,
confirm, that user only); the 德育主任 records a 主题班会 for classes (R-EDU-1)."""

from __future__ import annotations

import pytest

from anxin.core import clock
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from anxin.education import checkin as qr
from anxin.education import services
from anxin.education.models import Activity, ClassAttendance, StaffAttendance
from tests.e2e.conftest import PHONE, login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_member_checks_in_to_a_training_by_qr_on_a_phone(live_server, page, browser):
    w = build_world()
    mm, teacher = w.user[Role.MIDDLE_MANAGER], w.user[Role.CLASS_TEACHER]
    a = services.create_activity(
        mm,
        w.school_a1,
        {
            "kind": "staff_training",
            "title": "欺凌早期识别专题培训",
            "held_on": clock.today(),
            "staff_level": "all",
        },
    )
    login(page, live_server, mm.username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/education/activities/{a.pk}/")
    page.get_by_role("link", name="显示签到码").click()
    page.wait_for_url(f"**/education/activities/{a.pk}/qr/")
    assert page.locator(".edu-qr svg").is_visible()
    shot(page, "education-checkin-qr")

    # the staff member's phone: scan (open the code's address), log in, confirm
    url = qr.checkin_url(a)
    path = url[url.index("/education/") :]
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone = ctx.new_page()
    phone.viewport_name = "phone-staff"
    phone.goto(f"{live_server.url}{path}")
    phone.wait_for_url("**/accounts/login/**")
    phone.get_by_label("用户名或手机号").fill(teacher.username)
    phone.get_by_label("密码").fill(PASSWORD)
    phone.get_by_role("button", name="登录").click()
    phone.wait_for_url(f"**{path}")
    assert "欺凌早期识别专题培训" in phone.locator("main").inner_text()
    shot(phone, "education-checkin-confirm")
    phone.get_by_role("button", name="确认签到").click()
    phone.get_by_text("签到成功").wait_for()
    shot(phone, "education-checkin-done")
    ctx.close()
    row = StaffAttendance.objects.get(activity=a)
    assert (row.user, row.via) == (teacher, "qr")

    # the organiser closes it: a late scan is refused
    page.goto(f"{live_server.url}/education/activities/{a.pk}/")
    assert "扫码" in page.locator("main").inner_text()
    page.get_by_role("button", name="结束活动（关闭签到）").click()
    page.get_by_text("签到已关闭").first.wait_for()
    assert Activity.objects.get(pk=a.pk).status == "closed"


def test_moral_education_lead_records_a_class_meeting_for_classes(live_server, page):
    w = build_world()
    mm = w.user[Role.MIDDLE_MANAGER]
    login(page, live_server, mm.username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/education/")
    page.get_by_role("link", name="登记活动").click()
    page.locator("select[name=kind]").select_option("class_meeting")
    page.locator("input[name=title]").fill("拒绝欺凌，友善同行")
    page.locator("input[name=held_on]").fill(clock.today().isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/education/activities/*/classes/")
    page.locator(f"input[name=c{w.class_a1_1.pk}]").check()
    page.locator(f"input[name=n{w.class_a1_1.pk}]").fill("45")
    page.locator(f"input[name=c{w.class_a1_2.pk}]").check()
    shot(page, "education-class-meeting-classes")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/education/activities/*/")
    text = page.locator("main").inner_text()
    assert "已保存参加班级（2个班）" in text and "45人" in text
    a = Activity.objects.get(title="拒绝欺凌，友善同行")
    assert ClassAttendance.objects.filter(activity=a).count() == 2
    shot(page, "education-class-meeting")
    page.goto(f"{live_server.url}/education/coverage/")
    assert "主题班会" in page.locator("main").inner_text()
    shot(page, "education-coverage")


def test_class_teacher_records_the_class_meeting_from_the_duty_on_a_phone(live_server, page):
    w = build_world()
    teacher = w.user[Role.CLASS_TEACHER]
    services.update_setting(w.user[Role.BUREAU_SAFETY], w.county_a.pk, {"class_meetings_per_term": 1})
    login(page, live_server, teacher.username, PASSWORD)
    page.wait_for_url("**/home/")
    duty = page.locator(".duty", has_text="本学期主题班会 0/1 次")
    duty.get_by_role("link", name="登记班会").click()
    page.wait_for_url("**/education/class-meeting/new/**")
    page.locator("input[name=title]").fill("做勇敢的旁观者")
    page.locator("input[name=present]").fill("42")
    shot(page, "education-class-meeting-teacher")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/home/")
    page.get_by_text("已登记主题班会").wait_for()
    assert "本学期主题班会 0/1 次" not in page.locator("main").inner_text()
    row = ClassAttendance.objects.get(activity__title="做勇敢的旁观者")
    assert (row.klass_id, row.students) == (w.class_a1_1.pk, 42)
