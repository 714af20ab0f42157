"""The demo cases: every state, late reports, a 续报, an appeal, a 专门学校 application and
closed cases, all written through the services (so the timelines verify)."""

from __future__ import annotations

import random

from anxin.cases.demo import load_cases
from anxin.cases.models import BullyingCase, CaseState
from anxin.cases.verify import verify_cases
from anxin.core.testing import make_student


def test_load_cases_covers_every_state_and_the_special_cases(world):
    for i in range(6):
        make_student(world.class_a1_1 if i % 2 else world.class_a1_2, f"学生{i}", 100 + i)
    made = load_cases(world.county_a, random.Random(7), n=40)
    assert len(made) == 40
    cases = BullyingCase.objects.filter(county=world.county_a)
    states = set(cases.values_list("state", flat=True))
    assert {CaseState.CLOSED, CaseState.HANDLING, CaseState.INVESTIGATING} <= states
    assert cases.filter(report_late=True).exists()  # a late first report
    assert any(c.is_late_now and c.first_reported_at is None for c in cases)  # late and still missing
    assert cases.filter(bureau_reports__kind="follow").exists()  # a 续报
    assert cases.filter(appeals__isnull=False).exists()
    assert cases.filter(special_applications__status="approved").exists()
    assert cases.filter(close_kind="unfounded").exists() and cases.filter(close_kind="handled").exists()
    assert all(p is None for _s, p in verify_cases())


def test_load_cases_with_no_usable_school_makes_nothing(world):
    assert load_cases(world.county_b, random.Random(1), n=5) == []
