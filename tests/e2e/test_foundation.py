"""Main flows of the foundation, as a person does them, on a phone and a desktop viewport."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_class_teacher_logs_in_and_sees_only_their_class(live_server, page):
    w = build_world()
    teacher = w.user[Role.CLASS_TEACHER]
    login(page, live_server, teacher.username, PASSWORD)
    page.wait_for_url("**/home/")
    assert page.get_by_role("heading", name="工作台").is_visible()
    page.goto(f"{live_server.url}/roster/students/")
    body = page.locator("main").inner_text()
    assert "张小明" in body  # own class
    for other in ("李小红", "王小刚", "赵小丽"):  # other class, other school, other county
        assert other not in body
    shot(page, "class-teacher-students")
    # another class's student page is not there for them
    resp = page.goto(f"{live_server.url}/roster/students/{w.student_other_class.pk}/")
    assert resp.status == 404


def _roster_with_errors() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "姓名",
            "性别",
            "出生日期",
            "民族",
            "身份证件类型",
            "身份证件号",
            "年级",
            "班级",
            "成员1姓名",
            "成员1关系",
            "成员1联系电话",
            "成员1是否监护人",
        ]
    )
    ws.append(
        [
            "刘一",
            "男",
            "2013-03-05",
            "汉族",
            "居民身份证",
            "640122201303050013",
            "初一",
            "1班",
            "刘大",
            "父亲",
            "13900001111",
            "是",
        ]
    )
    ws.append(
        [
            "陈二",
            "女",
            "2013-02-30",
            "回族",
            "居民身份证",
            "640122201302300026",
            "初一",
            "1班",
            "陈大",
            "母亲",
            "13900002222",
            "是",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_safety_leader_imports_a_roster_with_errors_and_reads_the_report(live_server, page, tmp_path):
    w = build_world()
    leader = w.user[Role.SAFETY_LEADER]
    login(page, live_server, leader.username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/roster/imports/")
    path = tmp_path / "名册.xlsx"
    path.write_bytes(_roster_with_errors())
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    assert "第3行" in text and "出生日期" in text
    shot(page, "roster-import-report")
    # nothing is imported by default from an invalid file
    from anxin.roster.models import Student

    assert not Student.objects.filter(name__in=["刘一", "陈二"]).exists()


def test_an_evaluator_finds_the_public_pages_and_a_bare_second_factor_page(live_server, page, settings):
    """The first minutes on a trial server: the demo banner, the public report form linked from
    the login page, and the TOTP page with nothing but the code form (and a way out)."""
    settings.ANXIN_DEMO = True
    w = build_world()
    page.goto(f"{live_server.url}/accounts/login/")
    assert page.get_by_role("note").inner_text().startswith("演示系统")
    shot(page, "login-demo")
    page.get_by_role("link", name="匿名举报").click()
    page.wait_for_url("**/report/")
    assert page.get_by_role("heading").first.is_visible()
    login(page, live_server, w.user[Role.AUDITOR].username, PASSWORD)
    page.wait_for_url("**/otp/**")
    assert page.locator("#sidenav").count() == 0
    assert page.get_by_label("6位动态验证码").is_visible()
    assert page.get_by_role("button", name="退出").is_visible()
    shot(page, "otp-bare")


def test_on_a_phone_list_filters_fold_behind_one_button_and_there_is_no_export(live_server, page):
    w = build_world()
    login(page, live_server, w.user[Role.SAFETY_LEADER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/roster/students/?q=张")
    toggle = page.get_by_role("button", name="筛选")
    export = page.locator('a[href*="format=xlsx"]')
    if page.viewport_name == "phone":
        assert toggle.inner_text() == "筛选（1）"  # one filter in use
        assert not page.locator("#list-filters").is_visible()
        assert export.count() == 0 or not export.first.is_visible()
        toggle.click()
        assert page.locator("#list-filters").is_visible()
        assert toggle.get_attribute("aria-expanded") == "true"
    else:
        assert not toggle.is_visible()
        assert page.locator("#list-filters").is_visible()
        assert export.first.is_visible()
    shot(page, "students-filters")
