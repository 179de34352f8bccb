from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from baocao.units.catalogue import CatalogueError, import_catalogue, read_xlsx


class Command(BaseCommand):
    help = "Import the unit catalogue from an .xlsx file (columns: Mã đơn vị, Tên đơn vị, Mã đơn vị cấp trên, Loại đơn vị, Loại hình đơn vị). All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, path, **options):
        if not path.exists():
            raise CommandError(f"{path}: no such file")
        try:
            with path.open("rb") as f:
                rows = read_xlsx(f, size=path.stat().st_size)
            summary = import_catalogue(None, rows)
        except CatalogueError as error:
            raise CommandError(f"{path}: nothing imported, {len(error.errors)} error(s):\n{error}") from None
        self.stdout.write(f"{summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged")
