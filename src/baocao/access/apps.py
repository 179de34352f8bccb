from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "baocao.access"
    verbose_name = "Phân quyền"
