from django.core.management.base import BaseCommand, CommandError

from baocao import regimes
from baocao.formdefs.schema import DefinitionError
from baocao.formdefs.services import load_regime_forms
from baocao.units.services import sync_unit_types


class Command(BaseCommand):
    help = "Load a regime's data (unit types, form definitions) into the database. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("regime", nargs="?", help="regime key (default: settings.BAOCAO_REGIME)")

    def handle(self, regime=None, **options):
        data = regimes.load(regime) if regime else regimes.current()
        created = sync_unit_types(data)
        self.stdout.write(f"{data.key}: {len(data.unit_types)} unit types ({created} new)")
        try:
            summary = load_regime_forms(data.key)
        except DefinitionError as e:
            raise CommandError(f"The form definitions of {data.key} have problems; nothing was loaded:\n{e}") from None
        self.stdout.write(str(summary))
        for line in summary.created:
            self.stdout.write(f"  new: {line}")
