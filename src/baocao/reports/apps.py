from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "baocao.reports"
    verbose_name = "Báo cáo"

    def ready(self):
        from baocao.parameters.signals import holidays_changed

        from .periods import refresh_deadlines

        # A holiday added or removed moves the deadlines of periods not yet closed, and of their reports.
        holidays_changed.connect(lambda sender, **kwargs: refresh_deadlines(), weak=False, dispatch_uid="reports.refresh_deadlines")
