from django.urls import path

from . import views

app_name = "parameters"
urlpatterns = [path("", views.edit_parameters, name="edit")]
