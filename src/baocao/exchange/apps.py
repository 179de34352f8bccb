from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "baocao.exchange"
    verbose_name = "Trao đổi Excel, PDF"
