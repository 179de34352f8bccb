from django.urls import path

from . import views

app_name = "support"

urlpatterns = [
    path("", views.problem_list, name="list"),
    path("gui/", views.problem_report, name="report"),
    path("<int:pk>/tra-loi/", views.problem_answer, name="answer"),
    path("<int:pk>/anh/", views.screenshot, name="screenshot"),
]
