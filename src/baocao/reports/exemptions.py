"""The one way a report leaves the counts by exemption (Được miễn) or comes back into them:
the administrator's Miễn, a declaration of assets not held, a retired unit's unstarted
reports, a transfer's source, an obligation added again (docs/adr/0010)."""
from django.utils.translation import gettext_lazy

from . import ledger
from .models import ReportEvent


def locked_reports(queryset):
    """The reports of `queryset`, each locked (FOR UPDATE of the report row), in id order so
    that two actions locking overlapping sets never deadlock. PostgreSQL re-checks the
    filter on rows that changed while it waited, so what is returned is what holds now."""
    return list(queryset.select_for_update(of=("self",)).select_related("form", "unit", "period").order_by("pk"))


def set_exempt(report, *, exempt, reason="", actor=None, event=None):
    """Exempt a locked report (or count it again), with its roll-ups following. `event`:
    (transition code, label) of the history line to write, with `reason`. Returns whether
    anything changed."""
    if report.exempt == exempt:
        return False
    old = (report.status, report.exempt, ledger.progress_key(report))
    report.exempt, report.exempt_reason = exempt, (reason.strip() if exempt else "")
    report.version += 1
    report.save(update_fields=["exempt", "exempt_reason", "version", "updated_at"])
    ledger.report_changed(report, old_status=old[0], old_exempt=old[1], old_key=old[2])
    if event is not None:
        transition, label = event
        ReportEvent.objects.create(report=report, actor=actor, transition=transition, label=label, reason=reason.strip())
    return True


def counted_from_now(report):
    """A report just created as owed (it counts from now on, as if exempt until now)."""
    ledger.report_changed(report, old_status=report.status, old_exempt=True, old_key=None)


EXEMPTED = ("exempted", gettext_lazy("Miễn lập báo cáo"))
