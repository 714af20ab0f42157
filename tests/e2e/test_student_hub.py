"""The student page as the hub, in a real browser (issue 11 items 3–5):
- 班主任 opens the page of a student flagged by the survey (and 橙), logs a talk from it in four
  interactions, and both duties are gone;
- the class screening sheet starts empty, a row's "全部正常" chip saves that row, and
  "本班其余全部正常" refuses the flagged student by name.
Screenshots (phone and desktop) go to test-artifacts/ and, when it exists, /work/helpers/shots/."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from anxin.core import clock, duties
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world, make_student
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path("/work/helpers/shots")


def _shot(page, name):
    path = shot(page, name)
    if SHOTS.is_dir():
        shutil.copy(path, SHOTS / path.name)
    return path


def _flagged_world():
    from anxin.screening import risk, services
    from anxin.screening.models import RiskSignal, SurveyToken

    w = build_world()
    st = w.student_own
    for i in range(4):
        make_student(w.class_a1_1, f"测试学生{i + 1}", 300 + i)
    for i in range(2):
        RiskSignal.objects.create(
            student=st, county_id=st.county_id, school_id=st.school_id,
            kind="named_concern", source_type="e2e", source_id=str(i),
        )  # fmt: skip
    risk.recompute([st.pk])
    survey = services.create_survey(
        by=w.user[Role.CLASS_TEACHER], klass=w.class_a1_1, closes_on=clock.today() + dt.timedelta(days=7)
    )
    token = SurveyToken.objects.get(survey=survey, student=st)
    services.submit_response(
        survey=survey, token=token, data={"victim": {"verbal": 3, "physical": 1}, "note": "放学后有人打我"}
    )
    return w, st


def _open_duties(user, st):
    return [d.kind for d in duties.duties_for(user) if d.extra.get("student_id") == st.pk]


def test_class_teacher_logs_a_talk_from_the_flagged_students_page(live_server, page):
    w, st = _flagged_world()
    teacher = w.user[Role.CLASS_TEACHER]
    assert set(_open_duties(teacher, st)) == {"care.risk_first_contact", "screening.survey_disclosure"}
    login(page, live_server, teacher.username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/roster/students/")
    interactions = 0
    # 1: the student's name in the class list opens the hub
    page.get_by_role("link", name=st.name).first.click()
    interactions += 1
    page.wait_for_url(f"**/roster/students/{st.pk}/")
    expect(page.locator("#survey-flags")).to_contain_text("问卷自述：每周都遭受欺凌行为")
    expect(page.locator("#care-proposal")).to_contain_text("建议建立关爱帮扶计划")
    expect(page.locator(".hub-risk .level")).to_have_text("橙")
    _shot(page, "student-hub-flagged")
    # 2: 记一次谈心 (the form opens with the student, the user, 谈心谈话 and now filled)
    page.get_by_role("link", name="记一次谈心").click()
    interactions += 1
    assert page.get_by_label("方式").input_value() == "talk"
    assert page.get_by_label("时间").input_value()
    expect(page.locator("main")).to_contain_text(st.name)
    # 3: the summary; 4: save
    page.get_by_label("情况摘要").fill("课间谈心：她说有同学放学后推搡她，已约好明天再谈，并联系家长。")
    interactions += 1
    page.get_by_role("button", name="保存").click()
    interactions += 1
    page.wait_for_url(f"**/roster/students/{st.pk}/")
    expect(page.locator("#contacts")).to_contain_text("课间谈心：她说有同学放学后推搡她")
    expect(page.locator("#survey-flags")).to_have_count(0)
    expect(page.locator("#care-proposal")).to_contain_text("首次谈心，待建立关爱帮扶计划")
    assert interactions <= 6
    print(f"\nINTERACTIONS student-hub talk: {interactions}")  # noqa: T201
    _shot(page, "student-hub-after-talk")
    assert _open_duties(teacher, st) == []


def test_screening_sheet_starts_empty_and_refuses_the_flagged_student(live_server, page):
    from anxin.screening import services
    from anxin.screening.models import ScreeningRecord

    w, st = _flagged_world()
    rnd = services.open_round(
        by=w.user[Role.SAFETY_LEADER], school=w.school_a1, title="春季学生欺凌全面排查",
        deadline=clock.today() + dt.timedelta(days=7),
    )  # fmt: skip
    login(page, live_server, w.user[Role.CLASS_TEACHER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/screening/rounds/{rnd.pk}/class/{w.class_a1_1.pk}/")
    rows = page.locator("form.scr-row")
    expect(rows).to_have_count(5)
    first = page.locator(f"#row-{st.pk}")
    assert first.get_by_label("心理状况").input_value() == ""
    expect(first).to_contain_text("需逐一排查")
    _shot(page, "screening-sheet-empty")
    # one row by its chip
    other = rows.nth(1)
    other_id = other.get_attribute("id")
    other.get_by_role("button", name="全部正常").click()
    expect(page.locator(f"#{other_id} .badge.ok")).to_have_text("已保存")
    expect(page.locator("#class-progress")).to_contain_text("1")
    # a half-filled row is not sent
    first.get_by_label("情绪").select_option(label="低落")
    expect(page.locator(f"#row-{st.pk} .badge.bad").first).to_have_text("需逐一排查")
    assert not ScreeningRecord.objects.filter(student=st).exists()
    # the rest at once: the flagged student is refused by name
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="本班其余全部正常").click()
    page.wait_for_url("**?todo=1")
    expect(page.locator(".messages")).to_contain_text(f"{st.name}（问卷自述：每周都遭受欺凌行为")
    expect(page.locator("form.scr-row")).to_have_count(1)
    _shot(page, "screening-sheet-refused")
    assert ScreeningRecord.objects.filter(round=rnd).count() == 4
    assert not ScreeningRecord.objects.filter(student=st).exists()
