"""The data versions behind kept figures (core.listing.track): moved by saves and deletes of the
tracked apps' rows, through receivers connected per model — so a model no figure is computed
from, and every untracked app, keeps Django's one-statement bulk delete (a rollup rebuild
deletes hundreds of thousands of rows)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db.models.deletion import Collector
from django.db.models.signals import post_delete, post_save

from anxin.core import listing

pytestmark = pytest.mark.django_db


def test_rollups_and_untracked_apps_delete_in_one_statement(django_assert_num_queries):
    from anxin.campaigns.progress import evaluated_apps
    from anxin.dashboards.models import CaseCount, CaseTypeCount, RollupDirty

    for label in evaluated_apps():
        listing.track(label)
    assert "dashboards" in listing._TRACKED  # its models are tracked, the rollups opt out
    for model in (CaseCount, CaseTypeCount, RollupDirty, apps.get_model("core", "AuditEvent")):
        assert Collector(using="default").can_fast_delete(model.objects.all()), model
    RollupDirty.objects.bulk_create(
        [RollupDirty(county_id=1, school_id=i, month="2026-01-01") for i in range(50)]
    )
    with django_assert_num_queries(1):
        RollupDirty.objects.all().delete()


def test_a_tracked_model_moves_its_version_on_save_and_delete():
    from django.core.cache import cache

    from anxin.core.testing import build_world

    listing.track("org")
    School = apps.get_model("org", "School")
    assert post_save.has_listeners(School) and post_delete.has_listeners(School)
    world = build_world()
    key = listing._version_key("org", world.county_a.pk)
    before = cache.get(key)
    world.school_a1.name = "改名中学"
    world.school_a1.save()
    moved = cache.get(key)
    assert moved is not None and moved != before
