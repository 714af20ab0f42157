"""市、省概览 (dashboards.region): a province's cities and its own counties side by side, counts
only, read from the rollups — every figure equal to a count over the cases (counted here in
Python from the rows), the same number of queries whatever the region's size, and nothing but
the overview for the holder of a region post."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse

from anxin.core import clock

from .test_figures import is_late

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(demo):
    """The demo's province with a second county directly under it (省直管县): one school and a
    copy of eight of the demo's cases (four open, four closed), its rollups rebuilt."""
    from anxin.cases.models import BullyingCase, CaseState
    from anxin.dashboards import rollups
    from anxin.demo import data
    from anxin.org.models import County, Region, School

    prov = Region.objects.get(code=data.PROVINCE[0])
    county = County.objects.create(name="直管县", code="649001", bureau_name="直管县教育局", region=prov)
    model = School.objects.filter(county=demo).first()
    school = School.objects.create(
        county=county,
        name="直管县第一中学",
        short_name="直管一中",
        code="6490010001",
        type=model.type,
        town="城关镇",
    )
    copies = []
    ours = BullyingCase.objects.filter(county=demo).order_by("pk")
    picked = [*ours.exclude(state=CaseState.CLOSED)[:4], *ours.filter(state=CaseState.CLOSED)[:4]]
    for i, case in enumerate(picked):
        case.pk = case.id = None
        case.county_id, case.school_id = county.pk, school.pk
        case.number = f"直管一中-2026-{i + 1:04d}"
        copies.append(case)
    BullyingCase.objects.bulk_create(copies)
    rollups.rebuild(county.pk)
    return prov, county, demo


def region_user(username="prov_officer", region=None, **post):
    from anxin.accounts.models import RegionPost, User

    user = User(username=username, real_name="区教育厅干部", county=None, must_change_password=False)
    user.set_password("x")
    user.save()
    RegionPost.objects.create(user=user, region=region, title="基础教育处", **post)
    return user


def expected(counties, date_from=None, date_to=None):
    """The overview's numbers counted in Python over the cases themselves."""
    from anxin.cases.models import BullyingCase, CaseState
    from anxin.org.models import School

    now = clock.now()
    cases = [
        c
        for c in BullyingCase.objects.filter(county_id__in=counties)
        if (date_from is None or clock.local_date(c.discovered_at) >= date_from)
        and (date_to is None or clock.local_date(c.discovered_at) <= date_to)
    ]
    per = Counter()
    for c in cases:
        per[(c.county_id, "cases")] += 1
        per[(c.county_id, "open")] += c.state != CaseState.CLOSED
        per[(c.county_id, "late")] += is_late(c, now)
    for s in School.objects.filter(county_id__in=counties, active=True):
        per[(s.county_id, "schools")] += 1
    types = Counter(t for c in cases for t in set(c.behaviour_types or []))
    results = Counter(c.result for c in cases)
    months = Counter(clock.local_date(c.discovered_at).replace(day=1) for c in cases)
    required = [c for c in cases if c.report_required]
    report = {
        "n": len(required),
        "done": sum(c.first_reported_at is not None for c in required),
        "late": sum(is_late(c, now) for c in required),
    }
    return cases, per, types, results, months, report


def overview(region, date_from=None, date_to=None):
    from anxin.dashboards.region import Overview, figures

    return {f.key: f for f in figures(Overview(region, date_from, date_to))}


def unit_values(fig):
    return {r.key: [c.value for c in r.cells] for r in fig.rows}


