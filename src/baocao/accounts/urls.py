from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("<int:pk>/mo-khoa/", views.unlock_view, name="unlock"),
    path("doi-mat-khau/", views.password_change_view, name="password_change"),
]
