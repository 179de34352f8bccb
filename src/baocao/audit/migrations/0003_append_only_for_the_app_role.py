"""On PostgreSQL, no role but the table's owner may UPDATE, DELETE or TRUNCATE audit events
(scripts/postgres_roles.sql gives the application role SELECT and INSERT only; this takes
back what default privileges granted when the table was created)."""
from django.db import migrations

REVOKE = """
DO $$
DECLARE grantee_name text;
BEGIN
    FOR grantee_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_name = 'audit_auditevent' AND grantee NOT IN (current_user, 'PUBLIC')
          AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES')
    LOOP
        EXECUTE format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON audit_auditevent FROM %%I', grantee_name);
    END LOOP;
END $$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVOKE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
