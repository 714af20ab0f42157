"""Audit heads carry an HMAC with ANXIN_AUDIT_KEY (a key the database never sees), and the
database keeps a copy of each signed checkpoint written outside it (LAW 22). Existing heads
are signed as they are: run ``manage.py verify_audit`` before this migration."""

import hashlib
import hmac

from django.conf import settings
from django.db import migrations, models

APPEND_ONLY = """
DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;
CREATE TRIGGER core_auditcheckpoint_append_only BEFORE UPDATE OR DELETE ON core_auditcheckpoint
  FOR EACH ROW EXECUTE FUNCTION anxin_append_only();
"""


def sign_heads(apps, schema_editor):
    Head = apps.get_model("core", "AuditStreamHead")
    key = settings.ANXIN_AUDIT_KEY.encode()
    postgres = schema_editor.connection.vendor == "postgresql"
    with schema_editor.connection.cursor() as cur:
        if postgres:  # the forward-only trigger refuses an update that does not grow seq
            cur.execute("ALTER TABLE core_auditstreamhead DISABLE TRIGGER core_auditstreamhead_forward_only")
        for head in Head.objects.all().iterator(chunk_size=2000):
            msg = "\x1f".join(("head", head.stream, str(head.seq), head.hash)).encode()
            Head.objects.filter(pk=head.pk).update(mac=hmac.new(key, msg, hashlib.sha256).hexdigest())
        if postgres:
            cur.execute("ALTER TABLE core_auditstreamhead ENABLE TRIGGER core_auditstreamhead_forward_only")
            cur.execute(APPEND_ONLY)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_head_forward_only")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("n", models.PositiveBigIntegerField(primary_key=True, serialize=False)),
                ("at", models.DateTimeField()),
                ("mac", models.CharField(max_length=64)),
            ],
            options={"verbose_name": "审计校验点"},
        ),
        migrations.AddField(
            model_name="auditstreamhead",
            name="mac",
            field=models.CharField(default="", max_length=64),
        ),
        migrations.RunPython(sign_heads, migrations.RunPython.noop, elidable=False),
    ]
