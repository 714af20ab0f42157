"""The bureau's 工作台: a campaign task that many schools let pass is one line naming its
schools, each with its own link, and 全部催办 for all of them (core.home bundles); the API
still lists every school's duty; a school's own duties are never gathered."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest

from anxin.campaigns.tests.helpers import campaign, more_schools
from anxin.core import clock, duties
from anxin.core import home as homepage
from anxin.core.models import Chase
from anxin.core.roles import Role
from anxin.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue(world):
    """A campaign begun 40 days ago (its first phase past its deadline) in world's county, two
    more junior schools with a safety leader each (贺兰县习岗小学 has none)."""
    c = campaign(world, start=clock.today() - dt.timedelta(days=40))
    extra = more_schools(world, 2)
    for i, s in enumerate(extra):
        make_user(f"sl_extra{i}", world.county_a, Role.SAFETY_LEADER, s)
    return c


def _key(d):
    return (d.kind, d.title, d.due_at())


def _lines(html: str) -> list[str]:
    return re.findall(r'<li class="duty .*?\n</li>', html, flags=re.S)


def _all_refs(line: str) -> list[str]:
    """The refs 全部催办 posts (its form is in the line's actions; each school's is above)."""
    return re.findall(r'name="ref" value="([^"]+)"', line.split('<div class="acts">', 1)[1])


def test_the_bureau_sees_a_task_many_schools_let_pass_once_with_its_schools(world, overdue, as_user):
    bureau = world.user[Role.BUREAU_SAFETY]
    theirs = duties.duties_for(bureau, clock.now(), kinds=["campaigns.task"])
    per_task = Counter(_key(d) for d in theirs)
    bundled = {k: n for k, n in per_task.items() if n >= homepage.BUNDLE_AT}
    assert bundled, "the fixture makes tasks that three schools or more let pass"
    c = as_user(bureau)
    body = c.get("/home/").content.decode()
    lines = [x for x in _lines(body) if 'data-kind="campaigns.task"' in x]
    bundles = [x for x in lines if 'class="duty bundle' in x]
    assert len(bundles) == len(bundled)
    singles = [x for x in lines if 'class="duty bundle' not in x]
    assert len(singles) == sum(n for n in per_task.values() if n < homepage.BUNDLE_AT)
    (key, n), line = next(iter(bundled.items())), None
    line = next(x for x in bundles if f">{key[1]}</a>" in x)
    assert f'data-schools="{n}"' in line and f"{n} 所学校" in line
    assert f'href="/campaigns/{overdue.pk}/board/"' in line and "看进度" in line
    refs = _all_refs(line)
    owed = sorted(d.ref for d in theirs if _key(d) == key)
    assert sorted(refs) == owed  # 全部催办 names each school's duty
    for d in theirs:
        if _key(d) == key:  # each school: its own link and its own 催办
            item = line.split(f'href="{d.url}"', 1)[1].split("</li>", 1)[0]
            assert d.detail in item and f'name="ref" value="{d.ref}"' in item
    assert "全部催办" in line
    # the API lists every school's duty, one by one
    api = c.get("/api/v1/home/").json()["duties"]
    assert sorted(x["ref"] for x in api if x["kind"] == "campaigns.task") == sorted(d.ref for d in theirs)

    # 全部催办: one chase a school; 习岗小学 has no safety leader to tell
    resp = c.post("/home/chase/", {"ref": refs}, follow=True)
    told = Chase.objects.filter(ref__in=refs)
    assert told.count() == len(refs) - 1
    assert not told.filter(school_id=world.school_a2.pk).exists()
    text = resp.content.decode()
    assert f"已催办 {len(refs) - 1} 项" in text and "1 项未催办：这项待办没有可通知的责任人。" in text
    # chased today: 全部催办 now names only the school not chased, and the line when each was
    line = next(x for x in _lines(text) if f">{key[1]}</a>" in x and "duty bundle" in x)
    left = [r for r in refs if r.endswith(f":{world.school_a2.pk}")]
    assert _all_refs(line) == left and line.count("已催办（") == len(refs) - 1
    resp = c.post("/home/chase/", {"ref": refs}, follow=True)
    assert f"{len(refs) - 1} 项未催办：今天已经催办过这项待办。" in resp.content.decode()
    assert Chase.objects.filter(ref__in=refs).count() == len(refs) - 1


def test_only_a_duty_with_an_overview_that_others_owe_in_three_schools_is_gathered(world, monkeypatch):
    now = clock.now()
    due = now - dt.timedelta(days=2)
    bureau = world.user[Role.BUREAU_SAFETY]

    def duty(i, title="任务甲", school=None, owner_ids=(), overview="/board/1/"):
        return duties.Duty(
            kind="t.x",
            title=title,
            url=f"/x/{i}/",
            due=due,
            ref=f"t.x:{i}",
            school_id=100 + i if school is None else school,
            post=Role.SAFETY_LEADER,
            owner_ids=owner_ids,
            overview=overview,
        )

    items = [
        duty(1),
        duty(2),
        duty(3),  # three schools: one line
        duty(4, "任务乙"),
        duty(5, "任务乙"),
        duty(6, "任务乙", owner_ids=(bureau.pk,)),  # the bureau's own: two schools left, no line
        duty(7, "任务丙", overview=""),
        duty(8, "任务丙", overview=""),
        duty(9, "任务丙", overview=""),  # nowhere to see them together
        duty(10, "任务丁", school=5),
        duty(11, "任务丁", school=5),
        duty(12, "任务丁", school=5),  # three of one school (a group case's follow-ups)
        duty(13, "任务戊", overview="/board/2/"),
        duty(14, "任务戊", overview="/board/2/"),
        duty(15, "任务戊", overview="/board/3/"),  # two campaigns' tasks of the same name
    ]
    monkeypatch.setattr(duties, "duties_for", lambda user, now: sorted(items, key=lambda d: d.sort_key(now)))
    (over,) = homepage.groups_for(bureau, now)
    lines = [
        sorted(r.duty.ref for r in line.rows) if isinstance(line, homepage.Bundle) else line.duty.ref
        for line in over["lines"]
    ]
    assert ["t.x:1", "t.x:2", "t.x:3"] in lines
    assert [x for x in lines if isinstance(x, list)] == [["t.x:1", "t.x:2", "t.x:3"]]
    assert over["n"] == 15 and len(over["rows"]) == 15 and over["more"] == 0


def test_the_duties_not_shown_are_counted_whatever_lines_stand_for_them(world, monkeypatch):
    """还有 N 项 counts duties: a bundle shown stands for each of its schools, one hidden for
    each of them too."""
    now = clock.now()
    bureau = world.user[Role.BUREAU_SAFETY]
    singles = [
        duties.Duty(
            kind="t.s", title=f"单项{i}", url="/", due=now - dt.timedelta(days=30 - i), ref=f"t.s:{i}"
        )
        for i in range(homepage.MAX_PER_GROUP + 1)
    ]
    many = [
        duties.Duty(
            kind="t.m",
            title="任务甲",
            url=f"/m/{i}/",
            due=now - dt.timedelta(days=1),
            ref=f"t.m:{i}",
            school_id=200 + i,
            post=Role.SAFETY_LEADER,
            overview="/board/1/",
        )
        for i in range(30)
    ]
    items = singles + many
    monkeypatch.setattr(duties, "duties_for", lambda user, now: sorted(items, key=lambda d: d.sort_key(now)))
    (over,) = homepage.groups_for(bureau, now)
    assert len(over["lines"]) == homepage.MAX_PER_GROUP and over["n"] == 51
    assert not any(isinstance(line, homepage.Bundle) for line in over["lines"])  # the bundle comes 22nd
    assert over["more"] == 51 - homepage.MAX_PER_GROUP == 31  # the last single and the 30 schools
    # a bundle within the first lines counts each of its schools as shown
    items[:] = many + singles[:3]
    (over,) = homepage.groups_for(bureau, now)
    assert len(over["lines"]) == 4 and over["more"] == 0 and len(over["rows"]) == 33


def test_the_api_chases_several_at_once_as_the_page_does(world, overdue, as_user):
    bureau = world.user[Role.BUREAU_SAFETY]
    theirs = duties.duties_for(bureau, clock.now(), kinds=["campaigns.task"])
    key = next(k for k, n in Counter(_key(d) for d in theirs).items() if n >= homepage.BUNDLE_AT)
    refs = sorted(d.ref for d in theirs if _key(d) == key)
    c = as_user(bureau)
    url = "/api/v1/home/chase/"
    ask = ["请提交要催办事项的 ref 列表。"]
    for bad in ({"refs": "nonsense"}, {"refs": {"a": 1}}, {"refs": []}, {}):
        answer = c.post(url, bad, content_type="application/json")
        assert answer.status_code == 400 and answer.json()["refs"] == ask, bad
    too_many = c.post(url, {"refs": [f"x:{i}" for i in range(201)]}, content_type="application/json")
    assert too_many.status_code == 400 and too_many.json()["refs"] == ["一次最多催办 200 项。"]
    # the same ref three times is chased once
    told = next(r for r in refs if not r.endswith(f":{world.school_a2.pk}"))
    once = c.post(url, {"refs": [told] * 3}, content_type="application/json").json()
    assert once["chased"] == [told] and Chase.objects.count() == 1
    Chase.objects.all().delete()
    resp = c.post(url, {"refs": refs}, content_type="application/json")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    a2 = [r for r in refs if r.endswith(f":{world.school_a2.pk}")]
    assert sorted(body["chased"]) == sorted(set(refs) - set(a2)) and body["notified"] == len(refs) - 1
    assert body["refused"] == ["1 项未催办：这项待办没有可通知的责任人。"]
    again = c.post(url, {"refs": refs}, content_type="application/json")
    assert again.status_code == 400
    assert sorted(again.json()["refs"]) == sorted(
        [f"{len(refs) - 1} 项未催办：今天已经催办过这项待办。", "1 项未催办：这项待办没有可通知的责任人。"]
    )
    # a class teacher sees no such duty: nothing is chased
    teacher = as_user(world.user[Role.CLASS_TEACHER]).post(url, {"refs": a2}, content_type="application/json")
    assert teacher.status_code == 400 and teacher.json()["refs"] == [
        "1 项未催办：没有找到这项待办，或您无权查看。"
    ]
    assert Chase.objects.count() == len(refs) - 1
    # a form post names each ref in a field of its own
    Chase.objects.all().delete()
    c = as_user(bureau)
    form = c.post(url, f"refs={refs[0]}&refs={refs[-1]}", content_type="application/x-www-form-urlencoded")
    assert sorted(form.json()["chased"]) == sorted({refs[0], refs[-1]} - set(a2)), form.json()
