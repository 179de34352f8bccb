"""Shared test set-up that goes through the real actions (as the platform itself, actor None)."""
from datetime import timedelta

from django.utils import timezone

from baocao.reports import periods
from baocao.reports.models import Report


def open_period(kind, year, *, code="", name="", data_from=None, data_to=None, days_left=30):
    """A period of the current regime, created and opened, due `days_left` days from today."""
    period = periods.create_period(None, kind=kind, year=year, code=code, name=name, data_from=data_from, data_to=data_to,
                                   deadline=timezone.localdate() + timedelta(days=days_left))
    periods.open_period(None, period)
    period.refresh_from_db()
    return period


def owed_report(unit, period, form_code):
    """The report `unit` owes on `form_code` in `period`, made an obligation if it was not one."""
    report = Report.objects.filter(unit=unit, period=period, form_code=form_code).select_related("form", "unit", "period").first()
    if report is None:
        periods.add_obligation(None, period, unit, form_code, reason="test")
        report = Report.objects.select_related("form", "unit", "period").get(unit=unit, period=period, form_code=form_code)
    return report
