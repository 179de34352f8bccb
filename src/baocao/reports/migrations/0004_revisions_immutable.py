"""Revisions are what a unit sent: the database itself refuses to change them.

PostgreSQL refuses UPDATE and DELETE of a revision row; SQLite (the embedded default)
refuses UPDATE, and leaves DELETE to the test runner, which empties tables with it.
"""
from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION report_revision_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'report revisions are immutable (%% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER report_revision_immutable
    BEFORE UPDATE OR DELETE ON reports_revision
    FOR EACH ROW EXECUTE FUNCTION report_revision_immutable();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS report_revision_immutable ON reports_revision;
DROP FUNCTION IF EXISTS report_revision_immutable();
"""
SQLITE_FORWARD = """
CREATE TRIGGER report_revision_no_update BEFORE UPDATE ON reports_revision
BEGIN SELECT RAISE(ABORT, 'report revisions are immutable (UPDATE refused)'); END;
"""
SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS report_revision_no_update;"


def forward(apps, schema_editor):
    sql = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    sql = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_reporting_core")]
    operations = [migrations.RunPython(forward, backward)]
