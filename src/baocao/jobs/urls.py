from django.urls import path

from . import views

app_name = "jobs"
urlpatterns = [
    path("<int:pk>/", views.job_page, name="detail"),
    path("<int:pk>/tai-ve/", views.download, name="download"),
]
