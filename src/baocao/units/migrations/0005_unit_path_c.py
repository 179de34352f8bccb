"""units_unit.path in the "C" collation (byte order), indexed: a subtree is a range of it,
and a list of the subtree in tree order one walk of the index from the subtree's first
unit, wherever its path sorts (docs/adr/0014; access.paths.tree_order). PostgreSQL only:
SQLite compares paths byte by byte already, and its path index serves the same range."""
from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('CREATE INDEX IF NOT EXISTS unit_path_c ON units_unit ((path COLLATE "C"))')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS unit_path_c")


class Migration(migrations.Migration):

    dependencies = [("units", "0004_reorganisation_and_lineage")]

    operations = [migrations.RunPython(create, drop)]
