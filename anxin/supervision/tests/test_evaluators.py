import datetime as dt

from anxin.core import clock, evaluators
from anxin.core.evaluators import Window
from anxin.supervision import services
from anxin.supervision.models import RectificationItem
from anxin.supervision.tests.conftest import in_days, score_all


def _window():
    today = clock.today()
    return Window(today - dt.timedelta(days=30), today + dt.timedelta(days=30))


def test_visited_true_after_a_completed_visit_false_otherwise(world, sup, visit):
    ev = evaluators.get("supervision.visited")
    schools = [world.school_a1, world.school_a2]
    got = ev.evaluate(schools, _window())
    assert not got[world.school_a1.pk].done and not got[world.school_a2.pk].done
    score_all(sup, visit)
    services.complete_visit(sup, visit)
    got = ev.evaluate(schools, _window())
    assert got[world.school_a1.pk].done and not got[world.school_a2.pk].done
    assert not ev.evaluate(schools, _window(), {"min_count": 2})[world.school_a1.pk].done
    old = Window(dt.date(2020, 1, 1), dt.date(2020, 6, 30))
    assert not ev.evaluate(schools, old)[world.school_a1.pk].done


def test_no_overdue_rectifications(world, sup, visit):
    ev = evaluators.get("supervision.no_overdue_rectifications")
    schools = [world.school_a1, world.school_a2]
    assert ev.evaluate(schools, _window())[world.school_a1.pk].done
    r = services.raise_rectification(sup, visit, problem="x", requirement="y", due_date=in_days(1))
    assert ev.evaluate(schools, _window())[world.school_a1.pk].done
    RectificationItem.objects.filter(pk=r.pk).update(due_date=clock.today() - dt.timedelta(days=2))
    got = ev.evaluate(schools, _window())
    assert not got[world.school_a1.pk].done and "逾期" in got[world.school_a1.pk].detail
    assert got[world.school_a2.pk].done
    RectificationItem.objects.filter(pk=r.pk).update(status=RectificationItem.Status.VERIFIED)
    assert ev.evaluate(schools, _window())[world.school_a1.pk].done


def test_evaluators_run_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    schools = [world.school_a1, world.school_a2, world.school_b1]
    for key in ("supervision.visited", "supervision.no_overdue_rectifications"):
        ev = evaluators.get(key)
        with django_assert_max_num_queries(1):
            ev.evaluate(schools, _window())
