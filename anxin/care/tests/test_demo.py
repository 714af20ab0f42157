"""The demo county gets care data through the services."""

import random

import pytest

from anxin.care.demo import load_care
from anxin.care.models import (
    CarePlan,
    ContactLog,
    ContactTeacher,
    CounsellingSession,
    InterventionTask,
    PeerPair,
)
from anxin.core.testing import make_student


@pytest.mark.django_db
def test_load_care_creates_plans_contacts_counselling_pairs_and_contact_teachers(world):
    for i in range(16):
        make_student(world.class_a1_1 if i % 2 else world.class_a1_2, f"演示{i}", 200 + i, left_behind="2")
    counts = load_care(world.county_a, random.Random(7))
    assert counts["plans"] == 12 == CarePlan.objects.count()
    assert CarePlan.objects.filter(kind="watch").count() == 2
    assert counts["contacts"] == ContactLog.objects.exclude(kind="counselling").count() > 12
    assert counts["sessions"] == CounsellingSession.objects.count() > 0
    assert counts["tasks"] == InterventionTask.objects.count() == 2
    assert PeerPair.objects.count() == counts["pairs"] > 0
    assert ContactTeacher.objects.count() == counts["contact_teachers"] == 18  # both classes, every student
    assert not CarePlan.objects.exclude(school=world.school_a1).exists()  # A2 has too few students
