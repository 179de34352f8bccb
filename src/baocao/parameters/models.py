"""THIẾT LẬP THÔNG SỐ: the parameters the central administrator sets at run time.

One row (pk=1). A blank value means "use the default": the environment's setting or
the regime's value, so a fresh installation works before anyone opens the page.
"""
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Parameters(models.Model):
    singleton = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    site_title = models.CharField(_("Tên phần mềm"), max_length=200, blank=True)
    default_password = models.CharField(_("Mật khẩu mặc định"), max_length=128, blank=True)
    password_min_length = models.PositiveSmallIntegerField(
        _("Độ dài tối thiểu của mật khẩu"), null=True, blank=True, validators=[MinValueValidator(6), MaxValueValidator(64)]
    )
    lockout_threshold = models.PositiveSmallIntegerField(
        _("Số lần nhập sai mật khẩu trước khi khóa"), null=True, blank=True, validators=[MinValueValidator(3), MaxValueValidator(20)]
    )
    lockout_minutes = models.PositiveSmallIntegerField(
        _("Thời gian khóa (phút)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1440)]
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("Tự đăng xuất sau thời gian không thao tác (phút)"), null=True, blank=True, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    account_admin_unit = models.CharField(
        _("Cơ quan quản lý tài khoản (hỗ trợ khôi phục mật khẩu)"), max_length=300, blank=True
    )
    business_support_name = models.CharField(_("Hỗ trợ nghiệp vụ: đầu mối"), max_length=300, blank=True)
    business_support_phone = models.CharField(_("Hỗ trợ nghiệp vụ: điện thoại"), max_length=100, blank=True)
    technical_support_name = models.CharField(_("Hỗ trợ kỹ thuật: đầu mối"), max_length=300, blank=True)
    technical_support_phone = models.CharField(_("Hỗ trợ kỹ thuật: điện thoại"), max_length=100, blank=True)
    # Roles (codes of the regime's administration roles) whose accounts must sign in with a
    # second factor (baocao.mfa, docs/adr/0015). Empty: nobody is required to.
    two_factor_roles = models.JSONField(_("Bắt buộc xác thực hai bước với các vai trò"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(singleton=1), name="parameters_single_row")]


class Holiday(models.Model):
    """A public holiday (or a compensating day off): a deadline falling on it moves to the
    next working day (TT 03/2019 Art. 6.2.b). Saturdays and Sundays are always rest days."""

    day = models.DateField(_("Ngày nghỉ"), unique=True)
    name = models.CharField(_("Tên ngày nghỉ"), max_length=200)

    class Meta:
        ordering = ["day"]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.name}"
