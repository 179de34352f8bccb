from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "baocao.accounts"
    verbose_name = "Tài khoản"

    def ready(self):
        from baocao.units.signals import unit_moved, units_renamed, units_retired

        from .paths import follow_moved_unit
        from .services import deactivate_accounts_of, refresh_search_text

        units_renamed.connect(lambda sender, unit_ids, **kwargs: refresh_search_text(unit_ids), weak=False, dispatch_uid="accounts.search_text")
        # A retired unit's accounts are deactivated, never deleted (docs/adr/0007).
        units_retired.connect(lambda sender, unit_ids, reorganisation, **kwargs: deactivate_accounts_of(unit_ids, reorganisation),
                              weak=False, dispatch_uid="accounts.retired_units")
        # A moved subtree's accounts follow it: their copy of the unit's path (docs/adr/0014).
        unit_moved.connect(lambda sender, unit_id, **kwargs: follow_moved_unit(unit_id), weak=False, dispatch_uid="accounts.unit_path")
