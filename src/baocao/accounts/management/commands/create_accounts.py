from django.core.management.base import BaseCommand, CommandError

from baocao.accounts.services import create_missing_accounts
from baocao.dbtext import iexact
from baocao.units.models import Unit


class Command(BaseCommand):
    help = "Create the accounts the regime prescribes for every unit (or a unit's subtree) that lacks them. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--unit", help="only this unit's subtree (unit code)")

    def handle(self, unit=None, **options):
        units = Unit.objects.active()
        if unit:
            top = Unit.objects.filter(iexact("code", unit)).first()
            if top is None:
                raise CommandError(f"no unit with code {unit!r}")
            units = units.subtree(top)
        created = create_missing_accounts(None, units)
        self.stdout.write(f"{len(created)} accounts created")
