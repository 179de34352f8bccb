"""A progress counter never goes negative (issue 21, docs/adr/0010): checked by a trigger
after the row is written (an upsert's proposed row carries the negative delta, so a CHECK
constraint would refuse every decrement)."""
from django.db import migrations

POSTGRESQL = """
CREATE OR REPLACE FUNCTION reports_progress_not_negative() RETURNS trigger AS $$
BEGIN
  IF NEW.count < 0 THEN
    RAISE EXCEPTION 'rollup progress count would be negative (unit %, period %, form %)', NEW.unit_id, NEW.period_id, NEW.form_code
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER reports_progress_not_negative AFTER INSERT OR UPDATE ON reports_rollupprogress
  FOR EACH ROW EXECUTE FUNCTION reports_progress_not_negative();
"""
SQLITE = [
    "CREATE TRIGGER reports_progress_not_negative_insert AFTER INSERT ON reports_rollupprogress WHEN NEW.count < 0 "
    "BEGIN SELECT RAISE(ABORT, 'rollup progress count would be negative'); END",
    "CREATE TRIGGER reports_progress_not_negative_update AFTER UPDATE ON reports_rollupprogress WHEN NEW.count < 0 "
    "BEGIN SELECT RAISE(ABORT, 'rollup progress count would be negative'); END",
]


def forwards(apps, schema_editor):
    statements = [POSTGRESQL] if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql, None)  # no parameters: the function body has its own % placeholders


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS reports_progress_not_negative ON reports_rollupprogress; "
                              "DROP FUNCTION IF EXISTS reports_progress_not_negative()")
    else:
        for name in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS reports_progress_not_negative_{name}")


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_report_period_exempt")]

    operations = [migrations.RunPython(forwards, backwards)]
