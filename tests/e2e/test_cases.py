"""Incident cases as people handle them, in Chinese, on a phone and a desktop viewport:
a middle manager takes a case from 登记 to 结案 and meets a refused close on the way; a bureau
user finds the late report in the county register and downloads the official document."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from anxin.cases import scenarios
from anxin.cases.models import BullyingCase, CaseState
from anxin.core import clock
from anxin.core.roles import Role
from anxin.core.testing import PASSWORD, build_world
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _step(page, link_text: str):
    page.get_by_role("link", name=link_text, exact=True).first.click()
    page.wait_for_load_state()


def _save(page):
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    msgs = page.locator(".messages")
    assert msgs.count() and "已保存" in msgs.first.inner_text(), page.locator("main").inner_text()[:600]


def _advance(page, label: str):
    page.get_by_role("button", name=label).click()
    page.wait_for_load_state()


def _notice(page, party: str, purpose: str, participated: bool = False):
    _step(page, "记录家长通知")
    page.get_by_label("当事学生").select_option(label=party)
    page.get_by_label("事项").select_option(label=purpose)
    if participated:
        page.get_by_label("监护人已参与处理").check()
        page.get_by_label("参与情况").fill("到校面谈")
    _save(page)


def test_middle_manager_takes_a_case_from_registration_to_closure(live_server, page):
    w = build_world()
    scenarios.constitute(w.school_a1, w.user[Role.PRINCIPAL])
    page.on("dialog", lambda d: d.accept())  # data-confirm asks before closing
    login(page, live_server, w.user[Role.MIDDLE_MANAGER].username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/cases/new/")
    page.get_by_label("来源").select_option(label="教职工发现")
    page.get_by_label("地点").fill("教学楼二楼走廊")
    page.get_by_label("肢体欺凌：殴打、脚踢、掌掴、推撞、恐吓威胁").check()
    page.get_by_label("简要情况").fill("课间两名学生围堵一名学生推搡辱骂，值周教师发现后制止。")
    page.get_by_role("button", name="登记").click()
    page.wait_for_load_state()
    case = BullyingCase.objects.get()
    assert case.number in page.locator("h1").inner_text()
    # 登记: the parties
    for name, role in (("张小明", "被欺凌学生"), ("李小红", "实施欺凌学生（被反映）")):
        _step(page, "添加当事人")
        page.get_by_label("按姓名查找学生").fill(name[:2])
        page.get_by_role("button", name="查找").click()
        page.wait_for_load_state()
        page.get_by_label(f"{name}（贺兰县第一中学", exact=False).check()
        page.get_by_label("身份").select_option(label=role)
        _save(page)
    _advance(page, "完成登记，进入制止与初步处置")
    # 制止与初步处置
    _step(page, "记录制止与初步处置")
    page.get_by_label("说明").fill("值周教师当场制止，隔离双方")
    _save(page)
    _advance(page, "制止与初步处置完成，进入家校互通")
    # 家校互通
    _notice(page, "张小明（初一1班） — 被欺凌学生", "家校互通（事发通知）", participated=True)
    _notice(page, "李小红（初一2班） — 实施欺凌学生（被反映）", "家校互通（事发通知）", participated=True)
    _advance(page, "家校互通完成，开始调查")
    # 调查
    _step(page, "填写调查情况")
    for label, text in (
        ("时间", "10时05分课间"),
        ("地点", "教学楼二楼走廊"),
        ("起因", "座位纠纷"),
        ("过程", "推搡、辱骂"),
        ("涉及人员", "初一年级学生2名"),
    ):
        page.get_by_label(label, exact=True).fill(text)
    _save(page)
    _step(page, "添加询问笔录")
    page.get_by_label("陈述人类别").select_option(label="目击学生")
    page.get_by_label("陈述内容").fill("我看见她推了张小明。")
    _save(page)
    _advance(page, "调查完成，提请委员会认定")
    shot(page, "case-determining")
    # 认定
    _step(page, "记录委员会认定")
    boxes = page.locator("input[name=members_present]")
    for i in range(boxes.count()):
        boxes.nth(i).check()
    page.get_by_label("赞成票").fill(str(boxes.count()))
    page.get_by_label("认定结果").select_option(label="欺凌：情节轻微")
    page.get_by_label("发生在学生之间").check()
    page.get_by_label("一方蓄意或者恶意").check()
    page.get_by_label("手段（肢体、语言、网络等）").fill("推搡、辱骂")
    page.get_by_label("身体伤害").check()
    page.get_by_label("人数优势").check()
    page.get_by_label("会议记录").fill("委员会听取调查情况，双方家长到会陈述，经表决认定为情节轻微的欺凌。")
    _save(page)
    # 处置
    _notice(page, "张小明（初一1班） — 被欺凌学生", "认定结果告知")
    _notice(page, "李小红（初一2班） — 实施欺凌学生（被反映）", "认定结果告知")
    for measure in (
        "批评教育（SEED 二(三)）",
        "警示谈话（学校和家长共同进行）（SEED 二(三)）",
        "责令赔礼道歉、做口头或者书面检讨（DR Art 8(2)）",
    ):
        _step(page, "记录处置措施")
        page.get_by_label("学生").select_option(label="李小红（初一2班） — 实施欺凌学生（被反映）")
        page.locator("select[name=item_code]").select_option(label=measure)
        _save(page)
    _notice(page, "李小红（初一2班） — 实施欺凌学生（被反映）", "处理决定告知")
    _advance(page, "处置完成，进入回访")
    # 结案 cannot be pressed yet: the support duties are missing (LAW 9), and the page says which
    # (the server's own refusal of such a close is tested in anxin/cases/tests/test_pages.py)
    assert page.get_by_role("button", name="结案").is_disabled()
    missing = page.locator("#missing-close").inner_text()
    assert "尚缺" in missing and "受欺凌学生张小明尚未接受心理辅导" in missing
    shot(page, "case-refused-close")
    # the obligations, then 结案
    done_links = page.locator("#measures").get_by_role("link", name="执行完毕", exact=True)
    while done_links.count():
        done_links.first.click()
        _save(page)
    for party, kind in (
        ("张小明（初一1班） — 被欺凌学生", "被欺凌学生心理辅导"),
        ("张小明（初一1班） — 被欺凌学生", "家庭教育指导"),
        ("李小红（初一2班） — 实施欺凌学生（被反映）", "实施欺凌学生心理辅导"),
        ("李小红（初一2班） — 实施欺凌学生（被反映）", "实施欺凌学生加强管教（监督计划）"),
        ("李小红（初一2班） — 实施欺凌学生（被反映）", "家庭教育指导"),
    ):
        _step(page, "记录心理辅导与家庭教育指导")
        page.get_by_label("学生").select_option(label=party)
        page.get_by_label("事项").select_option(label=kind)
        page.get_by_label("实施人").fill("心理教师王老师")
        _save(page)
    visits = page.locator("#followups").get_by_role("link", name="记录回访", exact=True)
    while visits.count():
        visits.first.click()
        page.get_by_label("情况").select_option(label="情况稳定")
        _save(page)
    _advance(page, "结案")
    assert "已完成：结案" in page.locator(".messages").inner_text()
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED
    shot(page, "case-closed")


def test_bureau_user_sees_the_late_report_and_downloads_the_docx(live_server, page, tmp_path):
    w = build_world()
    mm, leader = w.user[Role.MIDDLE_MANAGER], w.user[Role.SAFETY_LEADER]
    scenarios.constitute(w.school_a1, w.user[Role.PRINCIPAL])
    late = scenarios.open_simple(
        w.school_a1,
        mm,
        victim=w.student_own,
        bully=w.student_other_class,
        source="public_opinion",
        discovered_at=clock.now() - dt.timedelta(hours=5),
    )
    scenarios.drive(late, mm, CaseState.INVESTIGATING, leader=leader)  # 首报 sent 5 hours after discovery
    on_time = scenarios.open_simple(w.school_a1, mm, victim=w.student_other_class, bully=None)
    _bureau_login(page, live_server, w.user[Role.BUREAU_SAFETY])
    if page.viewport_name == "phone":
        page.locator("[data-toggle-nav]").click()  # the menu folds away on a phone
    page.get_by_role("link", name="事件台账").first.click()
    page.wait_for_load_state()
    register = page.locator("main").inner_text()
    assert late.number in register and on_time.number in register and "迟报" in register
    assert "张小明" not in register  # the register carries no names
    shot(page, "bureau-register")
    row = page.locator("tr", has_text=late.number)
    assert "迟报" in row.inner_text()
    row.get_by_role("link", name=late.number).click()
    page.wait_for_load_state()
    page.get_by_role("link", name="首报").click()
    page.wait_for_load_state()
    assert "迟报" in page.locator("main").inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="下载公文（.docx）").click()
    path = tmp_path / "report.docx"
    info.value.save_as(path)
    doc = Document(io.BytesIO(path.read_bytes()))
    texts = [p.text for p in doc.paragraphs]
    assert "贺兰县第一中学关于一起学生欺凌事件的报告（首报）" in texts and "贺兰县教育体育局：" in texts
    page.get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    assert "已签收" in page.locator("main").inner_text()
    shot(page, "bureau-report-acknowledged")


def _bureau_login(page, live_server, user):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user, name="e2e", confirmed=True)
    login(page, live_server, user.username, PASSWORD)
    page.wait_for_url("**/otp/verify/**")
    page.locator("input[name=token]").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url("**/home/")


def test_principal_signs_off_the_first_report_and_the_leader_sends_it(live_server, page):
    """签发 in the system: the 首报 a middle manager drafted waits on the principal's 工作台; the
    principal opens it, presses 签发 and confirms; the page shows who signed and when, and the
    safety leader sends it (until then 报送 is disabled)."""
    from anxin.cases import services

    w = build_world()
    mm, leader, principal = w.user[Role.MIDDLE_MANAGER], w.user[Role.SAFETY_LEADER], w.user[Role.PRINCIPAL]
    principal.real_name = "王建国"
    principal.save()
    scenarios.constitute(w.school_a1, principal)
    case = scenarios.open_simple(
        w.school_a1, mm, victim=w.student_own, bully=w.student_other_class, source="public_opinion"
    )
    services.record_immediate(case, by=mm, kind="separate", taken_at=clock.now())
    report = services.draft_report(case, by=mm)
    page.on("dialog", lambda d: d.accept())  # the 签发 and 报送 buttons ask first
    login(page, live_server, principal.username, PASSWORD)
    page.wait_for_url("**/home/")
    duty = page.locator(f"li.duty[data-ref='cases.bureaureport:{report.pk}:sign']")
    assert "首报待签发" in duty.inner_text()
    duty.get_by_role("link", name="去签发").click()
    page.wait_for_url(f"**/cases/reports/{report.pk}/**")
    assert "待校长签发" in page.locator("#signoff").inner_text()
    shot(page, "report-to-sign")
    page.locator("#sign").get_by_role("button", name="签发").click()
    page.wait_for_load_state()
    assert "已签发" in page.locator(".messages").inner_text()
    signed = page.locator("#signoff").inner_text()
    assert "已由 王建国 于" in signed and "签发" in signed
    shot(page, "report-signed-off")
    page.context.clear_cookies()
    login(page, live_server, leader.username, PASSWORD)
    page.wait_for_url("**/home/")
    page.goto(f"{live_server.url}/cases/reports/{report.pk}/")
    send = page.get_by_role("button", name="报送县教体局")
    assert send.is_enabled()
    send.click()
    page.wait_for_load_state()
    assert "报告已报送县教体局" in page.locator(".messages").inner_text()
    report.refresh_from_db()
    assert report.submitted_at is not None and report.signed_off_by == principal
    shot(page, "report-sent")
