from django.urls import path

from . import printout_views, views

app_name = "exchange"
urlpatterns = [
    path("<int:pk>/mau.xlsx", views.template_download, name="template"),
    path("<int:pk>/nhap-excel/", views.upload, name="upload"),
    path("<int:pk>/doi-chieu/", views.reconcile, name="reconcile"),
    path("<int:pk>/bao-cao.xlsx", views.export_xlsx, name="export_xlsx"),
    path("<int:pk>/bao-cao.pdf", views.export_pdf, name="export_pdf"),
    path("mau-in/<slug:slug>.<str:fmt>", printout_views.printout, name="printout"),
]
