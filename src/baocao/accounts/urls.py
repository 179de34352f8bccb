from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("dang-nhap/", views.login_view, name="login"),
    path("dang-xuat/", views.logout_view, name="logout"),
    path("doi-mat-khau/", views.password_change_view, name="password_change"),
]

# QUẢN TRỊ HỆ THỐNG > 29. Quản lý người dùng
from . import user_views  # noqa: E402

urlpatterns += [
    path("quan-ly/", user_views.user_list, name="users"),
    path("quan-ly/reset-mat-khau/", user_views.reset_passwords, name="users_reset"),
    path("quan-ly/xuat-excel/", user_views.export_xlsx, name="users_export"),
    path("quan-ly/tao-tai-khoan/", user_views.create_accounts, name="users_create"),
    path("quan-ly/<int:pk>/", user_views.account_detail, name="user_detail"),
    path("quan-ly/<int:pk>/khoa/", user_views.lock, name="user_lock"),
    path("quan-ly/<int:pk>/mo-khoa/", user_views.unlock, name="user_unlock"),
    path("quan-ly/<int:pk>/thu-hoi/", user_views.revoke, name="user_revoke"),
    path("quan-ly/<int:pk>/khoi-phuc/", user_views.reactivate, name="user_reactivate"),
    path("quan-ly/<int:pk>/reset-mat-khau/", user_views.reset_one, name="user_reset"),
]

# Đề nghị cấp, thu hồi tài khoản
from . import request_views  # noqa: E402

urlpatterns += [
    path("de-nghi/", request_views.request_list, name="requests"),
    path("de-nghi/gui/", request_views.request_file, name="request_file"),
    path("de-nghi/<int:pk>/xu-ly/", request_views.request_decide, name="request_decide"),
]
