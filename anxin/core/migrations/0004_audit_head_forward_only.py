"""On PostgreSQL, an audit stream's head only moves forward: its seq may only grow and it
cannot be deleted, so a truncated tail cannot be hidden by rewinding the head (LAW 22)."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION anxin_head_forward_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' OR NEW.seq <= OLD.seq THEN
    RAISE EXCEPTION 'anxin: audit stream heads only move forward (% refused)', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_auditstreamhead_forward_only ON core_auditstreamhead;
CREATE TRIGGER core_auditstreamhead_forward_only BEFORE UPDATE OR DELETE ON core_auditstreamhead
  FOR EACH ROW EXECUTE FUNCTION anxin_head_forward_only();
"""

BACKWARD = "DROP TRIGGER IF EXISTS core_auditstreamhead_forward_only ON core_auditstreamhead;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute(FORWARD)  # no params: the % in RAISE is PL/pgSQL's


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_notification")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
