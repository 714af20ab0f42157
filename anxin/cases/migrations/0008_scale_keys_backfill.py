"""Fill the keys added in 0007: a counter's county from its school, a determination join's
keys from its determination. One UPDATE per table with correlated subqueries: the same SQL on
SQLite and PostgreSQL, and idempotent (only rows still without)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_keys(apps, schema_editor):
    alias = schema_editor.connection.alias
    School = apps.get_model("org", "School")
    Determination = apps.get_model("cases", "Determination")
    school = School.objects.filter(pk=OuterRef("school_id"))
    apps.get_model("cases", "CaseCounter").objects.using(alias).filter(county__isnull=True).update(
        county_id=Subquery(school.values("county_id")[:1])
    )
    det = Determination.objects.filter(pk=OuterRef("determination_id"))
    for name in ("DeterminationMember", "DeterminationBully"):
        apps.get_model("cases", name).objects.using(alias).filter(county__isnull=True).update(
            county_id=Subquery(det.values("county_id")[:1]),
            school_id=Subquery(det.values("school_id")[:1]),
        )


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_scale_keys'),
    ]

    operations = [
        # backwards: 0007 drops the columns
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
    ]
