"""manage.py recompute_risk [--county CODE] [--no-roster-sync]: recompute every student's
risk level in a county (or in all counties). Idempotent: a second run changes nothing."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from anxin.core import audit


class Command(BaseCommand):
    help = "Recompute students' risk levels (红/橙/黄/绿) for a county or for all counties."

    def add_arguments(self, parser):
        parser.add_argument("--county", help="行政区划代码 (6 digits); all counties when omitted")
        parser.add_argument(
            "--no-roster-sync",
            action="store_true",
            help="do not refresh the vulnerability register from the roster flags first",
        )

    def handle(self, *args, county=None, no_roster_sync=False, **options):
        from anxin.org.models import County
        from anxin.screening import risk, services

        counties = County.objects.order_by("code")
        if county:
            counties = counties.filter(code=county)
            if not counties.exists():
                raise CommandError(f"no county with code {county}")
        for c in counties:
            started = time.perf_counter()
            if not no_roster_sync:
                services.sync_roster_flags(county_id=c.pk, recompute=False)
            total, changed = risk.recompute_county(c.pk)
            audit.append(
                "screening.recompute_risk",
                object_type="org.county",
                object_id=c.pk,
                county_id=c.pk,
                data={"students": total, "changed": changed},
            )
            self.stdout.write(
                f"{c.code} {c.name}: {total} students, {changed} changed "
                f"({time.perf_counter() - started:.1f} s)"
            )
