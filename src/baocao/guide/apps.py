from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "baocao.guide"
    label = "guide"
    verbose_name = "Hướng dẫn sử dụng"
