"""On PostgreSQL, trigram GIN indexes for the accent-folded search columns, so "every word
somewhere" (LIKE '%word%') does not scan 100,000 accounts. Needs the pg_trgm extension;
where the database role may not create it, the indexes are skipped (search still works,
only slower) and a warning is logged. SQLite scans; the embedded default is small."""
import logging

from django.db import migrations

INDEXES = (
    ("accounts_account", "account_search_text_trgm"),
    ("units_unit", "unit_search_text_trgm"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        try:
            cursor.execute("SAVEPOINT trigram")
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as error:  # no privilege: keep going without the index
            cursor.execute("ROLLBACK TO SAVEPOINT trigram")
            logging.getLogger(__name__).warning("pg_trgm unavailable (%s); search indexes skipped", error.__class__.__name__)
            return
        for table, name in INDEXES:
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (search_text gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _table, name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_account_request"), ("units", "0002_unit_search_text")]
    operations = [migrations.RunPython(create, drop)]
