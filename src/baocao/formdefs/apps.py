from django.apps import AppConfig


class FormdefsConfig(AppConfig):
    name = "baocao.formdefs"
    verbose_name = "Biểu mẫu"
