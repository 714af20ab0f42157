"""On PostgreSQL, refuse UPDATE and DELETE on case timelines (R-CASE-10; GUIDE principle 3).
SQLite has no such trigger here; ``verify_audit`` detects tampering on both."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION anxin_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'anxin: % on append-only table % is refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;
CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE OR DELETE ON cases_caseevent
  FOR EACH ROW EXECUTE FUNCTION anxin_append_only();
"""

BACKWARD = "DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cur:
            cur.execute(FORWARD)  # no params: the % in RAISE is PL/pgSQL's, not a placeholder


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(forward, backward, elidable=False)]
