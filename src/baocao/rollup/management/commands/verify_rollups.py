import time

from django.core.management.base import BaseCommand, CommandError

from baocao import regimes
from baocao.reports.models import Period

from ...verification import differences, rebuild


class Command(BaseCommand):
    help = "Recompute every roll-up total and progress counter from the reports with plain SQL and compare (or --rebuild them)."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="a period code (default: every period)")
        parser.add_argument("--rebuild", action="store_true", help="replace the stored rows with the recomputed ones")

    def handle(self, period=None, rebuild_=False, **options):
        chosen = None
        if period:
            chosen = Period.objects.filter(regime=regimes.current().key, code__iexact=period).first()
            if chosen is None:
                raise CommandError(f"No period {period!r}.")
        started = time.monotonic()
        if options["rebuild"]:
            totals, counters = rebuild(chosen)
            took = time.monotonic() - started
            self.stdout.write(f"Rebuilt {totals} totals and {counters} counters in {took:.1f} s ({(totals + counters) / max(took, 1e-9):,.0f} rows/s).")
            return
        found = differences(chosen)
        took = time.monotonic() - started
        for difference in found[:50]:
            self.stdout.write(str(difference))
        if found:
            raise CommandError(f"{len(found)} differences between the stored roll-ups and the reports ({took:.1f} s).")
        self.stdout.write(f"Roll-ups exact: no difference ({took:.1f} s).")
