from django.core.management.base import BaseCommand

from baocao import regimes
from baocao.units.services import sync_unit_types


class Command(BaseCommand):
    help = "Load a regime's data (unit types) into the database. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("regime", nargs="?", help="regime key (default: settings.BAOCAO_REGIME)")

    def handle(self, regime=None, **options):
        data = regimes.load(regime) if regime else regimes.current()
        created = sync_unit_types(data)
        self.stdout.write(f"{data.key}: {len(data.unit_types)} unit types ({created} new)")
