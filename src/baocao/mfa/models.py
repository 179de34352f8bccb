"""Two-factor sign-in (xác thực hai bước, docs/adr/0015): one authenticator (a TOTP secret)
per account, and its single-use recovery codes, stored hashed."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Authenticator(models.Model):
    """The account's TOTP secret. Unconfirmed (`confirmed_at` empty) while the person is
    enrolling: it protects nothing until a code from the app has been typed back.

    `last_step` is the latest 30-second time step whose code was accepted: a code of that
    step or an earlier one is a replay and is refused."""

    account = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="authenticator")
    secret = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(_("Đăng ký lúc"), null=True, blank=True)
    last_step = models.BigIntegerField(null=True, blank=True)
    last_used_at = models.DateTimeField(_("Xác thực lần cuối"), null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(confirmed_at__isnull=False) | models.Q(last_step__isnull=True),
                                   name="mfa_authenticator_step_after_confirmation"),
        ]

    @property
    def confirmed(self):
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """One single-use recovery code (mã khôi phục): only its SHA-256 is kept. Each code is 16
    random characters (about 79 bits), so a fast hash is as safe as a slow one here."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "code_hash"], name="mfa_recovery_code_unique")]


class Failure(models.Model):
    """One wrong (or replayed) code at the second step: counted per account, whatever the
    address, so that a correct password does not reset the count (services.lock_until)."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "at"], name="mfa_failure_account_at")]
