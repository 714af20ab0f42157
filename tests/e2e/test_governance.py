"""Governance flows in a browser, on a phone and a desktop viewport: a safety leader runs the
school self-check (a 否 becomes a rectification item); the bureau turns a closed case into a
de-identified lesson, edits the preview and publishes it; the school assigns it; a teacher marks
it studied (R-SCR-8, R-EDU-3)."""

from __future__ import annotations

import pytest

from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from anxin.governance.models import Lesson, LessonAssignment, SelfCheck
from anxin.screening.models import Rectification
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def test_safety_leader_runs_the_selfcheck_and_a_no_opens_a_rectification(live_server, page):
    w = build_world()
    login(page, live_server, w.user[Role.SAFETY_LEADER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/governance/selfchecks/")
    page.get_by_role("link", name="开展自查").click()
    page.get_by_label("自查批次").fill("2026年春季学期")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/governance/selfchecks/*/")
    main = page.locator("main")
    assert "平台建议" in main.inner_text() and "岗位责任清单未落实" in main.inner_text()
    shot(page, "governance-selfcheck-proposals")
    sc = SelfCheck.objects.get(school=w.school_a1)
    answers = list(sc.answers.select_related("item").order_by("item__position"))
    for a in answers:
        page.locator(f"#a{a.pk} input[value=yes]").check()
    target = next(a for a in answers if a.item.probe == "cameras")
    page.locator(f"#a{target.pk} input[value=no]").check()
    page.locator(f"#a{target.pk} textarea").fill("操场东侧、厕所门口没有监控")
    page.get_by_role("button", name="提交自查").click()
    page.wait_for_url(f"**/governance/selfchecks/{sc.pk}/")
    text = main.inner_text()
    assert "自查已提交，1 个问题项已转入问题整改台账" in text
    assert "已转入问题整改" in text
    rect = Rectification.objects.get(school=w.school_a1, source="self")
    assert "操场东侧、厕所门口没有监控" in rect.problem and rect.owner == w.user[Role.SAFETY_LEADER]
    shot(page, "governance-selfcheck-submitted")
    page.goto(f"{live_server.url}/screening/problems/")
    assert "操场东侧、厕所门口没有监控" in page.locator("main").inner_text()


def _closed_case(w):
    from anxin.cases import scenarios
    from anxin.cases.models import CaseState

    scenarios.constitute(w.school_a1, w.user[Role.PRINCIPAL])
    mm = w.user[Role.MIDDLE_MANAGER]
    case = scenarios.open_simple(
        w.school_a1,
        mm,
        victim=w.student_own,
        bully=w.student_other_class,
        summary="2026年3月12日课间，张小明在初一1班门口被李小红等人围堵推搡。",
    )
    scenarios.drive(case, mm, CaseState.CLOSED, result="severe", leader=w.user[Role.SAFETY_LEADER])
    return case


def _login_bureau(page, live_server, user):
    """The bureau signs in with its second factor (LAW 21)."""
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    login(page, live_server, user.username, PASSWORD)
    page.wait_for_url("**/otp/verify/**")
    page.locator("input[name=token]").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/home/")


def test_bureau_publishes_a_lesson_from_a_closed_case_and_a_teacher_studies_it(live_server, page):
    w = build_world()
    case = _closed_case(w)
    _login_bureau(page, live_server, w.user[Role.BUREAU_SAFETY])
    page.goto(f"{live_server.url}/governance/lessons/")
    page.get_by_role("link", name="编写案例警示").click()
    page.get_by_label("本县已结案事件").select_option(str(case.pk))
    page.get_by_label("标题").fill("课间走廊围堵推搡事件")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/governance/lessons/*/edit/")
    summary = page.get_by_label("事件经过（已去除身份信息）")
    preview = summary.input_value()
    assert "张小明" not in preview and "李小红" not in preview and "初一1班" not in preview
    assert "学生甲" in preview and "2026年3月中旬" in preview
    shot(page, "governance-lesson-preview")
    summary.fill(preview + "\n事后查明，事发时段走廊无教师值守。")
    page.get_by_label("警示与教训").fill("课间走廊、楼梯口须安排教师值守；发现围堵立即制止并报告。")
    page.get_by_role("button", name="保存并发布").click()
    page.wait_for_url("**/governance/lessons/*/")
    lesson = Lesson.objects.get()
    assert lesson.status == Lesson.Status.PUBLISHED and "走廊无教师值守" in lesson.summary

    page.context.clear_cookies()
    login(page, live_server, w.user[Role.SAFETY_LEADER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/governance/lessons/{lesson.pk}/")
    page.get_by_label(w.user[Role.CLASS_TEACHER].real_name).check()
    page.get_by_role("button", name="布置学习").click()
    page.wait_for_url(f"**/governance/lessons/{lesson.pk}/")
    assert "已布置 1 人学习" in page.locator("main").inner_text()

    page.context.clear_cookies()
    login(page, live_server, w.user[Role.CLASS_TEACHER].username, PASSWORD)
    page.wait_for_url("**/home/")
    assert "学习案例警示：课间走廊围堵推搡事件" in page.locator("main").inner_text()
    page.get_by_role("link", name="去学习").first.click()
    page.wait_for_url(f"**/governance/lessons/{lesson.pk}/")
    assert "走廊无教师值守" in page.locator("main").inner_text()
    page.get_by_role("button", name="我已学习").click()
    page.wait_for_url(f"**/governance/lessons/{lesson.pk}/")
    assert "已学习" in page.locator("main").inner_text()
    assert LessonAssignment.objects.get().studied_at is not None
    shot(page, "governance-lesson-studied")
