from django.urls import path

from . import duty_views
from . import period_views as views

app_name = "periods"
urlpatterns = [
    path("", views.period_list, name="list"),
    path("<int:pk>/", views.period_detail, name="detail"),
    path("<int:pk>/thao-tac/<slug:action>/", views.period_action, name="action"),
    path("<int:pk>/gia-han/", views.grant_extension, name="extend"),
    path("<int:pk>/bieu-phai-lap/", views.obligations, name="obligations"),
    path("<int:pk>/bieu-phai-lap/bo-sung/", views.obligation_add, name="obligation_add"),
    path("<int:pk>/bieu-phai-lap/<int:report_pk>/mien/", views.obligation_exempt, name="obligation_exempt"),
    path("don-vi/<str:code>/bieu-phai-lap/", duty_views.unit_duties, name="duties"),
    path("don-vi/<str:code>/bieu-phai-lap/<int:pk>/xoa/", duty_views.duty_remove, name="duty_remove"),
]
