from django.apps import AppConfig


class RollupConfig(AppConfig):
    name = "baocao.rollup"
    verbose_name = "Tổng hợp báo cáo"
