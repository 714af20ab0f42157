"""The demo gives a term of activities: some staff untrained, one class of the demo school short
of 主题班会, an open training for the QR check-in."""

import random

from anxin.core import clock
from anxin.education import periods
from anxin.education.coverage import class_coverage, staff_coverage
from anxin.education.demo import load_education
from anxin.education.models import Activity


def test_load_education(world):
    counts = load_education(world.county_a, random.Random(3), demo_school=world.school_a1.name)
    assert counts["activities"] == Activity.objects.count() > 0
    today = clock.today()
    cov = class_coverage([world.school_a1], periods.term_start(today), periods.term_end(today), 2)[
        world.school_a1.pk
    ]
    assert [r.klass for r in cov.short] == [world.class_a1_1]
    assert Activity.objects.filter(school=world.school_a1, status="open", held_on=today).exists()
    y0, y1 = periods.year_span(periods.year_of(today))
    st = staff_coverage([world.school_a1], y0, y1)[world.school_a1.pk]
    assert 0 < st.trained < st.total  # some staff of the demo school still untrained (a duty)
    assert Activity.objects.filter(kind="legal_visit", presenter=world.user["legal_vp"]).exists()
