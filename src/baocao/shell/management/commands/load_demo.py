"""Demo data of the deployment's regime (shell/demo/<regime>.py): its unit tree, the accounts
following the regime's scheme, its periods opened, and whatever else the regime's demo holds."""
from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from baocao import regimes
from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.formdefs.services import load_regime_forms
from baocao.reports import periods
from baocao.reports.models import Period, PeriodStatus
from baocao.units.catalogue import CatalogueRow, import_catalogue
from baocao.units.models import Unit
from baocao.units.services import sync_unit_types

from ...demo import for_regime


class Command(BaseCommand):
    help = "Load the demo of the regime (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, url, **options):
        regime = regimes.current()
        demo = for_regime(regime.key)
        rows = [
            CatalogueRow(row=i, code=c, name=n, parent_code=p, kind=k, unit_types=tuple(t for t in types.split(",") if t))
            for i, (c, n, p, k, types) in enumerate(demo.TREE, start=2)
        ]
        with transaction.atomic():
            sync_unit_types(regime)
            forms = load_regime_forms(regime.key)
            summary = import_catalogue(None, rows)
            created = create_missing_accounts(None, Unit.objects.all())
            opened = [self.demo_period(regime, wanted) for wanted in demo.PERIODS]
            demo.populate(self.stdout)
        self.stdout.write(f"Demo data: {summary.created} units created, {len(created)} accounts created, {forms}.")
        for period in opened:
            self.stdout.write(f"Period open: {period.name} (deadline {timezone.localtime(period.due_at):%d/%m/%Y}).")
        self.stdout.write("")
        self.stdout.write(f"  baocao ({regime.short_title}) is served at {url}")
        self.stdout.write(f"  Every demo account starts with the default password {regime.default_password!r}")
        self.stdout.write("  and must change it at first login:")
        for account in Account.objects.filter(username__in=demo.EXAMPLES).select_related("unit"):
            roles = ", ".join(regime.role_labels.get(r, r) for r in account.roles)
            self.stdout.write(f"    {account.username:<12} {account.unit.name} — {roles}")
        self.stdout.write("")

    @staticmethod
    def demo_period(regime, wanted):
        code = f"{wanted['kind']}_{wanted['year']}"
        period = Period.objects.filter(regime=regime.key, code=code).first()
        if period is None:
            deadline = timezone.localdate() + timedelta(days=wanted["days_left"]) if wanted["days_left"] else None
            period = periods.create_period(None, kind=wanted["kind"], year=wanted["year"], deadline=deadline)
        if period.status == PeriodStatus.DRAFT:
            periods.open_period(None, period)
            period.refresh_from_db()
        return period
