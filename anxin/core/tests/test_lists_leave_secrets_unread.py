"""The list pages show a student's name and class, a report's title and time: they leave the
encrypted fields behind each row unread (``ScopedListView.unread_on_page``, a decryption per row
saved), and no row then loads one of them with a query of its own."""

from __future__ import annotations

import pytest
from django.db.models import Model
from django.urls import reverse

from anxin.care import services as care
from anxin.cases import scenarios
from anxin.cases import services as cases
from anxin.core.roles import Role
from anxin.core.testing import decryptions
from anxin.roster.models import Student
from anxin.screening import risk
from anxin.screening import services as screening

pytestmark = pytest.mark.django_db

SECRET_ID, HEALTH = "640122201101010011", "先天性心脏病，忌剧烈运动"
NARRATIVE = "课间两名学生围堵另一名学生并推搡辱骂，值周教师发现后制止。"  # scenarios.open_simple's process


@pytest.fixture
def rows(world):
    """One row in each list, every row about world.student_own (ID number and health recorded)."""
    Student.objects.filter(pk=world.student_own.pk).update(id_number=SECRET_ID, health=HEALTH)
    student = Student.objects.get(pk=world.student_own.pk)
    leader, counsellor = world.user[Role.SAFETY_LEADER], world.user[Role.COUNSELLOR]
    plan = care.create_plan(leader, student, level="red", reason="近期情绪低落")
    care.log_contact(leader, plan=plan, summary="谈话", anomaly=True, anomaly_note="手臂有淤青")
    care.record_counselling(counsellor, student=student, notes="学生谈到被同学孤立。", duration_minutes=30)
    cats = screening.ensure_categories(world.county_a.pk)
    screening.add_vulnerability(by=leader, student=student, category=cats["introvert"])
    screening.add_tendency(by=leader, student=student, grounds="多次推搡同学")
    risk.recompute([student.pk])
    scenarios.constitute(world.school_a1, world.user[Role.PRINCIPAL])
    mm = world.user[Role.MIDDLE_MANAGER]
    case = scenarios.open_simple(world.school_a1, mm, victim=student, bully=world.student_other_class)
    cases.record_immediate(case, by=mm, kind="separate", taken_at=case.discovered_at)
    cases.draft_report(case, by=mm)
    return world


PAGES = [
    "care:plan_list",
    "care:task_list",
    "care:session_list",
    "screening:vulnerable_list",
    "screening:tendency_list",
    "screening:risk_list",
    "screening:risk_changes",
    "cases:report_list",
]


@pytest.mark.parametrize("name", PAGES)
def test_a_list_decrypts_nothing_it_does_not_show_and_loads_nothing_row_by_row(
    rows, as_user, monkeypatch, name
):
    who = Role.COUNSELLOR if name == "care:session_list" else Role.SAFETY_LEADER
    c = as_user(rows.user[who])
    url = reverse(name)
    c.get(url)
    plain, late = decryptions(monkeypatch), []
    real_refresh = Model.refresh_from_db

    def refresh(self, *args, fields=None, **kwargs):
        late.append((type(self).__name__, fields))
        return real_refresh(self, *args, fields=fields, **kwargs)

    monkeypatch.setattr(Model, "refresh_from_db", refresh)
    resp = c.get(url)
    assert resp.status_code == 200
    body = resp.content.decode()
    shown = rows.student_own.name in body or "首报" in body
    assert shown, "the fixture gives the list a row"
    assert SECRET_ID not in plain and HEALTH not in plain and NARRATIVE not in plain
    assert late == []  # (a deferred field read by the page would load here, row by row)
