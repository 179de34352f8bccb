from django.urls import path

from . import views

app_name = "shell"
urlpatterns = [
    path("", views.home, name="home"),
    path("quan-tri-he-thong/", views.section("admin"), name="admin"),
]
