"""Campaigns in a real browser (R-CMP-1, R-CMP-2), phone and desktop: the bureau creates the
seed's campaign from the template and watches a school's screening task turn done once the
school completes its round; a school's article goes submit → return → resubmit → accept and
the office downloads the booklet."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from anxin.core import clock
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from tests.e2e.conftest import login, login_with_totp, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _school_login(page, live_server, user):
    page.context.clear_cookies()
    login(page, live_server, user.username, PASSWORD)
    page.wait_for_url("**/home/")


def _complete_round(w):
    from anxin.screening import services

    leader = w.user[Role.SAFETY_LEADER]
    rnd = services.open_round(
        by=leader, school=w.school_a1, title="春季排查", deadline=clock.today() + dt.timedelta(days=7)
    )
    for student in (w.student_own, w.student_other_class):
        services.save_record(
            by=leader,
            round=rnd,
            student=student,
            data={"psych": "good", "mood": "stable", "peers": "harmonious"},
        )
    services.complete_round(by=leader, round=rnd)


def test_bureau_creates_a_campaign_and_sees_the_school_task_turn_done(live_server, page):
    w = build_world()
    login_with_totp(page, live_server, w.user[Role.BUREAU_SAFETY])
    if page.viewport_name == "phone":
        page.locator("[data-toggle-nav]").click()
    page.get_by_role("link", name="专项行动", exact=True).first.click()
    page.wait_for_url("**/campaigns/")
    page.get_by_role("link", name="建立专项行动").click()
    page.get_by_label("开始日期").fill(str(clock.today() - dt.timedelta(days=3)))
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/campaigns/*/")
    detail = page.locator("main").inner_text()
    assert "部署摸底" in detail and "集中整治" in detail and "深化提高" in detail
    assert "已建立专项行动" in detail
    shot(page, "campaign-detail")
    page.get_by_role("link", name="进度看板").click()
    page.wait_for_url("**/board/**")
    row = page.locator("tr", has=page.get_by_role("rowheader", name=w.school_a1.name))
    cell = row.locator("td.cell[title^='全面排查']")
    assert "进行中" in cell.inner_text() and "本阶段尚未开展排查" in cell.inner_text()
    # the school completes its screening round (services: the screening UI has its own tests)
    _complete_round(w)
    page.reload()
    cell = page.locator("tr", has=page.get_by_role("rowheader", name=w.school_a1.name)).locator(
        "td.cell[title^='全面排查']"
    )
    assert "已完成" in cell.inner_text()
    assert "done" in cell.get_attribute("class")
    shot(page, "campaign-board")
    # the school's own view: the task is done there too
    _school_login(page, live_server, w.user[Role.SAFETY_LEADER])
    page.goto(f"{live_server.url}/campaigns/mine/")
    item = page.locator(".tasklist li", has_text="全面排查：全校学生梳理排查")
    assert "已完成" in item.inner_text()
    shot(page, "campaign-school-tasks")
    # an evidenced task: the school reports it with a note
    page.locator(".tasklist li", has_text="查找存在的问题，明确整改措施").get_by_role(
        "link", name="上报"
    ).click()
    page.get_by_label("完成情况").fill(
        "已梳理问题 3 项：课间巡查不足、宿舍夜间值守空档、家校沟通不畅；整改措施已明确到人。"
    )
    page.get_by_role("button", name="上报").click()
    page.wait_for_load_state()
    assert "已上报" in page.locator("main").inner_text()
    shot(page, "campaign-evidence")
    page.get_by_role("link", name="返回任务列表").click()
    page.wait_for_url("**/campaigns/mine/**")
    assert "已完成" in page.locator(".tasklist li", has_text="查找存在的问题，明确整改措施").inner_text()


def test_article_returned_resubmitted_accepted_and_the_booklet_downloaded(live_server, page, tmp_path):
    from anxin.campaigns import services

    w = build_world()
    camp = services.create_from_template(
        by=w.user[Role.BUREAU_SAFETY],
        county=w.county_a,
        template_key="seed2024",
        start=clock.today() - dt.timedelta(days=40),
    )
    principal = w.user[Role.PRINCIPAL]
    _school_login(page, live_server, principal)
    page.goto(f"{live_server.url}/campaigns/articles/")
    page.get_by_role("link", name="撰写经验材料").click()
    page.get_by_label("标题").fill("织密排查网络，守护阳光校园")
    page.get_by_label("正文").fill("学校以班为单位开展全面排查。\n班主任逐一谈心，建立台账。")
    shot(page, "campaign-article-form")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/articles/*/")
    assert "草稿" in page.locator("main").inner_text()
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state()
    assert "已提交给教体局综合办" in page.locator("main").inner_text()
    article_url = page.url

    page.context.clear_cookies()
    login_with_totp(page, live_server, w.user[Role.BUREAU_SAFETY])
    page.goto(article_url)
    page.get_by_label("意见").fill("请补充具体成效数据。")
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_load_state()
    assert "已退回" in page.locator("main").inner_text()

    _school_login(page, live_server, principal)
    page.goto(article_url)
    main = page.locator("main").inner_text()
    assert "退回修改" in main and "请补充具体成效数据。" in main
    page.get_by_role("link", name="修改").click()
    page.get_by_label("正文").fill("学校以班为单位开展全面排查。\n排查发现苗头三起，均已化解。")
    page.get_by_role("button", name="保存草稿").click()
    page.wait_for_url("**/articles/*/")
    page.get_by_role("button", name="重新提交").click()
    page.wait_for_load_state()
    shot(page, "campaign-article-resubmitted")

    page.context.clear_cookies()
    login_with_totp(page, live_server, w.user[Role.BUREAU_SAFETY])
    page.goto(article_url)
    page.get_by_role("button", name="采用").click()
    page.wait_for_load_state()
    history = page.locator(".history").inner_text()
    assert history.count("提交") >= 2 and "退回修改" in history and "采用" in history
    page.goto(f"{live_server.url}/campaigns/{camp.pk}/")
    page.get_by_role("link", name="汇编成册").click()
    page.wait_for_url("**/booklet/")
    assert page.locator("input[type=checkbox]").first.is_checked()
    shot(page, "campaign-booklet")
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 Word").click()
    path = tmp_path / "booklet.docx"
    info.value.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    chapters = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert chapters == ["织密排查网络，守护阳光校园"]
    texts = [p.text for p in doc.paragraphs]
    assert w.school_a1.name in texts and "排查发现苗头三起，均已化解。" in texts
    with page.expect_download() as info:
        page.get_by_role("link", name="下载 PDF").click()
    assert info.value.path().read_bytes().startswith(b"%PDF")
