from django.urls import path

from . import views

app_name = "rollup"
urlpatterns = [
    path("", views.rollup, name="rollup"),
    path("chi-tiet/", views.breakdown, name="breakdown"),
    path("tinh-hinh-gui/", views.completeness, name="completeness"),
    path("tong-hop.xlsx", views.rollup_xlsx, name="rollup_xlsx"),
    path("tong-hop.pdf", views.rollup_pdf, name="rollup_pdf"),
    path("chi-tiet.xlsx", views.breakdown_xlsx, name="breakdown_xlsx"),
    path("chua-gui.xlsx", views.not_sent_xlsx, name="not_sent_xlsx"),
]