def check(region, counties_of_rows, date_from=None, date_to=None):
    figs = overview(region, date_from, date_to)
    counties = [c for cs in counties_of_rows.values() for c in cs]
    cases, per, types, results, months, report = expected(counties, date_from, date_to)
    want = {
        key: [sum(per[(c, k)] for c in cs) for k in ("cases", "open", "late", "schools")]
        for key, cs in counties_of_rows.items()
    }
    assert unit_values(figs["region_units"]) == want
    assert [c.value for c in figs["region_units"].total.cells] == [
        sum(v[i] for v in want.values()) for i in range(4)
    ]
    assert figs["region_units"].total.cells[0].value == len(cases)
    got_months = {dt.date.fromisoformat(r.key + "-01"): r.cells[0].value for r in figs["region_month"].rows}
    assert {m: n for m, n in got_months.items() if n} == {m: n for m, n in months.items() if m in got_months}
    assert {r.key: r.cells[0].value for r in figs["region_type"].rows if r.cells[0].value} == dict(types)
    got_results = {r.key: r.cells[0].value for r in figs["region_result"].rows if r.cells[0].value}
    assert got_results == {("none" if k == "" else k): n for k, n in results.items()}
    rep = {r.key: r.cells[0].value for r in figs["region_report"].rows}
    assert (rep["required"], rep["reported"], rep["late"]) == (report["n"], report["done"], report["late"])
    for fig in figs.values():  # counts only: nothing links into a county's registers
        assert fig.counts_only and not any(c.url for r in fig.rows for c in r.cells)
    return figs


def test_province_figures_equal_independent_counts(province):
    from anxin.demo import data
    from anxin.org.models import Region

    prov, county, demo = province
    city = Region.objects.get(code=data.CITY[0])
    figs = check(prov, {f"city:{city.pk}": [demo.pk], f"county:{county.pk}": [county.pk]})
    assert [r.label for r in figs["region_units"].rows] == ["银川市", "直管县"]  # by code
    assert figs["region_units"].total.label == "全省合计"
    assert figs["region_units"].rows[0].drill.startswith(reverse("dashboards:region_child", args=[city.pk]))
    assert figs["region_units"].rows[1].drill is None  # a county: counts only, no way in
    # one level down: the city's own counties
    city.parent = prov
    figs = check(city, {f"county:{demo.pk}": [demo.pk]})
    assert figs["region_units"].total.label == "全市合计"


def test_a_period_of_whole_months_reads_the_rollups_and_counts_the_same(province):
    from anxin.dashboards import rollups

    prov, county, demo = province
    first = clock.today().replace(day=1)
    lo = (first - dt.timedelta(days=70)).replace(day=1)
    hi = first - dt.timedelta(days=1)
    ids = frozenset({demo.pk, county.pk})
    assert rollups.reader(ids, None, True, lo, hi) is not None  # whole months: the rollups stand
    from anxin.demo import data
    from anxin.org.models import Region

    city = Region.objects.get(code=data.CITY[0])
    figs = check(prov, {f"city:{city.pk}": [demo.pk], f"county:{county.pk}": [county.pk]}, lo, hi)
    assert [r.key for r in figs["region_month"].rows][0] == f"{lo:%Y-%m}"


def test_a_change_counts_at_once_before_its_bucket_is_recounted(province, django_capture_on_commit_callbacks):
    from anxin.cases.models import BullyingCase, CaseState
    from anxin.dashboards.models import RollupDirty
    from anxin.demo import data
    from anxin.org.models import Region

    prov, county, demo = province
    case = BullyingCase.objects.filter(county=county).exclude(state=CaseState.CLOSED).first()
    before = unit_values(overview(prov)["region_units"])[f"county:{county.pk}"]
    with django_capture_on_commit_callbacks(execute=False):
        case.state = CaseState.CLOSED
        case.save(update_fields=["state"])
    assert RollupDirty.objects.filter(county_id=county.pk).exists()  # not recounted yet
    after = unit_values(overview(prov)["region_units"])[f"county:{county.pk}"]
    assert after[1] == before[1] - 1 and after[0] == before[0]
    # every figure: the county rows less the bucket's stale school rows, plus its cases live
    city = Region.objects.get(code=data.CITY[0])
    check(prov, {f"city:{city.pk}": [demo.pk], f"county:{county.pk}": [county.pk]})


