from django.urls import path

from . import views

app_name = "parameters"
urlpatterns = [
    path("", views.edit_parameters, name="edit"),
    path("ngay-nghi-le/", views.holidays, name="holidays"),
    path("ngay-nghi-le/<int:pk>/xoa/", views.holiday_remove, name="holiday_remove"),
]
