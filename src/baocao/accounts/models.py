"""Accounts: one login, attached to one unit, holding one or more roles."""
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baocao.regimes import ROLES


class AccountManager(BaseUserManager):
    def get_by_natural_key(self, username):
        # Usernames are case-insensitive: "t02003002" logs in as "T02003002".
        return self.get(username__iexact=username)

    def with_role(self, role):
        return self.filter(**{f"role_{role}": True})


class Account(AbstractBaseUser):
    username = models.CharField(_("Tên đăng nhập"), max_length=150)
    display_name = models.CharField(_("Tên hiển thị"), max_length=300)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="accounts", verbose_name=_("Đơn vị quản lý"))
    # One column per role: the database can index and count them, and a check constraint
    # guarantees every account can do something.
    role_entry = models.BooleanField(_("Nhập số liệu"), default=False)
    role_reviewer = models.BooleanField(_("Kiểm tra"), default=False)
    role_approver = models.BooleanField(_("Phê duyệt"), default=False)
    role_admin = models.BooleanField(_("Quản trị"), default=False)
    role_central_admin = models.BooleanField(_("Quản trị trung ương"), default=False)
    user_group = models.CharField(_("Nhóm người dùng"), max_length=120, blank=True)
    is_active = models.BooleanField(_("Đang sử dụng"), default=True)
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    locked_until = models.DateTimeField(_("Khóa đến"), null=True, blank=True)
    must_change_password = models.BooleanField(_("Phải đổi mật khẩu"), default=True)
    password_changed_at = models.DateTimeField(_("Đổi mật khẩu lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(Lower("username"), name="account_username_unique_ci"),
            models.CheckConstraint(
                condition=models.Q(role_entry=True)
                | models.Q(role_reviewer=True)
                | models.Q(role_approver=True)
                | models.Q(role_admin=True)
                | models.Q(role_central_admin=True),
                name="account_has_a_role",
            ),
        ]

    def __str__(self):
        return self.username

    @property
    def roles(self):
        return tuple(role for role in ROLES if getattr(self, f"role_{role}"))

    def set_roles(self, roles):
        for role in ROLES:
            setattr(self, f"role_{role}", role in roles)

    def has_role(self, *roles):
        return any(getattr(self, f"role_{role}") for role in roles)

    def is_locked(self, now=None):
        return self.locked_until is not None and self.locked_until > (now or timezone.now())

    # Django's auth and templates ask these; we have no Django admin site.
    is_staff = False
    is_superuser = False

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.username
