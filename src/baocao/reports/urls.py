from django.urls import path

from . import declaration_views, views, workflow_views

app_name = "reports"
urlpatterns = [
    path("", views.entry_home, name="entry"),
    path("don-vi-cap-duoi/", workflow_views.reports_below, name="below"),
    path("ky/<int:period_pk>/dang-ky-doi-tuong/", declaration_views.declare, name="declare"),
    path("bao-cao/<int:pk>/", views.report_page, name="report"),
    path("bao-cao/<int:pk>/luu/", views.report_save, name="save"),
    path("bao-cao/<int:pk>/thuyet-minh/", views.explanation_save, name="explanation"),
    path("bao-cao/<int:pk>/lay-so-lieu-cap-duoi/", views.prefill, name="prefill"),
    path("bao-cao/<int:pk>/ban-ghi/them/", views.record_edit, name="record_add"),
    path("bao-cao/<int:pk>/ban-ghi/<int:position>/", views.record_edit, name="record_edit"),
    path("bao-cao/<int:pk>/ban-ghi/<int:position>/xoa/", views.record_delete, name="record_delete"),
    path("bao-cao/<int:pk>/thao-tac/<slug:code>/", workflow_views.take_transition, name="transition"),
    path("bao-cao/<int:pk>/lich-su/", workflow_views.history, name="history"),
    path("bao-cao/<int:pk>/lan-gui/<int:number>/", workflow_views.revision, name="revision"),
]
