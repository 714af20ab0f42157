"""工作台 on a phone (issue 11): a class teacher opens it and sees the overdue screening of her
class first, in red, one tap from the class's screening page; the bureau presses 催办 on a
school late with its screening and the school's safety leader is notified."""

from __future__ import annotations

import datetime as dt

import pytest

from anxin.core import clock
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from tests.e2e.conftest import LAUNCH_ARGS, PHONE, login, login_with_totp, shot  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(browser):
    ctx = browser.new_context(
        viewport=PHONE, locale="zh-CN", timezone_id="Asia/Shanghai", is_mobile=True, has_touch=True
    )
    pg = ctx.new_page()
    pg.set_default_timeout(15000)
    pg.viewport_name = "phone"
    yield pg
    ctx.close()


def _world_with_late_round():
    from anxin.screening import services

    w = build_world()
    today = clock.today()
    r = services.open_round(
        by=w.user[Role.SAFETY_LEADER],
        school=w.school_a1,
        title="秋季排查",
        opened_on=today - dt.timedelta(days=10),
        deadline=today - dt.timedelta(days=2),
    )
    return w, r


def test_class_teacher_sees_the_overdue_screening_first_on_a_phone(live_server, page):
    w, r = _world_with_late_round()
    login(page, live_server, w.user[Role.CLASS_TEACHER].username, PASSWORD)  # taps 1–3
    page.wait_for_url("**/home/")
    overdue = page.locator("section.duties.overdue")
    assert overdue.locator("h2").inner_text().startswith("已逾期")
    row = overdue.locator("li.duty", has_text="初一1班 排查未完成")
    assert "已逾期 2 天" in row.inner_text()
    # the first duty is above the fold of a phone
    box = row.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    shot(page, "home-class-teacher-overdue")
    row.get_by_role("link", name="去排查").click()  # tap 4: the one place where it is done
    page.wait_for_url(f"**/screening/rounds/{r.pk}/class/{w.class_a1_1.pk}/")


def test_bureau_chases_a_school_late_with_its_screening(live_server, page):
    from anxin.core.models import Chase, Notification

    w, r = _world_with_late_round()
    bureau = w.user[Role.BUREAU_SAFETY]
    login_with_totp(page, live_server, bureau)
    row = page.locator("section.duties.overdue li.duty", has_text="贺兰县第一中学 排查未完成")
    assert "责任人：贺兰县第一中学 分管安全副校长" in row.inner_text()
    row.get_by_text("催办", exact=True).click()  # tap 1: opens the confirmation
    assert "每项每天只能催办一次" in row.inner_text()
    row.get_by_role("button", name="确认催办").click()  # tap 2: POST with CSRF
    page.wait_for_url("**/home/")
    assert "已催办，已通知 1 人。" in page.locator("main").inner_text()
    row = page.locator("section.duties.overdue li.duty", has_text="贺兰县第一中学 排查未完成")
    assert "已催办（" in row.inner_text()
    assert row.get_by_role("button", name="确认催办").count() == 0
    shot(page, "home-bureau-chased")
    chase = Chase.objects.get(ref=f"screening.round:{r.pk}")
    leader = w.user[Role.SAFETY_LEADER]
    assert chase.by_id == bureau.pk and chase.recipients == [leader.pk]
    assert Notification.objects.filter(recipient=leader, kind="chase").count() == 1


def test_principal_sees_the_schools_state_on_one_screen(live_server, page):
    """校长 on a phone: the figures a principal is judged by (the school's screening %, open
    cases and 迟报, 橙/红 without a plan, hazards without cover) and the most urgent duty —
    here a 首报 waiting for the principal's 签发 — on the first screen, with no tap after login."""
    from anxin.cases import scenarios, services

    w, r = _world_with_late_round()
    principal = w.user[Role.PRINCIPAL]
    scenarios.constitute(w.school_a1, principal)
    mm = w.user[Role.MIDDLE_MANAGER]
    case = scenarios.open_simple(
        w.school_a1,
        mm,
        victim=w.student_own,
        bully=w.student_other_class,
        source="public_opinion",
        discovered_at=clock.now() - dt.timedelta(hours=3),
    )
    services.record_immediate(case, by=mm, kind="separate", taken_at=clock.now())
    report = services.draft_report(case, by=mm)
    interactions = 3  # username, password, 登录
    login(page, live_server, principal.username, PASSWORD)
    page.wait_for_url("**/home/")
    figs = page.locator(".figs")
    keys = set(figs.locator("[data-figure]").evaluate_all("els => els.map(e => e.dataset.figure)"))
    assert {"screening.school_pct", "cases.open", "cases.late"} <= keys, keys
    assert keys & {"screening.high_risk", "screening.high_risk_no_plan"}, keys
    late = figs.locator("[data-figure='cases.late']")
    assert late.locator(".v").inner_text() == "1" and "alert" in (late.get_attribute("class") or "")
    # the figures and the first overdue duty are on the first screen of a phone
    box = figs.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    overdue = page.locator("section.duties.overdue li.duty").first
    first = overdue.bounding_box()
    assert first is not None and first["y"] < PHONE["height"]
    sign = page.locator(f"li.duty[data-ref='cases.bureaureport:{report.pk}:sign']")
    assert "首报待签发" in sign.inner_text()
    shot(page, "home-principal")
    print(f"\nINTERACTIONS principal school state: {interactions}")  # noqa: T201


