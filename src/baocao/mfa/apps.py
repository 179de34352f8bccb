from django.apps import AppConfig


class MfaConfig(AppConfig):
    name = "baocao.mfa"
    verbose_name = "Xác thực hai bước"
