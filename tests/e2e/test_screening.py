"""Screening in a real browser (Debian chromium through Playwright), in Chinese:
- a class teacher completes a class's screening on a phone, row by row, saving as they go;
- a student answers the peer-relationship survey on a phone with the class code and a code;
- the safety leader sees the registers update (risk list, then the tendency register).
Each flow runs on the phone and the desktop viewport (the ``page`` fixture)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from anxin.core import clock
from anxin.core.testing import PASSWORD, make_student
from tests.e2e.conftest import login, shot


@pytest.fixture
def screening_world(world):
    from anxin.screening import services

    for i in range(4):
        make_student(world.class_a1_1, f"测试学生{i + 1}", 200 + i)
    rnd = services.open_round(
        by=world.user["safety_leader"],
        school=world.school_a1,
        title="春季学生欺凌全面排查",
        deadline=clock.today() + dt.timedelta(days=7),
    )
    return world, rnd


def test_class_teacher_completes_class_screening_on_a_phone(page, live_server, screening_world):
    from anxin.screening.models import ScreeningRecord

    world, rnd = screening_world
    login(page, live_server, world.user["class_teacher"].username, PASSWORD)
    page.goto(f"{live_server.url}/screening/")
    page.get_by_role("link", name=re.compile("排查初一1班")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("初一1班")
    rows = page.locator("form.scr-row")
    expect(rows).to_have_count(5)

    # one student shows signs: choose, tick, explain — saved without leaving the page
    first = page.locator(f"#row-{world.student_own.pk}")
    first.get_by_label("心理状况").select_option(label="良好")
    first.get_by_label("情绪").select_option(label="低落")
    expect(page.locator(f"#row-{world.student_own.pk} .badge.bad")).to_have_text(
        "未排查"
    )  # half a row: not sent
    first.get_by_label("同学关系").select_option(label="一般")
    expect(page.locator(f"#row-{world.student_own.pk} .badge.ok")).to_have_text("已保存")
    page.locator(f"#row-{world.student_own.pk}").get_by_label("发现苗头迹象").check()
    expect(page.locator(f"#row-{world.student_own.pk} .errorlist")).to_contain_text("请简要说明情况")
    page.locator(f"#note-{world.student_own.pk}").fill("课间常被同学起绰号")
    page.locator(f"#row-{world.student_own.pk}").get_by_role("button", name="保存").click()
    expect(page.locator(f"#row-{world.student_own.pk} .badge.ok")).to_have_text("已保存")

    # rows start empty: the others are looked at and certified one by one with their chip
    for form_id in rows.evaluate_all("els => els.map(e => e.id)"):
        if form_id == f"row-{world.student_own.pk}":
            continue
        page.locator(f"#{form_id}").get_by_role("button", name="全部正常").click()
        expect(page.locator(f"#{form_id} .badge.ok")).to_have_text("已保存")
    expect(page.locator("#class-progress")).to_contain_text("本班已全部完成")
    shot(page, "screening-class")

    rec = ScreeningRecord.objects.get(round=rnd, student=world.student_own)
    assert (rec.psych, rec.mood, rec.peers, rec.signs_seen, rec.note) == (
        "good",
        "low",
        "ordinary",
        True,
        "课间常被同学起绰号",
    )
    assert ScreeningRecord.objects.filter(round=rnd).count() == 5


def test_student_answers_the_survey_with_a_class_code(page, live_server, screening_world):
    from anxin.screening import services
    from anxin.screening.models import SurveyResponse

    world, rnd = screening_world
    survey = services.create_survey(
        by=world.user["class_teacher"],
        klass=world.class_a1_1,
        round=rnd,
        closes_on=clock.today() + dt.timedelta(days=3),
    )
    token = survey.tokens.get(student=world.student_own)
    page.goto(f"{live_server.url}/screening/q/")
    page.get_by_label("班级码").fill(survey.class_code.lower())
    page.get_by_role("button", name="下一步").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("同学关系状况问卷")
    page.get_by_label("答题码").fill(token.code)
    page.get_by_role("button", name="开始答题").click()
    expect(page.get_by_text(f"{world.student_own.name}同学，你好")).to_be_visible()
    verbal = page.locator("fieldset", has_text="本学期你遇到过：言语欺凌")
    verbal.get_by_label("每周都有").check()
    page.locator("fieldset", has_text="常发生在哪里").get_by_label("厕所").check()
    page.locator("fieldset", has_text="常发生在什么时候").get_by_label("课间").check()
    page.locator("fieldset", has_text="课间你常和谁在一起").get_by_label("测试学生1").check()
    page.get_by_label("我希望老师找我聊一聊").check()
    shot(page, "screening-survey")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("提交成功")

    resp = SurveyResponse.objects.get(survey=survey, student=world.student_own)
    assert resp.victim == {"verbal": 3} and resp.places == ["toilet"] and resp.wants_help
    # the same code cannot answer again
    page.goto(f"{live_server.url}/screening/q/{survey.class_code}/")
    page.get_by_label("答题码").fill(token.code)
    page.get_by_role("button", name="开始答题").click()
    expect(page.get_by_text("答题码不正确或已经使用过")).to_be_visible()


def test_safety_leader_sees_the_registers_update(page, live_server, screening_world):
    from anxin.screening import services

    world, rnd = screening_world
    # the class teacher's screening (saved through the service, as the page does)
    services.save_record(
        by=world.user["class_teacher"],
        round=rnd,
        student=world.student_own,
        data={"psych": "concern", "mood": "low", "peers": "isolated", "signs_seen": True, "note": "被孤立"},
    )
    login(page, live_server, world.user["safety_leader"].username, PASSWORD)
    page.goto(f"{live_server.url}/screening/risk/")
    row = page.locator("tr", has_text=world.student_own.name)
    expect(row).to_contain_text("红")
    expect(row).to_contain_text("最近一次排查：发现欺凌苗头迹象")

    page.goto(f"{live_server.url}/screening/tendency/new/")
    page.get_by_label("学生").select_option(label=f"{world.student_own.name}（初一1班）")
    page.get_by_label("列入依据").fill("课间多次推搡、辱骂同学，经谈话仍有反复")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("已列入欺凌倾向台账")).to_be_visible()
    page.goto(f"{live_server.url}/screening/tendency/")
    expect(page.locator("tr", has_text=world.student_own.name)).to_contain_text("重点盯防")
    page.goto(f"{live_server.url}/screening/risk/student/{world.student_own.pk}/")
    expect(page.get_by_text("列入欺凌倾向台账（重点盯防）").first).to_be_visible()
    shot(page, "screening-risk")