def test_legal_vice_principal_sees_the_referral_waiting_with_its_due_time(live_server, page):
    """法治副校长 on a phone: a referral past its two weeks is the first duty, in red, one tap
    from the page where its outcome is recorded."""
    from anxin.cases import scenarios, services
    from anxin.cases.duties import REFERRAL_OUTCOME_DAYS
    from anxin.cases.models import CaseReferral, CaseState

    w = build_world()
    mm, leader = w.user[Role.MIDDLE_MANAGER], w.user[Role.SAFETY_LEADER]
    scenarios.constitute(w.school_a1, w.user[Role.PRINCIPAL])
    case = scenarios.open_simple(w.school_a1, mm, victim=w.student_own, bully=w.student_other_class)
    scenarios.drive(case, mm, CaseState.HANDLING, leader=leader, result="serious")
    vp = w.user[Role.LEGAL_VP]
    r = services.refer_case(case, by=mm, to_user=vp, purpose="对实施欺凌学生进行警示教育")
    CaseReferral.objects.filter(pk=r.pk).update(
        referred_at=clock.now() - dt.timedelta(days=REFERRAL_OUTCOME_DAYS + 2)
    )
    login(page, live_server, vp.username, PASSWORD)
    page.wait_for_url("**/home/")
    row = page.locator(f"section.duties.overdue li.duty[data-ref='cases.casereferral:{r.pk}']")
    assert "移交：对实施欺凌学生进行警示教育" in row.inner_text() and "已逾期 2 天" in row.inner_text()
    box = row.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    shot(page, "home-legal-vp")
    row.get_by_role("link", name="记录结果").click()
    page.wait_for_url(f"**/cases/{case.pk}/do/referral_outcome/")


def test_bureau_chases_every_school_late_with_a_campaign_task_at_once(live_server, page):
    """A campaign task that three schools let pass is one line on the bureau's phone: how many
    schools, each school one tap away behind 查看各校, and 全部催办 telling them all."""
    from anxin.campaigns.tests.helpers import campaign, more_schools
    from anxin.core.models import Chase
    from anxin.core.testing import make_user

    w = build_world()
    c = campaign(w, start=clock.today() - dt.timedelta(days=40))
    for i, s in enumerate(more_schools(w, 2)):
        make_user(f"sl_e2e{i}", w.county_a, Role.SAFETY_LEADER, s)
    bureau = w.user[Role.BUREAU_SAFETY]
    login_with_totp(page, live_server, bureau)
    line = page.locator("section.duties.overdue li.duty.bundle", has_text="专项行动：学校自查").first
    n = int(line.get_attribute("data-schools"))
    assert n >= 3 and f"{n} 所学校" in line.inner_text()
    line.get_by_text(f"查看各校（{n}）").click()  # tap 1: the schools, each a link
    schools = line.locator("details.schools li")
    assert schools.count() == n and "测试学校0" in line.locator("details.schools").inner_text()
    shot(page, "home-bureau-bundle")
    line.get_by_text("全部催办", exact=True).click()  # tap 2: the confirmation
    assert f"通知这 {n} 所学校的分管安全副校长尽快办理" in line.inner_text()
    line.get_by_role("button", name="确认催办").click()  # tap 3
    page.wait_for_url("**/home/")
    main = page.locator("main").inner_text()
    # 贺兰县习岗小学 has no safety leader: told why it was not chased
    assert f"已催办 {n - 1} 项" in main and "1 项未催办：这项待办没有可通知的责任人。" in main
    assert Chase.objects.filter(ref__startswith="campaigns.task:", kind="campaigns.task").count() == n - 1
    line = page.locator("section.duties.overdue li.duty.bundle", has_text="专项行动：学校自查").first
    line.get_by_text(f"查看各校（{n}）").click()
    assert line.locator("details.schools li", has_text="已催办（").count() == n - 1
    shot(page, "home-bureau-bundle-chased")
    assert line.get_by_role("link", name="看进度").get_attribute("href") == f"/campaigns/{c.pk}/board/"
