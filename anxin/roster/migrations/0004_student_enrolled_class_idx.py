"""The enrolled students per school and class, countable from an index alone (issue 15:
工作台's screening coverage)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("org", "0004_region_county_region"),
        ("roster", "0003_student_no_encrypted"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="student",
            index=models.Index(
                condition=models.Q(("status", "enrolled")),
                fields=["school", "klass", "id"],
                name="student_enrolled_class_idx",
            ),
        ),
    ]
