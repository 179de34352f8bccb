from django.apps import AppConfig


class SupportConfig(AppConfig):
    name = "baocao.support"
    verbose_name = "Phản ánh lỗi"
