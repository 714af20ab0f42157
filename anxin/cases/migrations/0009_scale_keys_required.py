"""The keys filled in 0008 are required from now on."""

import django.db.models.deletion
from django.db import migrations, models


def key(name):
    target = 'org.county' if name == 'county' else 'org.school'
    verbose = '县区' if name == 'county' else '学校'
    return models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=target, verbose_name=verbose)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0008_scale_keys_backfill'),
    ]

    operations = [
        migrations.AlterField(model_name='casecounter', name='county', field=key('county')),
        migrations.AlterField(model_name='determinationmember', name='county', field=key('county')),
        migrations.AlterField(model_name='determinationmember', name='school', field=key('school')),
        migrations.AlterField(model_name='determinationbully', name='county', field=key('county')),
        migrations.AlterField(model_name='determinationbully', name='school', field=key('school')),
    ]
