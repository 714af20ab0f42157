"""Fill the keys added in 0003: a survey code's from its survey (the class's school when the
codes were issued), a camera cover's from its camera. One UPDATE per table with correlated
subqueries: the same SQL on SQLite and PostgreSQL, and idempotent (only rows still without)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill_from(model, parent, fk: str, alias: str) -> None:
    """Set ``county_id`` and ``school_id`` of ``model``'s rows from the ``parent`` row that
    their column ``fk`` names."""
    row = parent.objects.filter(pk=OuterRef(fk))
    model.objects.using(alias).filter(county__isnull=True).update(
        county_id=Subquery(row.values("county_id")[:1]),
        school_id=Subquery(row.values("school_id")[:1]),
    )


def fill_keys(apps, schema_editor):
    alias = schema_editor.connection.alias
    get = apps.get_model
    fill_from(get("screening", "SurveyToken"), get("screening", "PeerSurvey"), "survey_id", alias)
    fill_from(get("screening", "CameraCover"), get("screening", "Camera"), "camera_id", alias)


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0003_scale_keys'),
    ]

    operations = [
        # backwards: 0003 drops the columns
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=False),
    ]
