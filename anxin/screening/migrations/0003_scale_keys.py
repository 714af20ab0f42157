"""County and school keys on the last tables of school data without them (GUIDE principle 7;
``anxin/core/tests/test_scale_keys.py``): a survey's personal codes (SurveyToken) and the join
of cameras and the hazard points they cover, which becomes an explicit model (CameraCover) on
the same table. The keys are added empty here, filled in 0004 and required from 0005 on: three
migrations, because PostgreSQL refuses to alter a table in the transaction that has just
updated its rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0003_report_sign_off'),
        ('screening', '0002_hazard_listed_for_reporters'),
    ]

    operations = [
        migrations.AddField(
            model_name='surveytoken',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.county', verbose_name='县区'),
        ),
        migrations.AddField(
            model_name='surveytoken',
            name='school',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.school', verbose_name='学校'),
        ),
        # Camera.covers: the implicit join table becomes CameraCover, table and columns unchanged
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CameraCover',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('camera', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='screening.camera')),
                        ('hazardpoint', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='screening.hazardpoint')),
                    ],
                    options={
                        'verbose_name': '覆盖隐患点',
                        'db_table': 'screening_camera_covers',
                        'unique_together': {('camera', 'hazardpoint')},
                    },
                ),
                migrations.AlterField(
                    model_name='camera',
                    name='covers',
                    field=models.ManyToManyField(blank=True, related_name='cameras', through='screening.CameraCover', to='screening.hazardpoint', verbose_name='覆盖隐患点'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name='cameracover',
            name='county',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.county', verbose_name='县区'),
        ),
        migrations.AddField(
            model_name='cameracover',
            name='school',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.school', verbose_name='学校'),
        ),
    ]
