from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "baocao.jobs"
    verbose_name = "Công việc chạy nền"
