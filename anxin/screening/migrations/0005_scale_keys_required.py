"""The keys filled in 0004 are required from now on."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('screening', '0004_scale_keys_backfill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='surveytoken',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.county', verbose_name='县区'),
        ),
        migrations.AlterField(
            model_name='surveytoken',
            name='school',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.school', verbose_name='学校'),
        ),
        migrations.AlterField(
            model_name='cameracover',
            name='county',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.county', verbose_name='县区'),
        ),
        migrations.AlterField(
            model_name='cameracover',
            name='school',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.school', verbose_name='学校'),
        ),
    ]
