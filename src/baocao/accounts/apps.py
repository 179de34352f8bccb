from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "baocao.accounts"
    verbose_name = "Tài khoản"
