"""The case rollups (counts per school and month): kept by a change and by the nightly rebuild,
read where they stand for the user's rows, and always equal to counting the cases."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from anxin.core import clock

from .test_figures import figures, is_late, scope_for

pytestmark = pytest.mark.django_db


def counts_for(scope, rolled: bool):
    from anxin.dashboards.case_counts import CaseCounts, rollup_for
    from anxin.dashboards.panels_cases import case_source, months

    src = case_source(scope)
    rollup = rollup_for(scope, src) if rolled else None
    if rolled:
        assert rollup is not None, "the rollup stands for this scope"
    c = CaseCounts(src, rollup)
    return {
        "school": c.by_school(),
        "totals": c.totals(),
        "months": {k: v for k, v in c.months(months(scope)[0]).items() if v},
        "results": {k: v for k, v in c.results().items() if v},
        "types": {k: v for k, v in c.types().items() if v},
        "report": c.report(),
    }


def test_demo_load_leaves_the_rollups_built_and_clean(demo):
    from anxin.cases.models import BullyingCase
    from anxin.dashboards.models import CaseCount, RollupDirty

    assert not RollupDirty.objects.filter(county_id=demo.pk).exists()
    n = BullyingCase.objects.filter(county=demo).count()
    assert n >= 12
    assert sum(CaseCount.objects.filter(county_id=demo.pk).values_list("n", flat=True)) == n


def test_the_rollup_stands_for_plain_scopes_and_gives_the_counted_figures(demo):
    from anxin.org.models import School

    first = clock.today().replace(day=1)
    start = (first - dt.timedelta(days=100)).replace(day=1)
    end = first - dt.timedelta(days=1)
    kind = School.objects.filter(county=demo, active=True).values_list("type", flat=True).first()
    scopes = [
        scope_for("demo_safety"),
        scope_for("demo_safety", date_from=start, date_to=end),
        scope_for("demo_safety", school_type=kind),
        scope_for("demo_auditor"),
        scope_for("hl1z_principal"),
        scope_for("hl1z_safety"),
    ]
    school = School.objects.get(pk=scopes[-1].dash_schools.pop() if scopes[-1].dash_schools else 0)
    scopes.append(scope_for("demo_safety", school=school))
    for scope in scopes:
        assert counts_for(scope, rolled=True) == counts_for(scope, rolled=False), scope


def test_scopes_the_rollup_cannot_stand_for_count_the_cases(demo):
    from anxin.dashboards.case_counts import rollup_for
    from anxin.dashboards.panels_cases import case_source
    from anxin.org.models import Grade

    for scope in (
        scope_for("demo_safety", date_from=clock.today().replace(day=2)),  # not from a month's start
        scope_for("demo_safety", date_to=clock.today().replace(day=1)),  # not to a month's end
        scope_for("demo_safety", grade=Grade.objects.filter(school__county=demo).first()),
    ):
        if scope.grade is not None:
            scope.school = scope.grade.school
        assert rollup_for(scope, case_source(scope)) is None


def test_a_change_shows_at_once_and_in_the_rollup_after_the_commit(demo, django_capture_on_commit_callbacks):
    from anxin.cases.models import BullyingCase, CaseState
    from anxin.dashboards.models import CaseCount, RollupDirty
    from anxin.dashboards.rollups import month_of

    case = BullyingCase.objects.filter(county=demo).exclude(state=CaseState.CLOSED).first()
    old_month = month_of(case.discovered_at)
    moved = case.discovered_at - dt.timedelta(days=62)
    before = figures(scope_for("demo_safety"))["cases_unit"].total.cells[1].value  # 办理中
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case.state = CaseState.CLOSED
        case.discovered_at = moved
        case.save(update_fields=["state", "discovered_at"])
    # before the task: both buckets marked, the figure already right (counted live)
    marked = set(RollupDirty.objects.filter(school_id=case.school_id).values_list("month", flat=True))
    assert {old_month, month_of(moved)} <= marked
    assert figures(scope_for("demo_safety"))["cases_unit"].total.cells[1].value == before - 1
    for callback in callbacks:
        callback()  # the commit: the task recounts both buckets (immediate queue in tests)
    assert not RollupDirty.objects.filter(school_id=case.school_id).exists()
    closed = CaseCount.objects.filter(school_id=case.school_id, month=month_of(moved), open=False)
    assert sum(closed.values_list("n", flat=True)) >= 1
    assert figures(scope_for("demo_safety"))["cases_unit"].total.cells[1].value == before - 1
    assert counts_for(scope_for("demo_safety"), True) == counts_for(scope_for("demo_safety"), False)


def test_a_recount_keeps_a_newer_mark_and_never_counts_twice(demo, monkeypatch):
    """A change that marks the bucket while the recount runs keeps it marked (its own task
    recounts it; the figures count that bucket live meanwhile); a second task for a bucket
    already recounted changes nothing."""
    from anxin.cases.models import BullyingCase
    from anxin.dashboards import rollups
    from anxin.dashboards.models import CaseCount, RollupDirty

    case = BullyingCase.objects.filter(county=demo).first()
    bucket = (case.county_id, case.school_id, rollups.month_of(case.discovered_at))
    rows = CaseCount.objects.filter(school_id=case.school_id, month=bucket[2])
    built = sorted(rows.values_list("result", "open", "sealed", "n"))
    rollups.mark([bucket])
    count_rows = rollups._rows

    def rows_then_a_change(cases):
        out = count_rows(cases)
        rollups.mark([bucket])  # another change, after the recount read the cases
        return out

    monkeypatch.setattr(rollups, "_rows", rows_then_a_change)
    rollups.refresh(case.school_id, bucket[2])
    assert RollupDirty.objects.filter(school_id=case.school_id, month=bucket[2]).count() == 1
    monkeypatch.setattr(rollups, "_rows", count_rows)
    rollups.refresh(case.school_id, bucket[2])
    rollups.refresh(case.school_id, bucket[2])  # a late duplicate task
    assert not RollupDirty.objects.filter(school_id=case.school_id, month=bucket[2]).exists()
    assert sorted(rows.values_list("result", "open", "sealed", "n")) == built


def test_sealed_cases_leave_the_bureau_rollup_not_the_principal(demo, django_capture_on_commit_callbacks):
    from anxin.accounts.models import User
    from anxin.cases import sealing
    from anxin.cases.models import BullyingCase

    principal = User.objects.get(username="hl1z_principal")
    school = principal.memberships.exclude(school=None).first().school_id
    case = BullyingCase.objects.filter(school_id=school).first()
    bureau_before = figures(scope_for("demo_safety"))["cases_unit"].total.cells[0].value
    principal_before = figures(scope_for("hl1z_principal"))["cases_unit"].total.cells[0].value
    with django_capture_on_commit_callbacks(execute=True):
        sealing.seal(case, by=principal, reason="依法封存（测试）")
    for name, before, want in (("demo_safety", bureau_before, -1), ("hl1z_principal", principal_before, 0)):
        scope = scope_for(name)
        assert figures(scope)["cases_unit"].total.cells[0].value == before + want
        assert counts_for(scope, True) == counts_for(scope, False)


def test_a_deadline_passing_makes_a_case_late_with_no_change_to_its_row(
    demo, django_capture_on_commit_callbacks
):
    from anxin.cases.models import BullyingCase
    from anxin.dashboards.models import RollupDirty

    pending = BullyingCase.objects.filter(county=demo, report_late=False).first()
    with django_capture_on_commit_callbacks(execute=True):
        pending.report_required = True
        pending.first_reported_at = None
        pending.report_due_at = timezone.now() + dt.timedelta(hours=2)
        pending.save(update_fields=["report_required", "first_reported_at", "report_due_at"])
    assert not RollupDirty.objects.filter(county_id=demo.pk).exists()  # read from the rollup alone
    before = figures(scope_for("demo_safety"))["cases_unit"].total.cells[2].value
    cases = list(BullyingCase.objects.filter(county=demo))
    with time_machine.travel(pending.report_due_at + dt.timedelta(hours=1), tick=False):
        now = clock.now()
        unit = figures(scope_for("demo_safety"))["cases_unit"]
        assert unit.total.cells[2].value == before + 1 == sum(1 for c in cases if is_late(c, now))
        report = figures(scope_for("demo_safety"))["report_time"]
        assert report.cell("late").value == before + 1


def test_rebuild_equals_the_recount_of_every_bucket(demo):
    from django.db.models import Sum

    from anxin.dashboards import rollups
    from anxin.dashboards.models import CaseCount, CaseTypeCount, CountyCaseCount, CountyTypeCount

    def snapshot():
        rows = CaseCount.objects.filter(county_id=demo.pk).values_list(
            "school_id", "month", "result", "open", "sealed", "required", "reported", "late", "n"
        )
        types = CaseTypeCount.objects.filter(county_id=demo.pk).values_list(
            "school_id", "month", "sealed", "behaviour", "n"
        )
        county = CountyCaseCount.objects.filter(county_id=demo.pk).values_list(
            "month", "result", "open", "sealed", "required", "reported", "late", "n"
        )
        county_types = CountyTypeCount.objects.filter(county_id=demo.pk).values_list(
            "month", "sealed", "behaviour", "n"
        )
        return sorted(rows), sorted(types), sorted(county), sorted(county_types)

    built = snapshot()
    # the county rows are the school rows summed over the schools
    keys = ("month", "result", "open", "sealed", "required", "reported", "late")
    summed = CaseCount.objects.filter(county_id=demo.pk).values(*keys).annotate(t=Sum("n")).order_by()
    assert sorted(tuple(r[k] for k in keys) + (r["t"],) for r in summed) == built[2]
    for model in (CaseCount, CaseTypeCount, CountyCaseCount, CountyTypeCount):
        model.objects.filter(county_id=demo.pk).delete()
    assert rollups.rebuild(demo.pk) == sum(len(b) for b in built)
    assert snapshot() == built
