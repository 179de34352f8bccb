from django.apps import AppConfig


class RegimesConfig(AppConfig):
    name = "baocao.regimes"
    verbose_name = "Chế độ báo cáo"
