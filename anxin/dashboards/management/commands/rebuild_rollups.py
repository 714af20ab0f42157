"""Recount the dashboards' rollups from the cases (after a bulk load or a restore)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "重算统计看板的事件计数（按校按月）；不带参数时重算全部县区"

    def add_arguments(self, parser):
        parser.add_argument("--county", type=int, help="只重算这个县区（id）")

    def handle(self, *args, county=None, **options):
        from anxin.dashboards import rollups

        start = time.monotonic()
        rows = rollups.rebuild(county)
        self.stdout.write(f"rollups: {rows} rows in {time.monotonic() - start:.1f} s")
