"""The demo county runs the seed's campaign in phase 2, schools at different stages, articles
in every review state, and the booklet compiles."""

import random

import pytest

from anxin.demo.tests.test_load_demo import load


@pytest.mark.django_db
def test_demo_campaign_in_phase_2_with_articles_in_every_state():
    from anxin.campaigns import booklet, progress
    from anxin.campaigns.demo import load_campaigns
    from anxin.campaigns.models import Article, Campaign, TaskProgress
    from anxin.demo import data
    from anxin.org.models import County, School

    load(students=200)
    county = County.objects.get(code=data.COUNTY_CODE)
    counts = load_campaigns(county, random.Random(1))
    # the phase's evaluated tasks read the other modules' demo records, as `load_demo` loads them
    from anxin.education.demo import load_education
    from anxin.oversight.demo import load_oversight

    names = [s.name for s in data.SCHOOLS]
    load_education(county, random.Random(2), demo_school=names[0])
    load_oversight(county, random.Random(3), schools=tuple(names[:2]))
    assert counts["campaigns"] == 1 and counts["booklet_bytes"] > 0
    c = Campaign.objects.get()
    assert progress.current_phase(c).order == 2
    assert set(Article.objects.values_list("state", flat=True)) == {
        "draft",
        "submitted",
        "returned",
        "accepted",
    }
    assert booklet.articles(c), "accepted articles are picked for the booklet"
    assert TaskProgress.objects.filter(status="returned").exists()
    board = progress.evaluate(c, School.objects.filter(county=county, active=True))
    done = {r.school.pk: r.done for r in board.rows}
    assert len(set(done.values())) >= 3  # schools at different stages
    assert len({r.overdue for r in board.rows}) >= 2  # some late on more than others
