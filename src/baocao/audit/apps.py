from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "baocao.audit"
    verbose_name = "Nhật ký"
