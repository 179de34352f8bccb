from django.apps import AppConfig


class ShellConfig(AppConfig):
    name = "baocao.shell"
    verbose_name = "Giao diện chung"
