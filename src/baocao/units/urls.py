from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("nhap-danh-muc/", views.catalogue_import, name="import"),
    path("nhap-danh-muc/mau.xlsx", views.catalogue_template, name="template"),
    path("<str:code>/", views.unit_detail, name="detail"),
]
