"""Dashboards in a real browser (R-DASH-1, R-DASH-2), phone and desktop: the bureau opens the
county dashboard (charts drawn by ECharts under the strict CSP, each beside its table twin),
drills county → school → grade → class, and follows a figure to the register that lists exactly
what it counts; the print stylesheet puts every chart on the first A4 landscape page, the
tables after."""

from __future__ import annotations

import re

import pytest

from anxin.demo.data import DEMO_PASSWORD
from tests.e2e.conftest import login, shot

pytestmark = pytest.mark.django_db(transaction=True)


def _bureau_login(page, live_server, username, lands="**/home/"):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anxin.accounts.models import User

    user = User.objects.get(username=username)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="e2e", defaults={"confirmed": True})
    device.last_t = -1
    device.throttling_failure_count = 0
    device.save()
    login(page, live_server, username, DEMO_PASSWORD)
    page.wait_for_url("**/otp/verify/**")
    page.locator("input[name=token]").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(lands)


def test_bureau_drills_county_school_grade_class_and_follows_a_figure(live_server, page):
    from anxin.demo.tests.test_load_demo import load

    load("--cases", "24", students=400, activity=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _bureau_login(page, live_server, "demo_safety")
    page.goto(f"{live_server.url}/dashboards/")
    page.get_by_role("heading", name="全县统计看板").wait_for()
    fig = page.locator("#fig-cases_unit")
    assert fig.locator("tfoot").inner_text().startswith("全县合计")
    # the chart is drawn (a canvas) and the table twin stays for screen readers and print
    page.locator("#fig-cases_unit .chart.drawn canvas").first.wait_for()
    assert page.locator(".chart.drawn").count() >= 8
    assert not [e for e in errors if "Content Security Policy" in e], errors
    shot(page, "dashboards-county")
    # print: page 1 of the A4 landscape print is every chart as a picture; the tables follow
    sheet = page.locator(".printsheet")
    sheet.wait_for(state="attached")  # made once the page has settled
    drawn = page.locator(".chart.drawn").count()
    assert not sheet.is_visible()  # on screen, the charts themselves
    assert sheet.locator("img").count() == drawn
    assert all(
        src.startswith("data:image/png")
        for src in sheet.locator("img").evaluate_all("i => i.map(x => x.src)")
    )
    page.emulate_media(media="print")
    page.wait_for_timeout(300)
    assert sheet.is_visible() and not page.locator(".fig .chart.drawn").first.is_visible()
    assert page.locator("#fig-cases_unit table").is_visible()
    tops = sheet.locator("figure").evaluate_all("f => f.map(x => x.getBoundingClientRect().top)")
    assert len(set(round(t) for t in tops)) <= 3, tops  # three rows of pictures
    shot(page, "dashboards-county-print")
    page.emulate_media(media="screen")
    # follow a figure: the school's number opens the register with exactly that many rows
    row = fig.locator("tbody tr").filter(has=page.locator("td a")).first
    school = row.locator("th").inner_text().strip()
    n = int(row.locator("td a").first.inner_text())
    row.locator("td a").first.click()
    page.wait_for_url("**/cases/?**")
    page.get_by_role("heading", name="欺凌事件台账").wait_for()
    body = page.locator("main").inner_text()
    assert re.search(rf"共\s*{n}\s*", body) or page.locator("table tbody tr").count() == n, body[:500]
    # drill down: county → school → grade → class
    page.go_back()
    page.locator("#fig-cases_unit").get_by_role("link", name=school).first.click()
    page.wait_for_url("**/dashboards/school/**")
    page.get_by_role("heading", name=f"{school} 统计看板").wait_for()
    page.locator("#fig-cases_unit tbody a.drill").first.click()
    page.wait_for_url("**/dashboards/grade/**")
    page.locator("#fig-cases_unit tbody a.drill").first.click()
    page.wait_for_url("**/dashboards/class/**")
    crumbs = page.locator("nav.crumbs").inner_text()
    assert "全县" in crumbs and school in crumbs
    # counts only for the bureau: the vulnerable-students figure has no links and no names
    assert page.locator("#fig-vulnerable a").count() == 0
    shot(page, "dashboards-class")
    # the hotspots page prints its charts from a sheet of its own too (it has no sections)
    page.goto(f"{live_server.url}/dashboards/hotspots/")
    page.locator(".chart.drawn canvas").first.wait_for()
    page.locator(".printsheet").wait_for(state="attached")
    assert page.locator(".printsheet img").count() == page.locator(".chart.drawn").count() > 0


def test_the_province_reads_its_overview_drills_to_a_city_and_nothing_else(live_server, page):
    """The province's education department: its cities side by side (counts only, charts under
    the CSP), one city's counties one level down, and every county page refused."""
    from anxin.demo import data
    from anxin.demo.tests.test_load_demo import load

    load("--cases", "24", students=400, activity=True)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _bureau_login(page, live_server, data.REGION_LOGIN.username, lands="**/dashboards/region/")
    page.get_by_role("heading", name="宁夏回族自治区概览").wait_for()
    units = page.locator("#fig-region_units")
    assert units.locator("tfoot").inner_text().startswith("全省合计")
    page.locator("#fig-region_units .chart.drawn canvas").first.wait_for()
    assert page.locator(".chart.drawn").count() == 4  # units, months, types, results
    nav = page.locator("nav a").all_inner_texts()
    assert "地区概览" in nav and "工作台" not in nav and "全县统计看板" not in nav
    assert not [e for e in errors if "Content Security Policy" in e], errors
    shot(page, "dashboards-province")
    total = int(units.locator("tfoot td").first.inner_text())
    units.get_by_role("link", name="银川市").click()
    page.get_by_role("heading", name="银川市概览").wait_for()
    city = page.locator("#fig-region_units")
    assert city.locator("tbody th").all_inner_texts() == [data.COUNTY_NAME]
    assert int(city.locator("tfoot td").first.inner_text()) == total  # the demo's one county
    assert city.locator("tfoot").inner_text().startswith("全市合计")
    shot(page, "dashboards-city")
    # a month range: the figures follow, the form keeps it
    page.locator("#d-from").fill("2026-09")
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name="银川市概览").wait_for()
    assert "from=2026-09" in page.url
    # nothing of a county: its dashboard and registers are refused
    resp = page.goto(f"{live_server.url}/dashboards/")
    assert resp.status == 403
