from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "baocao.accounts"
    verbose_name = "Tài khoản"

    def ready(self):
        from baocao.units.signals import units_renamed

        from .services import refresh_search_text

        units_renamed.connect(lambda sender, unit_ids, **kwargs: refresh_search_text(unit_ids), weak=False, dispatch_uid="accounts.search_text")
