from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "baocao.accounts"
    verbose_name = "Tài khoản"

    def ready(self):
        from baocao.units.signals import units_renamed, units_retired

        from .services import deactivate_accounts_of, refresh_search_text

        units_renamed.connect(lambda sender, unit_ids, **kwargs: refresh_search_text(unit_ids), weak=False, dispatch_uid="accounts.search_text")
        # A retired unit's accounts are deactivated, never deleted (docs/adr/0007).
        units_retired.connect(lambda sender, unit_ids, reorganisation, **kwargs: deactivate_accounts_of(unit_ids, reorganisation),
                              weak=False, dispatch_uid="accounts.retired_units")
