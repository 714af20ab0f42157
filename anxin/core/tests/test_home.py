"""工作台 is the user's duties, most urgent first (已逾期 in red, 本周到期, 新消息, 其他), with the
figures the role is judged by; the API twin answers the same; its cost does not grow with the
number of duties; 催办 reaches the owner, is logged and audited, once a day."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from anxin.care import services as care
from anxin.care.models import CarePlan
from anxin.core import clock
from anxin.core.models import AuditEvent, Chase, Notification
from anxin.core.roles import Role
from anxin.intake import services as intake
from anxin.intake.tests.conftest import FORM
from anxin.screening import services as scr
from anxin.screening.models import ScreeningRound


def _overdue_round(world):
    today = clock.today()
    return scr.open_round(
        by=world.user[Role.SAFETY_LEADER],
        school=world.school_a1,
        title="秋季排查",
        opened_on=today - dt.timedelta(days=10),
        deadline=today - dt.timedelta(days=2),
    )


def _groups(body: str) -> dict[str, str]:
    """The HTML of each group (overdue, due_soon, new, open) on 工作台."""
    out = {}
    for m in re.finditer(r'<section class="duties (\w+)" data-group="\w+">(.*?)</section>', body, re.S):
        out[m.group(1)] = m.group(2)
    return out


def _record_all(world, round_, klass, by):
    from anxin.roster.models import Student

    for st in Student.objects.filter(klass=klass, status="enrolled"):
        scr.save_record(
            by=by, round=round_, student=st, data={"psych": "good", "mood": "stable", "peers": "harmonious"}
        )


def test_the_class_teacher_sees_the_overdue_screening_in_red_and_it_goes_when_done(world, as_user):
    r = _overdue_round(world)
    teacher = world.user[Role.CLASS_TEACHER]
    c = as_user(teacher)
    body = c.get("/home/").content.decode()
    groups = _groups(body)
    assert "初一1班 排查未完成" in groups["overdue"]
    assert f'href="/screening/rounds/{r.pk}/class/{world.class_a1_1.pk}/"' in groups["overdue"]
    assert "已逾期 2 天" in groups["overdue"]
    # the counts of rows are gone; 反映情况 is one tap away
    assert "在读学生" not in body and "今日审计事件" not in body
    assert 'href="/intake/concerns/new/">反映情况</a>' in body
    # the figure the class teacher is judged by: the class's screening %
    assert 'data-figure="screening.class_pct"' in body
    _record_all(world, r, world.class_a1_1, teacher)
    body = c.get("/home/").content.decode()
    assert "初一1班 排查未完成" not in body
    assert re.search(r'data-figure="screening.class_pct"><span class="v">100%', body)


def test_a_report_is_new_until_looked_at_then_due(world, as_user):
    leader = world.user[Role.SAFETY_LEADER]
    c = as_user(leader)
    c.get("/home/")  # looked once before the report arrived
    report = intake.submit_report(school=world.school_a1, data=dict(FORM)).report
    groups = _groups(c.get("/home/").content.decode())
    assert f"/intake/reports/{report.pk}/" in groups["new"]
    groups = _groups(c.get("/home/").content.decode())
    assert "new" not in groups and f"/intake/reports/{report.pk}/" in groups["due_soon"]
    # the teacher of the class sees no report
    assert (
        f"/intake/reports/{report.pk}/"
        not in as_user(world.user[Role.CLASS_TEACHER]).get("/home/").content.decode()
    )


def _overdue_plans(world, n, start=0):
    leader = world.user[Role.SAFETY_LEADER]
    from anxin.core.testing import make_student

    for i in range(start, start + n):
        st = make_student(world.class_a1_1, f"学生{i}", 100 + i)
        plan = care.create_plan(leader, st, level="orange", reason="留守儿童")
        CarePlan.objects.filter(pk=plan.pk).update(next_due_on=dt.date(2020, 1, 1))


def _home_queries(client) -> int:
    """The queries of 工作台 with nothing cached (its figures are cached for a minute: the
    first visit after a change is the one that counts)."""
    from django.core.cache import cache

    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/home/").status_code == 200
    return len(ctx.captured_queries)


# session, user, 2FA and memberships included
# includes the risk → action (care) and survey-disclosure (screening) providers, and the
# cases' 签发 (report_sign) and 接手案件 (handover) providers, and campaign tasks (campaigns: one
# query for the running campaigns, none running here), and education's two gaps (主题班会, training: 4)
# and the class teacher's own class's 主题班会 (3)
PINNED_QUERIES = {Role.SAFETY_LEADER: 46, Role.PRINCIPAL: 47, Role.CLASS_TEACHER: 31, Role.BUREAU_SAFETY: 31}


@pytest.mark.parametrize("role", [Role.SAFETY_LEADER, Role.PRINCIPAL, Role.CLASS_TEACHER, Role.BUREAU_SAFETY])
def test_the_cost_of_home_does_not_grow_with_the_number_of_duties(world, as_user, role):
    _overdue_round(world)
    _overdue_plans(world, 1)
    intake.submit_report(school=world.school_a1, data=dict(FORM))
    c = as_user(world.user[role])
    c.get("/home/")
    few = _home_queries(c)
    _overdue_plans(world, 12, start=1)
    for _ in range(8):
        intake.submit_report(school=world.school_a1, data=dict(FORM))
    many = _home_queries(c)
    assert many == few
    with CaptureQueriesContext(connection) as warm:
        c.get("/home/")
    assert len(warm.captured_queries) < few  # the figures come from the cache
    # pinned: every provider is a fixed number of queries (a new provider adds its own here)
    assert few <= PINNED_QUERIES[role]


def test_the_api_gives_the_same_duties_and_figures(world, as_user, client):
    _overdue_round(world)
    c = as_user(world.user[Role.CLASS_TEACHER])
    data = c.get("/api/v1/home/").json()
    screening = [d for d in data["duties"] if d["kind"] == "screening.class"]
    assert len(screening) == 1
    d = screening[0]
    assert d["state"] == "overdue" and d["mine"] is True and d["can_chase"] is False
    assert d["url"].startswith("/screening/rounds/") and d["title"] == "初一1班 排查未完成"
    assert {f["key"] for f in data["figures"]} >= {"screening.class_pct", "screening.high_risk"}
    page = c.get("/home/").content.decode()
    for duty in data["duties"]:
        assert duty["url"] in page
    client.logout()
    assert client.get("/api/v1/home/").status_code in (401, 403)


def test_the_schema_documents_the_home_answer(client):
    schema = client.get("/api/v1/openapi.json").json()
    ok = schema["paths"]["/api/v1/home/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["$ref"].endswith("/Home")
    comps = schema["components"]["schemas"]
    assert {"duties", "figures"} <= set(comps["Home"]["properties"])
    assert {"kind", "state", "due", "url", "owner", "can_chase", "chased_at"} <= set(
        comps["Duty"]["properties"]
    )


# --- 催办 ----------------------------------------------------------------------------------------


def test_the_bureau_chases_a_late_school_once_a_day(world, as_user, django_capture_on_commit_callbacks):
    r = _overdue_round(world)
    bureau = world.user[Role.BUREAU_SAFETY]
    c = as_user(bureau)
    data = c.get("/api/v1/home/").json()
    duty = next(d for d in data["duties"] if d["kind"] == "screening.school")
    assert duty["state"] == "overdue" and duty["can_chase"] is True and duty["mine"] is False
    assert duty["ref"] == f"screening.round:{r.pk}"
    assert "确认催办" in c.get("/home/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        resp = c.post("/home/chase/", {"ref": duty["ref"]})
    assert resp.status_code == 302
    chase = Chase.objects.get(ref=duty["ref"])
    leader = world.user[Role.SAFETY_LEADER]
    assert chase.by == bureau and chase.recipients == [leader.pk]
    note = Notification.objects.get(recipient=leader, kind="chase")
    assert "排查未完成" in note.title
    assert AuditEvent.objects.filter(action="duty.chase", object_id=str(chase.pk)).exists()
    # the duty shows 已催办 and the button is gone for today
    body = c.get("/home/").content.decode()
    assert "已催办（" in body and "确认催办" not in body
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/home/chase/", {"ref": duty["ref"]})
    assert Chase.objects.filter(ref=duty["ref"]).count() == 1
    assert Notification.objects.filter(recipient=leader, kind="chase").count() == 1
    # the owner sees that it was chased
    assert "已催办（" in as_user(leader).get("/home/").content.decode()


def test_the_principal_chases_a_class_teacher_but_a_teacher_chases_nobody(
    world, as_user, django_capture_on_commit_callbacks
):
    _overdue_round(world)
    teacher = world.user[Role.CLASS_TEACHER]
    ref = f"screening.round:{ScreeningRound.objects.get().pk}:class:{world.class_a1_1.pk}"
    # the class teacher owns it: no chase of one's own duty
    as_user(teacher).post("/home/chase/", {"ref": ref})
    assert not Chase.objects.exists()
    # a middle manager sees the school but may not chase
    as_user(world.user[Role.MIDDLE_MANAGER]).post(
        "/home/chase/", {"ref": f"screening.round:{ref.split(':')[1]}"}
    )
    assert not Chase.objects.exists()
    # a principal of another county does not see it
    c = as_user(world.user_b[Role.SAFETY_LEADER])
    c.post("/home/chase/", {"ref": ref})
    assert not Chase.objects.exists()
    c = as_user(world.user[Role.PRINCIPAL])
    assert c.get("/home/chase/").status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/home/chase/", {"ref": ref})
    chase = Chase.objects.get()
    assert chase.recipients == [teacher.pk]
    assert Notification.objects.filter(recipient=teacher, kind="chase").count() == 1


def test_a_duty_not_yet_overdue_cannot_be_chased(world, as_user):
    today = clock.today()
    r = scr.open_round(
        by=world.user[Role.SAFETY_LEADER],
        school=world.school_a1,
        title="冬季排查",
        deadline=today + dt.timedelta(days=3),
    )
    # the principal sees the school's round (owed by the safety leader), due in three days
    c = as_user(world.user[Role.PRINCIPAL])
    d = next(d for d in c.get("/api/v1/home/").json()["duties"] if d["kind"] == "screening.school")
    assert d["state"] == "due_soon" and d["mine"] is False and d["can_chase"] is False
    c.post("/home/chase/", {"ref": f"screening.round:{r.pk}"})
    assert not Chase.objects.exists()
    # the bureau does not see it before the deadline, so cannot chase it either
    c = as_user(world.user[Role.BUREAU_SAFETY])
    assert all(d["kind"] != "screening.school" for d in c.get("/api/v1/home/").json()["duties"])
    c.post("/home/chase/", {"ref": f"screening.round:{r.pk}"})
    assert not Chase.objects.exists()


def test_the_chase_needs_csrf(world, client):
    from anxin.core.testing import login

    _overdue_round(world)
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    login(c, world.user[Role.BUREAU_SAFETY])
    r = ScreeningRound.objects.get()
    assert c.post("/home/chase/", {"ref": f"screening.round:{r.pk}"}).status_code == 403
    assert not Chase.objects.exists()


def test_only_the_rows_shown_are_worked_out(world, monkeypatch):
    """A bureau may have a thousand overdue duties of its schools: 工作台 shows each group's
    first MAX_PER_GROUP and how many there are, and works out (mine, 催办, due words) only those."""
    from anxin.core import duties
    from anxin.core import home as homepage

    now = clock.now()
    items = [
        duties.Duty(
            kind="t.x", title=f"逾期{i}", url="/", due=now - dt.timedelta(hours=i + 1), ref=f"t.x:{i}"
        )
        for i in range(45)
    ] + [duties.Duty(kind="t.y", title="本周", url="/", due=now + dt.timedelta(days=2), ref="t.y:1")]
    monkeypatch.setattr(duties, "duties_for", lambda user, now: sorted(items, key=lambda d: d.sort_key(now)))
    asked = []
    real = duties.can_chase
    monkeypatch.setattr(duties, "can_chase", lambda user, d, now: asked.append(d.ref) or real(user, d, now))
    groups = {g["state"]: g for g in homepage.groups_for(world.user[Role.BUREAU_SAFETY], now)}
    over = groups[duties.State.OVERDUE]
    assert (over["n"], over["more"], len(over["rows"])) == (
        45,
        45 - homepage.MAX_PER_GROUP,
        homepage.MAX_PER_GROUP,
    )
    assert [r.duty.ref for r in over["rows"]] == [
        f"t.x:{i}" for i in range(44, 44 - homepage.MAX_PER_GROUP, -1)
    ]
    assert [r.duty.ref for r in groups[duties.State.DUE_SOON]["rows"]] == ["t.y:1"]
    assert len(asked) == homepage.MAX_PER_GROUP + 1


def test_rows_html_escapes_every_value_and_offers_a_chase_only_where_it_may():
    """工作台's rows are built in Python (core.home.rows_html): every value is escaped; 催办 is
    offered on a row that may be chased and was not chased today, with the CSRF token."""
    from anxin.core import duties
    from anxin.core import home as homepage

    evil = '<script>alert("x")</script>'
    d = duties.Duty(
        kind="t.x", title=evil, url='/x/?a=1&b="2"', owner=evil, detail=evil, ref="t.x:1", action=evil
    )
    now = clock.now()
    row = homepage.Row(duty=d, state="overdue", mine=False, can_chase=True, chased_at=None, due_text=evil)
    html = str(homepage.rows_html([row], chase_url="/home/chase/", csrf_token="tok<"))
    assert (
        "<script>" not in html and html.count("&lt;script&gt;") == 6
    )  # title, owner ×2, detail, due, action
    assert 'href="/x/?a=1&amp;b=&quot;2&quot;"' in html
    assert 'name="csrfmiddlewaretoken" value="tok&lt;"' in html and 'name="ref" value="t.x:1"' in html
    chased = homepage.Row(duty=d, state="overdue", mine=True, can_chase=True, chased_at=now, due_text="")
    html = str(homepage.rows_html([chased], chase_url="/home/chase/", csrf_token="tok"))
    assert "csrfmiddlewaretoken" not in html and "已催办（" in html and "责任人" not in html
