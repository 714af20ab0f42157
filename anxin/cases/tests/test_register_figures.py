"""The register's figures (issue 15): its total and stat cards are counted once, then read from
the cache until a case of the county changes (or a minute passes), so a county of 200,000 cases
is not scanned on every page view; the number of queries does not grow with the cases."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from anxin.cases import scenarios
from anxin.cases.models import BullyingCase

URL = reverse("cases:case_list")


def _counts(ctx) -> list[str]:
    return [
        q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"] and "cases_bullyingcase" in q["sql"]
    ]


def _open(cw, mm, n):
    for _i in range(n):
        scenarios.open_simple(cw.school_a1, mm, victim=cw.student_own, bully=cw.student_other_class)


def test_register_counts_once_then_reads_its_figures(cw, mm, as_user):
    _open(cw, mm, 3)
    c = as_user(cw.user["bureau_safety"])
    with CaptureQueriesContext(connection) as first:
        body = c.get(URL).content.decode()
    assert "共 3 条" in body
    assert len(_counts(first)) == 2  # the total, and both cards in one pass
    with CaptureQueriesContext(connection) as again:
        body = c.get(URL).content.decode()
    assert "共 3 条" in body
    assert _counts(again) == []


def test_a_new_case_shows_at_once(cw, mm, as_user):
    _open(cw, mm, 2)
    c = as_user(cw.user["bureau_safety"])
    assert "共 2 条" in c.get(URL).content.decode()
    _open(cw, mm, 1)  # a save moves the county's data version
    assert "共 3 条" in c.get(URL).content.decode()
    assert (
        "共 1 条"
        in c.get(URL, {"number": BullyingCase.objects.order_by("-id").first().number}).content.decode()
    )


def test_a_change_without_a_signal_shows_within_a_minute(cw, mm, as_user):
    _open(cw, mm, 2)
    c = as_user(cw.user["bureau_safety"])
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        c.get(URL)
        BullyingCase.objects.filter(pk=BullyingCase.objects.order_by("id").first().pk).update(state="closed")
        with CaptureQueriesContext(connection) as cached:
            c.get(URL)
        assert _counts(cached) == []
        traveller.shift(timedelta(seconds=61))
        with CaptureQueriesContext(connection) as later:
            resp = c.get(URL)
        assert len(_counts(later)) == 2
    assert resp.context["open_count"] == 1


def test_figures_are_per_user(cw, mm, as_user):
    """The class teacher and the bureau never share a cached figure."""
    _open(cw, mm, 2)
    bureau = as_user(cw.user["bureau_safety"])
    assert bureau.get(URL).context["page_obj"].paginator.count == 2
    outsider = as_user(cw.user_b["bureau_safety"])  # another county
    assert outsider.get(URL).context["page_obj"].paginator.count == 0


def test_register_queries_are_pinned(cw, mm, as_user, django_assert_num_queries):
    """Warm (figures cached): the same fixed number of queries for 3 or 30 cases."""
    _open(cw, mm, 3)
    c = as_user(cw.user["safety_leader"])
    c.get(URL)
    with CaptureQueriesContext(connection) as ctx:
        c.get(URL)
    small = len(ctx.captured_queries)
    _open(cw, mm, 27)
    c.get(URL)
    with django_assert_num_queries(small):
        resp = c.get(URL)
    assert resp.context["page_obj"].paginator.count == 30
    assert small <= 12


def test_the_cache_down_fails_no_write_and_no_page(cw, mm, as_user, monkeypatch):
    from anxin.core import listing

    c = as_user(cw.user["bureau_safety"])
    c.get(URL)  # the app is tracked: every save of a case moves a version in the cache

    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    for name in ("incr", "set", "get", "get_many"):
        monkeypatch.setattr(listing.cache, name, down)
    _open(cw, mm, 2)  # saved, though no version could move
    resp = c.get(URL)
    assert resp.status_code == 200
    assert resp.context["page_obj"].paginator.count == 2  # counted without the cache


def test_the_api_list_counts_once_too(cw, mm, as_user):
    _open(cw, mm, 2)
    c = as_user(cw.user["safety_leader"])
    with CaptureQueriesContext(connection) as first:
        assert c.get("/api/v1/cases/").json()["count"] == 2
    assert len(_counts(first)) == 1
    with CaptureQueriesContext(connection) as again:
        assert c.get("/api/v1/cases/").json()["count"] == 2
    assert _counts(again) == []
    _open(cw, mm, 1)
    assert c.get("/api/v1/cases/").json()["count"] == 3
    assert c.get("/api/v1/cases/", {"state": "closed"}).json()["count"] == 0


def test_with_the_database_cache_the_version_moves_after_the_commit(
    cw, mm, as_user, settings, django_capture_on_commit_callbacks, monkeypatch
):
    """The database cache's increment is a row update: it runs after the writer's commit, never
    holding that row for the rest of the writer's transaction."""
    from django.core.management import call_command

    from anxin.core import listing

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "anxin_cache"}
    }
    call_command("createcachetable", verbosity=0)
    c = as_user(cw.user["bureau_safety"])
    assert c.get(URL).context["page_obj"].paginator.count == 0
    moved = []
    original = listing._move

    def record(key, label):
        moved.append(key)
        original(key, label)

    monkeypatch.setattr(listing, "_move", record)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _open(cw, mm, 1)
    assert moved == []  # nothing moved inside the writer's transaction
    for callback in callbacks:
        callback()
    assert moved  # after the commit
    assert c.get(URL).context["page_obj"].paginator.count == 1


def test_register_reads_its_page_of_cases_once_as_values(cw, mm, as_user, monkeypatch):
    """The page's cases are read in one query, as values: no case object per row (each cost
    some 200 Python calls), and the pager's "is there a page?" asks the count, not the rows."""
    _open(cw, mm, 3)
    c = as_user(cw.user["safety_leader"])
    c.get(URL)  # figures cached
    newest = BullyingCase.objects.filter(school=cw.school_a1).order_by("-discovered_at", "-id").first()

    def no_instances(*args, **kwargs):
        raise AssertionError("the register built a case object for a row")

    monkeypatch.setattr(BullyingCase, "from_db", classmethod(no_instances))
    with CaptureQueriesContext(connection) as ctx:
        body = c.get(URL).content.decode()
    reads = [q["sql"] for q in ctx.captured_queries if 'FROM "cases_bullyingcase"' in q["sql"]]
    assert len(reads) == 1, reads
    assert "共 3 条" in body
    assert f'href="{reverse("cases:case_detail", args=[newest.pk])}"' in body
    assert newest.number in body
