from django.apps import AppConfig


class ReorgConfig(AppConfig):
    name = "baocao.reorg"
    verbose_name = "Sắp xếp, tinh gọn đơn vị"
