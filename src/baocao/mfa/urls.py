from django.urls import path

from . import views

app_name = "mfa"
urlpatterns = [
    path("", views.status, name="status"),
    path("dang-ky/", views.enrol, name="enrol"),
    path("xac-thuc/", views.verify, name="verify"),
    path("ma-khoi-phuc/", views.recover, name="recover"),
    path("ma-khoi-phuc/tao-moi/", views.renew_recovery_codes, name="renew_recovery_codes"),
    path("dat-lai/<int:pk>/", views.reset, name="reset"),
]
