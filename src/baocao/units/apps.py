from django.apps import AppConfig


class UnitsConfig(AppConfig):
    name = "baocao.units"
    verbose_name = "Đơn vị"
