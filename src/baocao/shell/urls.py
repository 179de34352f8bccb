from django.urls import path
from django.utils.translation import gettext_lazy as _

from . import views

app_name = "shell"
urlpatterns = [
    path("", views.home, name="home"),
    path("nhap-du-lieu/", views.section("entry"), name="entry"),
    path("tong-hop-bao-cao/", views.section("rollup"), name="rollup"),
    path("quan-tri-he-thong/", views.section("admin"), name="admin"),
    path("quan-tri-he-thong/nguoi-dung/", views.section("admin", _("Quản lý người dùng")), name="users"),
    path("thiet-lap-thong-so/", views.section("parameters"), name="parameters"),
]
