"""County and school keys on the last tables of school data without them (GUIDE principle 7;
``anxin/core/tests/test_scale_keys.py``): the county beside the school on the case-number
counter (CaseCounter), and both keys on a determination's joins to the members present and to
the parties found to have bullied, which become explicit models (DeterminationMember,
DeterminationBully) on the same tables. The keys are added empty here, filled in 0008 and
required from 0009 on: three migrations, because PostgreSQL refuses to alter a table in the
transaction that has just updated its rows."""

import django.db.models.deletion
from django.db import migrations, models


def key(name):
    target = 'org.county' if name == 'county' else 'org.school'
    verbose = '县区' if name == 'county' else '学校'
    return models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=target, verbose_name=verbose)


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0006_report_sign_off'),
        ('org', '0003_report_sign_off'),
    ]

    operations = [
        migrations.AddField(model_name='casecounter', name='county', field=key('county')),
        # Determination.members_present and .bullies: the implicit join tables become explicit
        # models, tables and columns unchanged
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DeterminationMember',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('determination', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.determination')),
                        ('committeemember', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.committeemember')),
                    ],
                    options={
                        'verbose_name': '出席委员',
                        'db_table': 'cases_determination_members_present',
                        'unique_together': {('determination', 'committeemember')},
                    },
                ),
                migrations.AlterField(
                    model_name='determination',
                    name='members_present',
                    field=models.ManyToManyField(blank=True, related_name='+', through='cases.DeterminationMember', to='cases.committeemember', verbose_name='出席委员'),
                ),
                migrations.CreateModel(
                    name='DeterminationBully',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('determination', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.determination')),
                        ('caseparty', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='cases.caseparty')),
                    ],
                    options={
                        'verbose_name': '认定实施欺凌的学生',
                        'db_table': 'cases_determination_bullies',
                        'unique_together': {('determination', 'caseparty')},
                    },
                ),
                migrations.AlterField(
                    model_name='determination',
                    name='bullies',
                    field=models.ManyToManyField(blank=True, related_name='+', through='cases.DeterminationBully', to='cases.caseparty', verbose_name='认定实施欺凌的学生'),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(model_name='determinationmember', name='county', field=key('county')),
        migrations.AddField(model_name='determinationmember', name='school', field=key('school')),
        migrations.AddField(model_name='determinationbully', name='county', field=key('county')),
        migrations.AddField(model_name='determinationbully', name='school', field=key('school')),
    ]
