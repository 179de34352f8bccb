from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.entry_home, name="entry"),
    path("bao-cao/<int:pk>/", views.report_page, name="report"),
    path("bao-cao/<int:pk>/luu/", views.report_save, name="save"),
    path("bao-cao/<int:pk>/thuyet-minh/", views.explanation_save, name="explanation"),
    path("bao-cao/<int:pk>/ban-ghi/them/", views.record_edit, name="record_add"),
    path("bao-cao/<int:pk>/ban-ghi/<int:position>/", views.record_edit, name="record_edit"),
    path("bao-cao/<int:pk>/ban-ghi/<int:position>/xoa/", views.record_delete, name="record_delete"),
]
