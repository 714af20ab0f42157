"""工作台 shows first what waits for the user in each module, each card counting exactly what
its link lists, within the user's scope."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from anxin.care import services as care
from anxin.care.models import CarePlan
from anxin.core.roles import Role
from anxin.intake import services as intake
from anxin.intake.tests.conftest import FORM


@pytest.fixture
def waiting(world):
    leader = world.user[Role.SAFETY_LEADER]
    intake.submit_report(school=world.school_a1, data=dict(FORM))
    intake.submit_report(school=world.school_a1, data=dict(FORM))
    intake.submit_report(school=world.school_b1, data=dict(FORM))  # another county
    intake.raise_emergency(school=world.school_a1, place="操场")
    handled = intake.submit_report(school=world.school_a1, data=dict(FORM)).report
    intake.open_case(handled, by=leader)  # taken on: no longer waiting, one case open
    plan = care.create_plan(leader, world.student_own, level="red", reason="留守儿童")
    CarePlan.objects.filter(pk=plan.pk).update(next_due_on=dt.date(2020, 1, 1))


def _card(body: str, label: str) -> str:
    """The number on the card with this label."""
    head = body[: body.index(f'<div class="l">{label}</div>')]
    return head[head.rindex('<div class="n">') + len('<div class="n">') :].split("<", 1)[0]


def test_the_safety_leader_sees_what_waits_first(world, as_user, waiting, django_assert_max_num_queries):
    c = as_user(world.user[Role.SAFETY_LEADER])
    with django_assert_max_num_queries(25):
        body = c.get("/home/").content.decode()
    assert body.index("待办") < body.index("概况")
    assert _card(body, "待受理的举报") == "2"  # not the other county's, not the one taken on
    assert _card(body, "待响应的紧急求救") == "1"
    assert _card(body, "办理中的欺凌事件") == "1"
    assert _card(body, "联系逾期的关爱对象") == "1"
    assert 'class="stat alert" href="/intake/?state=new"' in body
    # each link lists what its card counts
    links = dict(re.findall(r'href="([^"]+)"><div class="n">\d+</div><div class="l">([^<]+)</div>', body))
    links = {label: url for url, label in links.items()}
    inbox = c.get(links["待受理的举报"]).content.decode()
    assert len(set(re.findall(r'href="/intake/reports/(\d+)/"', inbox))) == 2
    register = c.get(links["办理中的欺凌事件"]).content.decode()
    assert len(set(re.findall(r'href="/cases/(\d+)/"', register))) == 1
    plans = c.get(links["联系逾期的关爱对象"]).content.decode()
    assert len(set(re.findall(r'href="/care/plans/(\d+)/"', plans))) == 1


def test_a_class_teacher_sees_no_report_counts(world, as_user, waiting):
    body = as_user(world.user[Role.CLASS_TEACHER]).get("/home/").content.decode()
    assert "待受理的举报" not in body and "待响应的紧急求救" not in body


def test_the_bureau_sees_open_cases_across_the_county_but_no_report_contents(world, as_user, waiting):
    body = as_user(world.user[Role.BUREAU_SAFETY]).get("/home/").content.decode()
    assert _card(body, "办理中的欺凌事件") == "1"
    assert "待受理的举报" not in body  # the bureau sees counts per school on its own page


def test_the_api_gives_the_same_cards_in_scope(world, as_user, waiting, client):
    cards = {c["label"]: c for c in as_user(world.user[Role.SAFETY_LEADER]).get("/api/v1/home/").json()}
    assert cards["待受理的举报"] == {
        "label": "待受理的举报",
        "n": 2,
        "url": "/intake/?state=new",
        "alert": True,
    }
    assert cards["办理中的欺凌事件"]["n"] == 1 and cards["办理中的欺凌事件"]["alert"] is False
    teacher = {c["label"] for c in as_user(world.user[Role.CLASS_TEACHER]).get("/api/v1/home/").json()}
    assert "待受理的举报" not in teacher
    client.logout()
    assert client.get("/api/v1/home/").status_code in (401, 403)
