"""The demo county gets governance data through the services."""

import random

from anxin.core.roles import Role
from anxin.core.testing import make_school, make_user
from anxin.governance.demo import load_governance
from anxin.governance.documents_state import rules_states
from anxin.governance.models import Lesson, LessonAssignment, SelfCheck
from anxin.screening.models import Rectification


def test_load_governance(world, closed_case):
    schools = [world.school_a1]
    for i in range(7):
        s = make_school(world.county_a, f"演示学校{i}", f"28880000{i:02d}")[0]
        make_user(f"p{i}", world.county_a, Role.PRINCIPAL, s)
        make_user(f"l{i}", world.county_a, Role.SAFETY_LEADER, s)
        make_user(f"t{i}", world.county_a, Role.SUBJECT_TEACHER, s, None)
        schools.append(s)
    counts = load_governance(world.county_a, random.Random(5))
    assert SelfCheck.objects.filter(status="submitted").count() == counts["selfchecks"] == 5
    assert SelfCheck.objects.filter(status="draft").count() == 1
    gaps = sum(SelfCheck.objects.values_list("gaps", flat=True))
    assert gaps == counts["rectifications"] == Rectification.objects.filter(source="self").count() > 0
    states = rules_states(schools)
    assert sum(st.rules_current for st in states.values()) == 4
    assert sum(bool(st.old) for st in states.values()) == 2
    assert sum(len(st.missing) == 2 for st in states.values()) >= 2
    lesson = Lesson.objects.get()
    assert lesson.status == "published" and lesson.origin == "case" and "张小明" not in lesson.summary
    a = LessonAssignment.objects.filter(lesson=lesson)
    assert a.exists() and 0 < a.filter(studied_at__isnull=False).count() < a.count()
    assert counts["improvements"] == 1
