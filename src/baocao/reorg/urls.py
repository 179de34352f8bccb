from django.urls import path

from . import views

app_name = "reorg"
urlpatterns = [
    path("", views.index, name="index"),
    path("thao-tac/<slug:slug>/", views.operation_page, name="operation"),
    path("tra-cuu-don-vi/", views.unit_search, name="units"),
    path("nhat-ky/", views.log_list, name="log"),
    path("nhat-ky/<int:pk>/", views.log_detail, name="log_detail"),
    path("danh-sach-excel/", views.list_upload, name="list"),
    path("danh-sach-excel/mau.xlsx", views.list_template, name="list_template"),
    path("chuyen-du-lieu/", views.transfer_list, name="transfers"),
    path("chuyen-du-lieu/de-nghi-moi/", views.transfer_new, name="transfer_new"),
    path("chuyen-du-lieu/<int:pk>/", views.transfer_detail, name="transfer"),
    path("chuyen-du-lieu/<int:pk>/thuc-hien/", views.transfer_execute, name="transfer_execute"),
    path("chuyen-du-lieu/<int:pk>/tu-choi/", views.transfer_reject, name="transfer_reject"),
]
