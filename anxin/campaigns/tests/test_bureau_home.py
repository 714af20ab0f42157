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
    refs = re.findall(r'name="ref" value="([^"]+)"', line)
    owed = sorted(d.ref for d in theirs if _key(d) == key)
    assert sorted(refs) == owed  # 全部催办 names each school's duty
    for d in theirs:
        if _key(d) == key:
            assert d.detail in line and f'href="{d.url}"' in line  # each school, its own link
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
    assert re.findall(r'name="ref" value="([^"]+)"', line) == left and line.count("已催办（") == len(refs) - 1
    resp = c.post("/home/chase/", {"ref": refs}, follow=True)
    assert f"{len(refs) - 1} 项未催办：今天已经催办过这项待办。" in resp.content.decode()
    assert Chase.objects.filter(ref__in=refs).count() == len(refs) - 1


def test_a_schools_own_duties_are_never_gathered(world, overdue, as_user):
    body = as_user(world.user[Role.SAFETY_LEADER]).get("/home/").content.decode()
    assert 'data-kind="campaigns.task"' in body and "duty bundle" not in body


def test_only_what_others_owe_in_three_schools_or_more_is_gathered(world, monkeypatch):
    now = clock.now()
    due = now - dt.timedelta(days=2)
    bureau = world.user[Role.BUREAU_SAFETY]

    def duty(i, title="任务甲", school=True, owner_ids=()):
        return duties.Duty(
            kind="t.x",
            title=title,
            url=f"/x/{i}/",
            due=due,
            ref=f"t.x:{i}",
            school_id=100 + i if school else None,
            post=Role.SAFETY_LEADER,
            owner_ids=owner_ids,
        )

    items = [
        duty(1),
        duty(2),
        duty(3),  # three schools: one line
        duty(4, "任务乙"),
        duty(5, "任务乙"),
        duty(6, "任务乙", owner_ids=(bureau.pk,)),  # the bureau's own: two left, no line of them
        duty(7, "任务丙", school=False),
        duty(8, "任务丙", school=False),
        duty(9, "任务丙", school=False),  # not owed by schools
    ]
    monkeypatch.setattr(duties, "duties_for", lambda user, now: sorted(items, key=lambda d: d.sort_key(now)))
    (over,) = homepage.groups_for(bureau, now)
    kinds = [
        sorted(r.duty.ref for r in line.rows) if isinstance(line, homepage.Bundle) else line.duty.ref
        for line in over["lines"]
    ]
    assert kinds == [["t.x:1", "t.x:2", "t.x:3"], "t.x:4", "t.x:5", "t.x:6", "t.x:7", "t.x:8", "t.x:9"]
    assert over["n"] == 9 and len(over["rows"]) == 9 and over["more"] == 0
