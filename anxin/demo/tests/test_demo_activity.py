"""The demo's activity data (cases, screening, care, reports) in a module of its own: the organisation
tests share one loaded county per module, this one loads its own."""

import pytest

from anxin.demo.tests.test_load_demo import load


@pytest.mark.django_db
def test_demo_activity_goes_through_each_module_services():
    """Cases, screening and care demo data are entered through the services: timelines and
    the audit chain verify, and every case state the register shows is reachable."""
    from anxin.cases.models import BullyingCase
    from anxin.core.verify import verify_all
    from anxin.intake.models import Report

    out = load("--cases", "12", students=400, activity=True)
    assert "欺凌事件演示数据已载入" in out and "关爱与干预演示数据已载入" in out
    assert "举报与求助演示数据已载入" in out
    assert "制度与自查演示数据已载入" in out  # self-checks with gaps, rules documents, a lesson
    from anxin.governance.models import Lesson, SelfCheck

    assert SelfCheck.objects.filter(status="submitted", gaps__gt=0).exists()
    assert Lesson.objects.filter(status="published").exists()
    assert BullyingCase.objects.count() == 12
    assert len(set(BullyingCase.objects.values_list("state", flat=True))) >= 4
    # the triage inbox has something in each state, and reporters named the schools' places
    assert {"new", "open", "merged", "closed"} <= set(Report.objects.values_list("status", flat=True))
    assert Report.objects.filter(spot__isnull=False).exists()
    assert Report.objects.filter(school__name="贺兰县第一中学", status="new").exists()  # hl1z_safety's inbox
    problems = [(s, p) for s, p in verify_all() if p is not None]
    assert not problems, problems[:5]
    # each demo role opens 工作台 on work waiting, some of it late (anxin/demo/workload.py)
    from anxin.accounts.models import User
    from anxin.core import clock, duties

    def kinds(username):
        return {(d.kind, d.state(now)) for d in duties.duties_for(User.objects.get(username=username), now)}

    now = clock.now()
    assert "工作台待办演示数据已载入" in out
    teacher = kinds("hl1z_ct_7_1")
    assert ("screening.class", "due_soon") in teacher and ("care.contact_due", "overdue") in teacher
    assert any(k == "care.task" for k, _s in teacher)
    principal = kinds("hl1z_principal")
    assert ("care.contact_due", "overdue") in principal
    assert ("screening.school", "overdue") in kinds("demo_safety")
    # the county's story (issue 11 item 9): cases spread over the term, some late
    import datetime as dt

    from anxin.care.models import CarePlan
    from anxin.cases.demo import term_start
    from anxin.cases.models import CommitteeMember
    from anxin.screening.models import RiskState

    found = sorted(BullyingCase.objects.values_list("discovered_at", flat=True))
    term = now - dt.datetime.combine(term_start(clock.today()), dt.time(8), tzinfo=clock.SHANGHAI)
    assert found[-1] - found[0] >= min(dt.timedelta(days=20), term / 3)
    assert BullyingCase.objects.filter(report_late=True).exists()
    # the legal vice-principal's referral is overdue, the police liaison's is waiting
    assert ("cases.referral", "overdue") in kinds("demo_legalvp")
    assert any(k == "cases.referral" for k, _s in kinds("demo_police"))
    # 红 students: plans for all but one, which the principal sees overdue (24 h)
    reds = RiskState.objects.filter(school__name="贺兰县第一中学", level="red", student__status="enrolled")
    if reds.exists():
        planned = CarePlan.objects.filter(student__in=reds.values("student"), status="active")
        assert planned.values("student").distinct().count() == reds.count() - 1
        assert ("care.risk_red_unplanned", "overdue") in principal
    # committee members by name, not by post
    assert not CommitteeMember.objects.filter(name__in=["德育主任", "班主任代表", "家长代表"]).exists()


@pytest.mark.django_db
def test_demo_refuses_without_the_demo_flag_and_deploy_check_flags_demo_accounts(settings):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from anxin.demo.checks import no_demo_accounts_in_production

    settings.TESTING = False
    settings.DEBUG = False
    settings.ANXIN_DEMO = False
    with pytest.raises(CommandError, match="ANXIN_DEMO"):
        call_command("load_demo", "--students", "10")
    assert no_demo_accounts_in_production(None) == []
    settings.ANXIN_DEMO = True
    load(students=50)
    settings.ANXIN_DEMO = False
    assert [e.id for e in no_demo_accounts_in_production(None)] == ["anxin.E001"]
