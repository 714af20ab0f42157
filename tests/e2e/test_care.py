"""Care flows as a person does them (R-CARE-1, R-CARE-2), on a phone and a desktop viewport:
a class teacher logs a talk in under a minute and sees it on the plan's timeline; an anomaly
becomes an intervention task the safety leader sees."""

from __future__ import annotations

import time

import pytest

from anxin.care import services
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _world_with_plan():
    w = build_world()
    plan = services.create_plan(w.user[Role.SAFETY_LEADER], w.student_own, level="red", reason="双亲留守")
    return w, plan


def test_class_teacher_logs_a_talk_in_under_a_minute_and_sees_it_on_the_timeline(live_server, page):
    w, plan = _world_with_plan()
    login(page, live_server, w.user[Role.CLASS_TEACHER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/care/")
    started = time.monotonic()
    # tap 1: the student's "记录谈话" button on "关爱对象"
    page.get_by_role("link", name="记录谈话").click()
    page.wait_for_url(f"**/care/plans/{plan.pk}/log/")
    assert page.get_by_label("方式").input_value() == "talk"  # defaults: talk, now, me, the plan's student
    assert page.get_by_label("时间").input_value()
    # tap 2: type the summary; tap 3: save
    page.get_by_label("情况摘要").fill("课间谈心，学生说和同桌关系好转，周末想给外出务工的父母打电话。")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/care/plans/{plan.pk}/**")
    elapsed = time.monotonic() - started
    timeline = page.locator("main").inner_text()
    assert "已记录" in timeline
    assert "课间谈心，学生说和同桌关系好转" in timeline
    assert "谈心谈话" in timeline and "a_class_teacher" in timeline
    assert "尚未联系" not in timeline
    assert elapsed < 60
    shot(page, "care-talk-on-timeline")


def test_empty_quick_log_shows_chinese_errors(live_server, page):
    w, plan = _world_with_plan()
    login(page, live_server, w.user[Role.CLASS_TEACHER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/care/plans/{plan.pk}/log/")
    page.get_by_label("发现异常（将生成干预任务并通知分管安全副校长）").check()
    page.get_by_role("button", name="保存").click()
    text = page.locator("main").inner_text()
    assert "请填写情况摘要。" in text and "发现异常时请写明异常情况。" in text
    shot(page, "care-log-errors")


def test_anomaly_creates_a_task_the_safety_leader_sees(live_server, page):
    w, plan = _world_with_plan()
    login(page, live_server, w.user[Role.CLASS_TEACHER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/care/plans/{plan.pk}/log/")
    page.get_by_label("方式").select_option("home_visit")
    page.get_by_label("情况摘要").fill("家访，祖母说孩子最近回家不爱说话，书包里的钱常常不见。")
    page.get_by_label("发现异常（将生成干预任务并通知分管安全副校长）").check()
    page.get_by_label("异常情况").fill("疑似在校被索要财物")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/care/plans/{plan.pk}/**")
    assert "已生成干预任务" in page.locator("main").inner_text()

    page.context.clear_cookies()
    login(page, live_server, w.user[Role.SAFETY_LEADER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/notifications/")
    assert "关爱对象出现异常，已生成干预任务" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}/care/tasks/")
    page.get_by_role("link", name="家访发现异常，及时干预").click()
    text = page.locator("main").inner_text()
    assert "疑似在校被索要财物" in text and "张小明" in text and "待处理" in text
    shot(page, "care-task-for-safety-leader")
