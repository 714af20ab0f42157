"""manage.py apply_retention: run the nightly retention task now (LAW 22, 24).

Anonymises, purges or redacts every record class past the county's retention period; with
``--dry-run`` it changes nothing and lists what would be done, per county and record class."""

from django.core.management.base import BaseCommand

from anxin.core import retention


class Command(BaseCommand):
    help = "Anonymise/purge/redact records past their county's retention period (--dry-run: counts only)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="change nothing; list the counts")
        parser.add_argument("--county", type=int, action="append", help="only this county id (repeatable)")

    def handle(self, *args, **opts):
        dry = opts["dry_run"]
        labels = {rc.key: rc for rc in retention.classes()}
        total = 0
        for r in retention.run(dry_run=dry, county_ids=opts.get("county")):
            county = r.county_id if r.county_id is not None else "-"
            for key, n in r.counts.items():
                rc = labels[key]
                total += n
                self.stdout.write(
                    f"county {county}\t{key}\t{rc.label}\t{retention.ACTION_LABELS[rc.action]}\t"
                    f"period {r.periods[key]}\t{'due' if dry else 'done'} {n}"
                )
        verb = "待处理 / would be handled" if dry else "已处理 / handled"
        self.stdout.write(f"{verb}: {total}")