def test_the_county_rollup_and_the_cases_give_the_same_counts(province, django_capture_on_commit_callbacks):
    """RegionCounts over the county rows (clean, then with dirty buckets) equals RegionCounts
    over the cases themselves; the county rows always equal the sum of the school rows."""
    from django.db.models import Sum

    from anxin.cases.models import BullyingCase, CaseState
    from anxin.dashboards import rollups
    from anxin.dashboards.case_counts import RegionCounts
    from anxin.dashboards.models import CaseCount, CountyCaseCount

    prov, county, demo = province
    ids = frozenset({demo.pk, county.pk})
    first = clock.today().replace(day=1)
    lo = (first - dt.timedelta(days=70)).replace(day=1)

    def both(date_from=None):
        cases = BullyingCase.objects.filter(county_id__in=ids)
        if date_from:
            cases = cases.filter(discovered_at__date__gte=date_from)
        rolled = RegionCounts(cases, rollups.region_reader(ids, date_from, None))
        assert rolled.rollup is not None
        counted = RegionCounts(cases, None)
        for c in (rolled, counted):
            yield {
                "county": c.by_county(),
                "months": {k: v for k, v in c.months(lo).items() if v},
                "results": {k: v for k, v in c.results().items() if v},
                "types": {k: v for k, v in c.types().items() if v},
                "report": c.report(),
            }

    def sums(model, *keys):
        return {
            tuple(r[k] for k in keys): r["t"]
            for r in model.objects.values(*keys).annotate(t=Sum("n")).order_by()
        }

    for date_from in (None, lo):
        a, b = both(date_from)
        assert a == b
    assert sums(CountyCaseCount, "county_id", "month", "result") == sums(
        CaseCount, "county_id", "month", "result"
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for case in BullyingCase.objects.filter(county_id__in=ids).exclude(state=CaseState.CLOSED)[:3]:
            case.state = CaseState.CLOSED
            case.behaviour_types = ["cyber"]
            case.discovered_at -= dt.timedelta(days=31)
            case.save(update_fields=["state", "behaviour_types", "discovered_at"])
    for date_from in (None, lo):
        a, b = both(date_from)
        assert a == b
    for callback in callbacks:
        callback()  # the recounts: school rows and the county rows of their months
    assert sums(CountyCaseCount, "county_id", "month", "result") == sums(
        CaseCount, "county_id", "month", "result"
    )
    a, b = both()
    assert a == b


def test_queries_do_not_grow_with_the_counties(province, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from anxin.org.models import County, School

    prov, county, demo = province
    kind = School.objects.filter(county=demo).values_list("type", flat=True).first()
    with CaptureQueriesContext(connection) as one:
        overview(prov)
    for i in range(3):
        more = County.objects.create(name=f"新县{i}", code=f"64902{i}", bureau_name="教育局", region=prov)
        School.objects.create(county=more, name=f"新县{i}中学", code=f"64902{i}0001", type=kind, town="镇")
    with CaptureQueriesContext(connection) as four:
        overview(prov)
    assert len(four) == len(one) <= 10, [q["sql"][:150] for q in four.captured_queries]


def test_the_post_holder_sees_the_overview_and_nothing_else(province, client):
    from anxin.core.testing import login
    from anxin.demo import data
    from anxin.org.models import Region

    prov, county, demo = province
    city = Region.objects.get(code=data.CITY[0])
    user = region_user(region=prov)
    login(client, user)
    assert client.get(reverse("core:home"))["Location"] == reverse("dashboards:region")
    page = client.get(reverse("dashboards:region"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "宁夏回族自治区概览" in html and "直管县" in html and "全省合计" in html
    assert 'href="/dashboards/region/"' in html  # its one menu entry
    assert 'href="/cases/"' not in html and 'href="/dashboards/"' not in html
    child = client.get(reverse("dashboards:region_child", args=[city.pk]))
    assert child.status_code == 200 and "银川市概览" in child.content.decode()
    assert "贺兰县" in child.content.decode()
    assert 'href="/dashboards/region/" aria-current="true"' in child.content.decode()  # under 地区概览
    # another province's city, or its own province by id: not there
    other = Region.objects.create(
        code="650000", name="新疆维吾尔自治区", level="province", department_name="新疆教育厅"
    )
    elsewhere = Region.objects.create(
        code="650100", name="乌鲁木齐市", level="city", department_name="乌市教育局", parent=other
    )
    assert client.get(reverse("dashboards:region_child", args=[elsewhere.pk])).status_code == 404
    # every county page refuses it by default
    for name in ("dashboards:county", "cases:case_list", "roster:student_list", "intake:inbox"):
        assert client.get(reverse(name)).status_code == 403, name


def test_county_staff_and_former_post_holders_do_not_see_it(province, client):
    from anxin.accounts.models import User
    from anxin.core.testing import login

    prov, county, demo = province
    login(client, User.objects.get(username="demo_safety"))
    assert client.get(reverse("dashboards:region")).status_code == 404
    assert client.get(reverse("api-dashboards-region")).status_code == 403
    assert "dashboards/region" not in client.get(reverse("core:home")).content.decode()
    client.logout()
    former = region_user("former", prov, started_on=dt.date(2020, 1, 1), ended_on=clock.today())
    login(client, former)
    assert client.get(reverse("dashboards:region")).status_code == 404


def test_the_post_needs_a_second_factor(province, client):
    prov, county, demo = province
    user = region_user(region=prov)
    client.force_login(user)
    session = client.session
    session["login_at"] = clock.now().timestamp()
    session.save()
    r = client.get(reverse("dashboards:region"))
    assert r.status_code == 302 and "/accounts/otp/" in r["Location"]


def test_months_only_and_a_clear_error(province, client):
    from anxin.core.testing import login

    prov, county, demo = province
    login(client, region_user(region=prov))
    r = client.get(reverse("dashboards:region"), {"from": "2026-11", "to": "2026-09"})
    assert r.status_code == 200 and "起始月份不能晚于截止月份" in r.content.decode()
    api = client.get(reverse("api-dashboards-region"), {"from": "2026-13"})
    assert api.status_code == 400 and "date_from" in api.json()["errors"]
    for bad in ({"to": "9999-12"}, {"from": "1999-12"}):
        r = client.get(reverse("dashboards:region"), bad)
        assert r.status_code == 200 and "月份须在 2000 年至" in r.content.decode()
        assert client.get(reverse("api-dashboards-region"), bad).status_code == 400
    # a range that starts after this month: no case yet, one month shown
    nxt = clock.today().replace(day=1) + dt.timedelta(days=32)
    r = client.get(reverse("dashboards:region"), {"from": f"{nxt:%Y-%m}"})
    assert r.status_code == 200 and f"{nxt:%Y-%m}" in r.content.decode()


def test_the_api_gives_the_same_figures(province, client):
    from anxin.core.testing import login

    prov, county, demo = province
    login(client, region_user(region=prov))
    first = clock.today().replace(day=1)
    body = client.get(reverse("api-dashboards-region"), {"from": f"{first:%Y-%m}"}).json()
    assert body["region"]["code"] == prov.code and body["from"] == first.isoformat()
    units = next(f for f in body["figures"] if f["key"] == "region_units")
    figs = overview(prov, first, None)
    assert units["total"]["values"] == [c.value for c in figs["region_units"].total.cells]
    assert [r["label"] for r in units["rows"]] == ["银川市", "直管县"]
    assert all(link is None for r in units["rows"] for link in r["links"])
    from anxin.demo import data
    from anxin.org.models import Region

    city = Region.objects.get(code=data.CITY[0])
    body = client.get(reverse("api-dashboards-region-child", args=[city.pk])).json()
    assert body["region"]["name"] == "银川市"
    assert [r["label"] for r in body["figures"][0]["rows"]] == [demo.name]


def test_a_post_written_past_its_check_on_a_county_account_counts_for_nothing(province, client):
    """A RegionPost row on an account that belongs to a county (written past RegionPost.clean)
    gives it nothing: no overview, no second-factor exemption to reason about."""
    from anxin.accounts.models import RegionPost, User
    from anxin.core import policy
    from anxin.core.testing import login

    prov, county, demo = province
    teacher = User.objects.get(username="hl1z_teacher")
    RegionPost.objects.create(user=teacher, region=prov)
    policy.forget(teacher)
    assert policy.region_post(teacher) is None
    login(client, teacher)
    assert client.get(reverse("dashboards:region")).status_code == 404
    assert client.get(reverse("api-dashboards-region")).status_code == 403


def test_a_region_post_needs_an_account_of_no_county(province):
    from django.core.exceptions import ValidationError

    from anxin.accounts.models import RegionPost, User
    from anxin.org.models import Region

    prov, county, demo = province
    post = RegionPost(user=User.objects.get(username="demo_safety"), region=prov)
    with pytest.raises(ValidationError, match="单独的账号"):
        post.full_clean()
    bad = Region(code="640200", name="石嘴山市", level="province", department_name="x", parent=prov)
    with pytest.raises(ValidationError, match="上级须为省"):
        bad.full_clean()


def test_the_demo_province_post(demo):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from anxin.accounts.models import RegionPost
    from anxin.demo import data

    post = RegionPost.objects.select_related("user", "region").get(user__username=data.REGION_LOGIN.username)
    assert post.user.county_id is None and not post.user.memberships.exists()
    assert post.region.code == data.PROVINCE[0]
    assert demo.region.code == data.CITY[0] and demo.region.parent_id == post.region_id
    assert TOTPDevice.objects.filter(user=post.user, confirmed=True).exists()


def test_the_overview_exports_as_xlsx_and_the_export_is_audited(province, client):
    from io import BytesIO

    from openpyxl import load_workbook

    from anxin.accounts.models import User
    from anxin.core.models import AuditEvent
    from anxin.core.testing import login

    prov, county, demo = province
    login(client, region_user(region=prov))
    page = client.get(reverse("dashboards:region"), {"from": "2026-09"}).content.decode()
    url = reverse("dashboards:region_xlsx", args=[prov.pk]) + "?from=2026-09"
    assert f'href="{url}"' in page
    r = client.get(url)
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    wb = load_workbook(BytesIO(r.content))
    ws = wb.worksheets[0]
    assert "各市、县区" in ws["A1"].value and "2026-09-01" in ws["A2"].value
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=5)]
    figs = overview(prov, dt.date(2026, 9, 1), None)
    want = [[r.label] + [c.value for c in r.cells] for r in figs["region_units"].rows]
    want.append([figs["region_units"].total.label] + [c.value for c in figs["region_units"].total.cells])
    assert rows[: len(want)] == want
    assert AuditEvent.objects.filter(action="export", object_type="dashboards.region").exists()
    client.logout()
    login(client, User.objects.get(username="demo_safety"))
    assert client.get(url).status_code == 404


def test_a_region_without_counties_yet_shows_empty_figures(province, client):
    from anxin.core.testing import login
    from anxin.org.models import Region

    empty = Region.objects.create(
        code="650000", name="新疆维吾尔自治区", level="province", department_name="新疆教育厅"
    )
    login(client, region_user(region=empty))
    r = client.get(reverse("dashboards:region"))
    html = r.content.decode()
    assert r.status_code == 200 and "新疆维吾尔自治区概览" in html and "全省合计" in html
    figs = overview(empty)
    assert figs["region_units"].rows == [] and [c.value for c in figs["region_units"].total.cells] == [
        0,
        0,
        0,
        0,
    ]
    assert client.get(reverse("api-dashboards-region")).json()["figures"][0]["rows"] == []
