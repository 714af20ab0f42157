"""Every dashboard figure equals an independent count of the demo county's rows (counted here in
Python from the rows themselves, not with the figures' GROUP BY), and every figure's link opens
the register listing exactly what it counts."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.urls import reverse

from anxin.core import clock

pytestmark = pytest.mark.django_db


def scope_for(username, **kw):
    from anxin.accounts.models import User
    from anxin.core import policy
    from anxin.dashboards.figures import Scope

    user = User.objects.get(username=username)
    policy.forget(user)
    perm = (
        "dashboards.county.view" if policy.can(user, "dashboards.county.view") else "dashboards.school.view"
    )
    return Scope(user=user, county_id=user.county_id, dash_schools=policy.schools_for(user, perm), **kw)


def figures(scope):
    from anxin.dashboards import panels

    return {f.key: f for f in panels.all_figures(scope)}


def values(fig, col=0):
    return {r.label: r.cells[col].value for r in fig.rows}


def is_late(c, now):
    return c.report_late or (
        c.report_required
        and c.first_reported_at is None
        and c.report_due_at is not None
        and c.report_due_at < now
    )


def test_case_figures_equal_independent_counts(demo):
    from anxin.cases.law.definitions import BEHAVIOUR_TYPES, RESULTS
    from anxin.cases.models import BullyingCase
    from anxin.org.models import School

    scope = scope_for("demo_safety")
    figs = figures(scope)
    cases = list(BullyingCase.objects.filter(county=demo))
    assert len(cases) >= 12
    now = clock.now()
    # by school, with the 全县合计 row
    unit = figs["cases_unit"]
    names = dict(School.objects.filter(county=demo).values_list("pk", "name"))
    by_school = Counter(names[c.school_id] for c in cases)
    open_by_school = Counter(names[c.school_id] for c in cases if c.state != "closed")
    late_by_school = Counter(names[c.school_id] for c in cases if is_late(c, now))
    assert {k: v for k, v in values(unit).items() if v} == dict(by_school)
    assert {k: v for k, v in values(unit, 1).items() if v} == dict(open_by_school)
    assert {k: v for k, v in values(unit, 2).items() if v} == dict(late_by_school)
    assert unit.total.label == "全县合计" and unit.total.cells[0].value == len(cases)
    # by month (local time), by type, by determination
    month = Counter(f"{c.discovered_at.astimezone(clock.SHANGHAI):%Y-%m}" for c in cases)
    fig = figs["cases_month"]
    assert {k: v for k, v in values(fig).items() if v} == {k: v for k, v in month.items() if k in values(fig)}
    types = Counter(t for c in cases for t in set(c.behaviour_types))
    labels = {code: str(lbl) for code, lbl, *_r in BEHAVIOUR_TYPES}
    assert {k: v for k, v in values(figs["cases_type"]).items() if v} == {
        labels[k]: v for k, v in types.items()
    }
    results = Counter(c.result for c in cases if c.result)
    rlabels = {code: str(lbl) for code, lbl, *_r in RESULTS}
    got = {k: v for k, v in values(figs["cases_result"]).items() if v and k != "尚未认定"}
    assert got == {rlabels[k]: v for k, v in results.items()}
    assert figs["cases_result"].cell("none").value == sum(1 for c in cases if not c.result)
    # discovery → report
    req = [c for c in cases if c.report_required]
    rt = figs["report_time"]
    assert rt.cell("required").value == len(req)
    assert rt.cell("late").value == sum(1 for c in req if is_late(c, now))
    spans = sorted(
        (c.first_reported_at - c.discovered_at).total_seconds() / 3600 for c in req if c.first_reported_at
    )
    if spans:
        mid = len(spans) // 2
        median = spans[mid] if len(spans) % 2 else (spans[mid - 1] + spans[mid]) / 2
        assert rt.cell("median_hours").value == pytest.approx(median)


def test_report_and_screening_figures_equal_independent_counts(demo):
    from anxin.care.models import CarePlan
    from anxin.intake.models import Report
    from anxin.org.models import School
    from anxin.screening.models import HazardPoint, RiskState, VulnerabilityEntry

    scope = scope_for("demo_safety")
    figs = figures(scope)
    today = clock.today()
    # untriaged reports by age (days since received, local dates)
    ages = [
        (today - clock.local_date(r.created_at)).days
        for r in Report.objects.filter(county=demo, status="new")
    ]
    bands = [sum(1 for a in ages if a == 0), sum(1 for a in ages if 1 <= a <= 2)]
    bands += [sum(1 for a in ages if 3 <= a <= 6), sum(1 for a in ages if a >= 7)]
    fig = figs["reports_untriaged"]
    assert [r.cells[0].value for r in fig.rows] == bands and fig.total.cells[0].value == len(ages)
    # vulnerable students by category (counts only for the bureau: small cells suppressed)
    entries = list(
        VulnerabilityEntry.objects.filter(county=demo, ended_on__isnull=True).select_related("category")
    )
    per_cat = Counter(e.category.name for e in entries)
    vul = figs["vulnerable"]
    assert vul.counts_only
    for r in vul.rows:
        n = per_cat.get(r.label, 0)
        assert r.cells[0].suppressed == (0 < n < 3)
        assert r.cells[0].display == ("<3" if 0 < n < 3 else str(n))
        assert r.cells[0].url is None  # no register the bureau may read
    assert vul.total.cells[0].display == (str(len(entries)) if len(entries) >= 3 else "<3")
    # risk levels
    levels = Counter(
        RiskState.objects.filter(county=demo, student__status="enrolled").values_list("level", flat=True)
    )
    for r in figs["risk_levels"].rows:
        n = levels.get(r.key, 0)
        assert r.cells[0].display == ("<3" if 0 < n < 3 else str(n))
    # hazard points open, and open without a camera, by school
    names = dict(School.objects.filter(county=demo).values_list("pk", "name"))
    open_points = list(HazardPoint.objects.filter(county=demo, status="open").prefetch_related("cameras"))
    hz = figs["hazards"]
    assert {k: v for k, v in values(hz).items() if v} == dict(
        Counter(names[h.school_id] for h in open_points)
    )
    no_cam = Counter(names[h.school_id] for h in open_points if not h.cameras.all())
    assert {k: v for k, v in values(hz, 1).items() if v} == dict(no_cam)
    assert hz.total.cells == [hz.total.cells[0], hz.total.cells[1]]
    assert hz.total.cells[1].value == sum(no_cam.values())
    # care plans: active, and contact overdue
    plans = list(CarePlan.objects.filter(county=demo, status="active"))
    care = figs["care"]
    assert care.total.cells[0].display == str(len(plans)) or len(plans) < 3
    overdue = sum(1 for p in plans if p.next_due_on and p.next_due_on < today)
    assert care.total.cells[1].display == (str(overdue) if not 0 < overdue < 3 else "<3")


def test_school_figures_by_grade_and_class(demo, as_user):
    from anxin.cases.models import BullyingCase, CaseParty
    from anxin.org.models import School
    from anxin.screening.models import RiskState

    school = School.objects.get(county=demo, name="贺兰县第一中学")
    scope = scope_for("hl1z_principal", school=school)
    figs = figures(scope)
    assert scope.level == "school"
    cases = BullyingCase.objects.filter(school=school)
    unit = figs["cases_unit"]
    assert unit.total.cells[0].value == cases.count()
    per_grade = Counter()
    for case in cases:
        grades = {
            p.student.klass.grade.name
            for p in CaseParty.objects.filter(case=case, student__isnull=False).select_related(
                "student__klass__grade"
            )
        }
        per_grade.update(grades)
    assert {k: v for k, v in values(unit).items() if v} == dict(per_grade)
    # the principal may read the risk register: links, no suppression
    levels = Counter(
        RiskState.objects.filter(school=school, student__status="enrolled").values_list("level", flat=True)
    )
    risk = figs["risk_levels"]
    assert not risk.counts_only
    assert {r.key: r.cells[0].value for r in risk.rows if r.cells[0].value} == dict(levels)
    # down to a class
    row = next(r for r in unit.rows if r.cells[0].value)
    grade_scope = scope_for("hl1z_principal", school=school, grade=school.grades.get(pk=int(row.key)))
    gfigs = figures(grade_scope)
    assert gfigs["cases_unit"].total.cells[0].value == row.cells[0].value


def test_each_link_lists_exactly_what_it_counts(demo, client, as_user):
    """Follow every linked number on the county and a school dashboard: the register's total
    under those filters equals the number."""
    from anxin.cases.models import CaseParty
    from anxin.org.models import School

    school = School.objects.get(county=demo, name="贺兰县第一中学")
    grade = CaseParty.objects.filter(school=school, student__isnull=False).first().student.klass.grade
    checked = 0
    for username, kw in (
        ("demo_safety", {}),
        ("hl1z_principal", {"school": school}),
        ("hl1z_principal", {"school": school, "grade": grade}),  # class rows: ?klass=
    ):
        as_user(username)
        for fig in figures(scope_for(username, **kw)).values():
            rows = list(fig.rows) + ([fig.total] if fig.total else [])
            for r in rows:
                for cell in r.cells:
                    if cell.url:
                        resp = client.get(cell.url)
                        assert resp.status_code == 200, cell.url
                        n = resp.context["page_obj"].paginator.count
                        assert n == cell.value, (fig.key, r.label, cell.url, n, cell.value)
                        checked += 1
    assert checked >= 30


def test_date_range_and_school_type_narrow_the_cases(demo):
    from anxin.cases.models import BullyingCase

    cases = list(BullyingCase.objects.filter(county=demo).select_related("school"))
    days = sorted(clock.local_date(c.discovered_at) for c in cases)
    lo, hi = days[len(days) // 4], days[3 * len(days) // 4]
    kind = Counter(c.school.type for c in cases).most_common(1)[0][0]
    scope = scope_for("demo_safety", date_from=lo, date_to=hi, school_type=kind)
    unit = figures(scope)["cases_unit"]
    want = [c for c in cases if lo <= clock.local_date(c.discovered_at) <= hi and c.school.type == kind]
    assert unit.total.cells[0].value == len(want)
    assert want, "the demo has junior-school cases in the middle half of the dates"
    assert "discovered_from=" + lo.isoformat() in unit.total.cells[0].url
    assert f"school_type={kind}" in unit.total.cells[0].url
    assert len(unit.rows) < 29  # only schools of that type


def test_county_dashboard_query_count_is_fixed(demo, client, as_user, django_assert_max_num_queries):
    as_user("demo_safety")
    client.get(reverse("dashboards:county"))  # warm the session, memberships, caches
    # ~45: a fixed number per figure, whatever the schools (the training, supervision and 监督岗
    # panels add ~10 for all schools together)
    with django_assert_max_num_queries(47):
        r = client.get(reverse("dashboards:county"))
    assert r.status_code == 200


def test_campaign_progress_figure(demo):
    from anxin.campaigns import progress
    from anxin.org.models import School

    figs = figures(scope_for("demo_safety"))
    camp = [f for k, f in figs.items() if k.startswith("campaign_")]
    assert camp, "the demo runs a campaign"
    c = progress.running_campaigns([demo.pk])[0]
    board = progress.evaluate(c, School.objects.filter(county=demo, active=True))
    assert camp[0].total.cells[0].value == sum(r.done for r in board.rows)


def test_week_counts(demo):
    from anxin.dashboards.week import week_figures, week_start
    from anxin.intake.models import Report
    from anxin.org.models import School

    school = School.objects.get(county=demo, name="贺兰县第一中学")
    scope = scope_for("hl1z_safety", school=school)
    figs = {f.key: f for f in week_figures(scope, clock.now())}
    monday = week_start(clock.today())
    n = sum(
        1
        for r in Report.objects.filter(school=school)
        if monday <= clock.local_date(r.created_at) <= monday + dt.timedelta(days=6)
    )
    assert figs["week_arrived"].cell("reports").value == n
    from anxin.screening.models import RiskState

    since = dt.datetime.combine(monday, dt.time.min, tzinfo=clock.SHANGHAI)
    changed = RiskState.objects.filter(school=school, changed_at__gte=since, student__status="enrolled")
    red = changed.filter(level="red").count()
    cell = figs["week_risk"].cell("red")
    assert cell.value == red and (cell.url is None) == (red == 0)


def test_week_links_list_what_they_count(demo, client, as_user):
    from anxin.dashboards.week import week_figures
    from anxin.org.models import School

    school = School.objects.get(county=demo, name="贺兰县第一中学")
    as_user("hl1z_safety")
    for fig in week_figures(scope_for("hl1z_safety", school=school), clock.now()):
        for r in [*fig.rows, *([fig.total] if fig.total else [])]:
            for c in r.cells:
                if c.url:
                    assert client.get(c.url).context["page_obj"].paginator.count == c.value, (
                        fig.key,
                        r.label,
                    )


# --- pages, rights, exports ------------------------------------------------------------------------


def test_rights_and_scope_of_the_pages(demo, client, as_user):
    from anxin.org.models import School

    own = School.objects.get(county=demo, name="贺兰县第一中学")
    other = School.objects.filter(county=demo).exclude(pk=own.pk).first()
    as_user("hl1z_ct_7_1")  # a class teacher: no dashboard
    assert client.get(reverse("dashboards:county")).status_code == 403
    assert client.get(reverse("dashboards:school", args=[own.pk])).status_code == 403
    as_user("hl1z_principal")
    assert client.get(reverse("dashboards:county")).status_code == 403
    assert client.get(reverse("dashboards:school", args=[other.pk])).status_code == 404
    r = client.get(reverse("dashboards:school_home"))
    assert r.status_code == 200 and own.name in r.content.decode()
    assert client.get(reverse("dashboards:returns_xlsx")).status_code == 403
    as_user("demo_admin")  # separation of duties: no figures of cases for the administrator
    assert client.get(reverse("dashboards:county")).status_code == 403


def test_bureau_sees_no_names_and_suppressed_small_cells(demo, client, as_user):
    from anxin.roster.models import Student

    as_user("demo_safety")
    html = client.get(reverse("dashboards:county")).content.decode().split("<main", 1)[1]
    assert "全县合计" in html and "&lt;3" in html
    names = set(Student.objects.filter(county=demo).values_list("name", flat=True)[:400])
    assert not [n for n in names if len(n) >= 2 and n in html]


def test_statistics_returns_xlsx_has_merged_headers_and_totals(demo, client, as_user):
    import io

    from openpyxl import load_workbook

    as_user("demo_safety")
    r = client.get(reverse("dashboards:returns_xlsx"))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["欺凌事件 各校"]
    assert "A3:A4" in {str(m) for m in ws.merged_cells.ranges}
    last = [c.value for c in ws[ws.max_row]]
    assert last[0] == "全县合计"
    from anxin.cases.models import BullyingCase

    assert last[1] == BullyingCase.objects.filter(county=demo).count()
    assert ws.column_dimensions["A"].width >= 2 * len("贺兰县第一中学")
    assert len(wb.sheetnames) >= 10


def test_report_docx_has_chart_images_and_tables(demo, client, as_user):
    import io

    from docx import Document

    as_user("demo_safety")
    r = client.get(reverse("dashboards:report_docx"))
    assert r.status_code == 200
    doc = Document(io.BytesIO(r.content))
    assert "学生欺凌防治工作统计报告" in doc.paragraphs[0].text
    assert len(doc.inline_shapes) >= 6 and len(doc.tables) >= 10


def test_week_and_hotspots_pages(demo, client, as_user):
    as_user("hl1z_safety")
    r = client.get(reverse("dashboards:week"))
    assert r.status_code == 200 and "本周新收" in r.content.decode()
    r = client.get(reverse("dashboards:hotspots"))
    html = r.content.decode()
    assert r.status_code == 200 and "举报：星期 × 时段" in html and "无监控" in html or "摄像头" in html


def test_overdue_obligations_by_kind_and_school(demo):
    from anxin.care.models import CarePlan
    from anxin.cases.models import BullyingCase
    from anxin.screening.models import Rectification, TendencyEntry

    today = clock.today()
    now = clock.now()
    fig = figures(scope_for("demo_safety"))["overdue"]
    assert fig.columns[:3] == ["事件迟报", "关爱联系逾期", "倾向复核逾期"]
    want = [
        sum(1 for c in BullyingCase.objects.filter(county=demo) if is_late(c, now)),
        sum(
            1
            for p in CarePlan.objects.filter(county=demo, status="active")
            if p.next_due_on and p.next_due_on < today
        ),
        sum(1 for t in TendencyEntry.objects.filter(county=demo, status="active") if t.review_due < today),
        sum(
            1 for r in Rectification.objects.filter(county=demo) if r.due_date < today and r.status != "done"
        ),
    ]
    for i, n in enumerate(want):
        assert fig.total.cells[i].display == (str(n) if not (0 < n < 3 and i in (1, 2)) else "<3"), (
            fig.columns[i]
        )
    assert sum(1 for n in want if n) >= 2, "the demo has overdue work of several kinds"
    late_by_school: dict[str, int] = {}
    for c in BullyingCase.objects.filter(county=demo):
        if is_late(c, now):
            late_by_school[str(c.school_id)] = late_by_school.get(str(c.school_id), 0) + 1
    assert {r.key: r.cells[0].value for r in fig.rows if r.cells[0].value} == late_by_school
    # overdue now whenever discovered: a date range on the page (whole months, so the rollups
    # serve it) does not narrow 事件迟报, while the 事件 figures it shares the cases with are narrowed
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    ranged = figures(scope_for("demo_safety", date_from=first))
    assert ranged["overdue"].total.cells[0].value == want[0]
    in_range = BullyingCase.objects.filter(county=demo, discovered_at__date__gte=first).count()
    assert in_range < BullyingCase.objects.filter(county=demo).count(), "the range leaves cases out"
    assert ranged["cases_unit"].total.cells[0].value == in_range


def test_hotspot_heat_maps_and_places(demo):
    from anxin.cases.models import BullyingCase
    from anxin.dashboards import week
    from anxin.intake.models import Report

    scope = scope_for("demo_safety")
    heat = week.heat_figure(scope)
    reports = [
        r
        for r in Report.objects.filter(county=demo)
        if r.occurred_on and r.occurred_period not in ("", "unsure")
    ]
    want = Counter((r.occurred_on.isoweekday(), r.occurred_period) for r in reports)
    periods = [
        c for c, _l in __import__("anxin.intake.data", fromlist=["Period"]).Period.choices if c != "unsure"
    ]
    got = {(int(r.key), periods[j]): c.value for r in heat.rows for j, c in enumerate(r.cells) if c.value}
    assert got == dict(want) and want
    cheat = week.case_heat_figure(scope)
    cases = [c for c in BullyingCase.objects.filter(county=demo) if c.occurred_at]
    assert sum(c.value for r in cheat.rows for c in r.cells) == len(cases)
    monday = [c for c in cases if c.occurred_at.astimezone(clock.SHANGHAI).isoweekday() == 1]
    assert sum(c.value for c in cheat.rows[0].cells) == len(monday)
    places = week.places_figure(scope)
    assert places.total.cells[0].value == Report.objects.filter(county=demo).count()
    spots = week.spots_figure(scope)
    with_reports = Report.objects.filter(county=demo, spot__isnull=False).values("spot").distinct().count()
    assert len(spots.rows) == with_reports
    first_with_camera = next((i for i, r in enumerate(spots.rows) if r.cells[1].value), len(spots.rows))
    assert all(r.cells[1].alert for r in spots.rows[:first_with_camera])  # no camera: first, marked


def test_api_serves_the_same_figures_under_the_same_rights(demo, client, as_user):
    from anxin.cases.models import BullyingCase
    from anxin.org.models import School

    own = School.objects.get(county=demo, name="贺兰县第一中学")
    other = School.objects.filter(county=demo).exclude(pk=own.pk).first()
    as_user("demo_safety")
    r = client.get(reverse("api-dashboards-county"))
    assert r.status_code == 200
    figs = {f["key"]: f for s in r.json()["sections"] for f in s["figures"]}
    assert figs["cases_unit"]["total"]["values"][0] == BullyingCase.objects.filter(county=demo).count()
    assert figs["vulnerable"]["counts_only"] and figs["vulnerable"]["total"]["links"] == [None]
    as_user("hl1z_principal")
    assert client.get(reverse("api-dashboards-county")).status_code == 403
    assert client.get(reverse("api-dashboards-school", args=[other.pk])).status_code == 404
    r = client.get(reverse("api-dashboards-school", args=[own.pk]))
    assert r.status_code == 200 and r.json()["level"] == "school"


def test_training_supervision_and_post_panels_equal_independent_counts(demo):
    """The panels education, supervision and oversight add (the dashboards' registry), against
    counts made here from the rows themselves."""
    from anxin.accounts.models import Membership
    from anxin.care.services.mechanisms import term_start
    from anxin.education import periods
    from anxin.education.coverage import STAFF
    from anxin.education.models import LAW_KINDS, Activity, StaffAttendance
    from anxin.org.models import School
    from anxin.oversight.models import Post
    from anxin.supervision.models import RectificationItem, Visit

    figs = figures(scope_for("demo_safety"))
    today = clock.today()
    names = dict(School.objects.filter(county=demo).values_list("pk", "name"))

    edu = figs["education_coverage"]
    y0, y1 = periods.year_span(periods.year_of(today))
    t0, t1 = term_start(today), periods.term_end(today)
    in_post: dict = {}
    for m in Membership.objects.active().filter(
        school__county=demo, role__in=list(STAFF), user__is_active=True
    ):
        in_post.setdefault(m.school_id, set()).add(m.user_id)
    trained: dict = {}
    for a in StaffAttendance.objects.filter(school__county=demo).select_related("activity"):
        if a.activity.kind == "staff_training" and y0 <= a.activity.held_on <= y1:
            trained.setdefault(a.school_id, set()).add(a.user_id)
    law = Counter(
        a.school_id
        for a in Activity.objects.filter(school__county=demo)
        if a.kind in LAW_KINDS and t0 <= a.held_on <= t1
    )
    for sid, name in names.items():
        if edu.cell(name) is None:
            continue
        staff = in_post.get(sid, set())
        assert values(edu, 0)[name] == len(staff & trained.get(sid, set())), name
        assert values(edu, 1)[name] == len(staff), name
        assert values(edu, 4)[name] == law[sid], name
    assert edu.total.cells[1].value == sum(len(v) for k, v in in_post.items() if k in names)
    assert any(values(edu, 0)[n] < values(edu, 1)[n] for n in values(edu)), "some staff untrained"

    sup = figs["supervision"]
    done = Counter(
        v.school_id
        for v in Visit.objects.filter(school__county=demo)
        if v.status == "done" and v.visited_on and t0 <= v.visited_on <= today
    )
    late = Counter(
        r.school_id
        for r in RectificationItem.objects.filter(school__county=demo)
        if r.status in ("open", "returned") and r.due_date < today
    )
    verified = Counter(
        r.school_id for r in RectificationItem.objects.filter(school__county=demo, status="verified")
    )
    for sid, name in names.items():
        if sup.cell(name) is None:
            continue
        assert values(sup, 0)[name] == done[sid], name
        assert values(sup, 2)[name] == late[sid], name
        assert values(sup, 3)[name] == verified[sid], name
    assert sup.total.cells[0].value == sum(done.values()) > 0

    posts = figs["oversight_posts"]
    staffed, total = Counter(), Counter()
    for p in Post.objects.filter(school__county=demo, active=True).prefetch_related("shifts"):
        shifts = list(p.shifts.all())
        total[p.school_id] += 1
        staffed[p.school_id] += bool(shifts) and all(s.staff_id for s in shifts)
    for sid, name in names.items():
        if posts.cell(name) is not None:
            assert [values(posts, 0)[name], values(posts, 1)[name]] == [staffed[sid], total[sid]], name
    assert posts.total.cells[1].value == sum(total.values()) > 0


def test_a_supervisor_sees_only_their_schools_in_the_supervision_panel(demo):
    from anxin.accounts.models import User
    from anxin.core import policy
    from anxin.org.models import School

    figs = figures(scope_for("demo_supervisor"))
    mine = policy.schools_for(User.objects.get(username="demo_supervisor"), "supervision.visit.view")

    shown = {r.label for r in figs["supervision"].rows}
    assert shown == set(School.objects.filter(pk__in=mine).values_list("name", flat=True)) and len(shown) < 29


def test_a_total_that_would_give_away_one_hidden_cell_is_hidden_too(demo):
    """At class level the bureau sees no total that tells a hidden small cell."""
    from anxin.dashboards.figures import Cell, Figure, Row

    def fig(*cells):
        rows = [Row(f"r{i}", [c]) for i, c in enumerate(cells)]
        return Figure(
            "f", "t", ["n"], rows, Row("合计", [Cell(sum(c.value or 0 for c in cells) + 1)])
        ).protect()

    one = fig(Cell(4), Cell(None, suppressed=True))  # 合计 5 − 4 would tell the hidden 1
    assert one.total.cells[0].suppressed and one.total.cells[0].display == "—"
    two = fig(Cell(4), Cell(None, suppressed=True), Cell(None, suppressed=True))  # 6 − 4 = 1 + 1
    assert two.total.cells[0].suppressed
    none = fig(Cell(4), Cell(5))
    assert none.total.cells[0].value == 10 and not none.total.cells[0].suppressed
    from anxin.org.models import SchoolClass

    for klass in SchoolClass.objects.filter(school__county=demo, active=True)[:40]:
        for f in figures(
            scope_for("demo_safety", school=klass.school, grade=klass.grade, klass=klass)
        ).values():
            if f.total is None:
                continue
            for i, t in enumerate(f.total.cells):
                if any(i < len(r.cells) and r.cells[i].suppressed for r in f.rows):
                    assert t.suppressed, (klass, f.key, i)
