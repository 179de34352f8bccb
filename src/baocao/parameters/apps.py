from django.apps import AppConfig


class ParametersConfig(AppConfig):
    name = "baocao.parameters"
    verbose_name = "Thiết lập thông số"
