"""Accounts: one login, attached to one unit, holding one or more roles."""
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from baocao.access.models import RoleGrant
from baocao.dbtext import iexact
from baocao.units.text import fold


# What the user list and the export show in the Trạng thái column.
STATUS_LABELS = {
    "revoked": _("Đã thu hồi"),
    "locked": _("Bị khóa"),
    "locked_out": _("Tạm khóa (nhập sai mật khẩu)"),
    "active": _("Đang hoạt động"),
}


def status_key(is_active, locked_by_admin, locked_until, now):
    if not is_active:
        return "revoked"
    if locked_by_admin:
        return "locked"
    if locked_until is not None and locked_until > now:
        return "locked_out"
    return "active"


def search_text_for(account, unit):
    return fold(" ".join((account.username, account.display_name, unit.code, unit.name)))


class UnitPathField(models.CharField):
    """The account's unit's materialised path, copied onto the account (docs/adr/0014), so
    that "the accounts of a subtree, in tree order" is one walk of the (unit_path, username)
    index, whatever the subtree and wherever its usernames sort. Filled from the unit on
    every save and bulk insert (pre_save runs for both); kept right when units move by the
    `unit_moved` receiver (accounts.paths), in the move's transaction."""

    def pre_save(self, model_instance, add):
        if model_instance.unit_id is not None:
            setattr(model_instance, self.attname, model_instance.unit.path)
        return super().pre_save(model_instance, add)


class AccountManager(BaseUserManager):
    def get_by_natural_key(self, username):
        # Usernames are case-insensitive: "t02003002" logs in as "T02003002", through the
        # LOWER(username) unique index (username__iexact would be UPPER(), unindexed).
        return self.get(iexact("username", username))

    def holding(self, role):
        """Accounts with a grant of `role` anywhere."""
        return self.filter(pk__in=RoleGrant.objects.filter(role=role).values("account_id"))


class Account(AbstractBaseUser):
    username = models.CharField(_("Tên đăng nhập"), max_length=150)
    display_name = models.CharField(_("Tên hiển thị"), max_length=300)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="accounts", verbose_name=_("Đơn vị quản lý"))
    # What the account may do is its role grants (access.RoleGrant, related name `grants`).
    user_group = models.CharField(_("Nhóm người dùng"), max_length=120, blank=True)
    is_active = models.BooleanField(_("Đang sử dụng"), default=True)
    # Revocation (thu hồi): the account is kept, with why and on which request letter.
    revoked_at = models.DateTimeField(_("Thu hồi lúc"), null=True, blank=True)
    revoked_reason = models.TextField(_("Lý do thu hồi"), blank=True)
    revoked_reference = models.CharField(_("Số văn bản đề nghị"), max_length=200, blank=True)
    failed_login_count = models.PositiveSmallIntegerField(default=0)
    # Temporary lockout after repeated wrong passwords …
    locked_until = models.DateTimeField(_("Khóa đến"), null=True, blank=True)
    # … and an administrator's lock (suspected leak), until an administrator unlocks it.
    locked_by_admin = models.BooleanField(_("Bị quản trị khóa"), default=False)
    must_change_password = models.BooleanField(_("Phải đổi mật khẩu"), default=True)
    password_changed_at = models.DateTimeField(_("Đổi mật khẩu lúc"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Username, display name, unit code and name, lower case without accents: what the
    # user list searches, the same way on SQLite and PostgreSQL.
    search_text = models.TextField(default="", editable=False)
    # The unit's path (PostgreSQL: in the "C" collation, byte order, as SQLite compares):
    # a subtree's accounts are a prefix range of the (unit_path, username) index.
    unit_path = UnitPathField(max_length=1000, default="", editable=False)

    objects = AccountManager()

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS = ["display_name"]

    class Meta:
        ordering = ["username"]
        constraints = [models.UniqueConstraint(Lower("username"), name="account_username_unique_ci")]
        # The user list's sorts and status filters, each a walk of one index that stops after
        # a page (docs/adr/0009). The partial indexes hold the few revoked, locked or
        # not-yet-changed accounts, so those filters and TRANG CHỦ's counters read only them.
        indexes = [
            models.Index(fields=["username"], name="account_username"),
            models.Index(fields=["display_name", "username"], name="account_display_name"),
            models.Index(fields=["user_group", "username"], name="account_group"),
            models.Index(fields=["unit", "username"], name="account_unit_username"),
            models.Index(fields=["username"], condition=models.Q(is_active=False), name="account_revoked"),
            models.Index(fields=["username"], condition=models.Q(locked_by_admin=True) | models.Q(locked_until__isnull=False),
                         name="account_locked"),
            models.Index(fields=["username"], condition=models.Q(must_change_password=True), name="account_must_change"),
            # A subtree's accounts (a province administrator's list, search, "select all",
            # TRANG CHỦ's counters): a prefix range, in tree order (docs/adr/0014).
            models.Index(fields=["unit_path", "username"], name="account_unit_path"),
            models.Index(fields=["unit_path"], condition=models.Q(must_change_password=True), name="account_path_must_change"),
            models.Index(fields=["unit_path"], condition=models.Q(locked_by_admin=True) | models.Q(locked_until__isnull=False),
                         name="account_path_locked"),
        ]

    def __str__(self):
        return self.username

    @property
    def roles(self):
        """Codes of the roles granted at the account's own unit, in the regime's order."""
        from baocao import regimes

        held = {g.role for g in self.grants.all() if g.unit_id == self.unit_id}
        return tuple(code for code in regimes.current().roles if code in held)

    def is_locked(self, now=None):
        """Locked for every address: by an administrator. (Wrong passwords lock only the
        addresses they came from: services.lock_of; `locked_until` says until when the
        latest such lock lasts, for the user list.)"""
        return self.locked_by_admin

    @property
    def lockout_until(self):
        """Until when wrong passwords keep this account blocked (None if they do not now)."""
        return self.locked_until if self.locked_until is not None and self.locked_until > timezone.now() else None

    @property
    def status_label(self):
        return STATUS_LABELS[status_key(self.is_active, self.locked_by_admin, self.locked_until, timezone.now())]

    def save(self, *args, **kwargs):
        self.search_text = search_text_for(self, self.unit)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text", "unit_path"}
        super().save(*args, **kwargs)

    # Django's auth and templates ask these; we have no Django admin site.
    is_staff = False
    is_superuser = False

    def get_full_name(self):
        return self.display_name

    def get_short_name(self):
        return self.username


class AccountRequest(models.Model):
    """A unit's written request (letter 003, 4.3) for a new account or the revocation of one,
    filed by the unit's approver and decided by an administrator of its scope."""

    class Kind(models.TextChoices):
        NEW = "new", _("Cấp mới tài khoản")
        REVOKE = "revoke", _("Thu hồi tài khoản")

    class Status(models.TextChoices):
        PENDING = "pending", _("Chờ xử lý")
        APPROVED = "approved", _("Đã chấp thuận")
        REJECTED = "rejected", _("Đã từ chối")

    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="account_requests", verbose_name=_("Đơn vị"))
    kind = models.CharField(_("Loại đề nghị"), max_length=10, choices=Kind.choices)
    role = models.CharField(_("Vai trò"), max_length=20, blank=True)
    target = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Tài khoản"))
    reason = models.TextField(_("Lý do"))
    # The written request the unit sends (Quy chế 2626, Điều 3 khoản 8): its number and date.
    letter_number = models.CharField(_("Số văn bản đề nghị"), max_length=60, blank=True)
    letter_date = models.DateField(_("Ngày văn bản đề nghị"), null=True, blank=True)
    requested_by = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(_("Trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_comment = models.TextField(_("Ý kiến xử lý"), blank=True)
    result_account = models.ForeignKey(Account, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind="new") & ~models.Q(role=""))
                | (models.Q(kind="revoke") & models.Q(target__isnull=False)),
                name="account_request_new_has_role_revoke_has_target",
            ),
            models.CheckConstraint(condition=models.Q(status__in=["pending", "approved", "rejected"]), name="account_request_status_valid"),
        ]

    @property
    def role_label(self):
        from baocao import regimes

        return regimes.current().role_labels.get(self.role, self.role)


class LoginFailure(models.Model):
    """One wrong password (or unknown username, or wrong current password on the change
    page), from one client address. Lockouts are counted from these rows: per typed
    username *and address* (the lock applies to the addresses that failed, so an attacker
    cannot lock a unit out of its own office), and per address over every username (an
    address guessing many accounts is stopped before any password is hashed). See
    docs/security.md."""

    at = models.DateTimeField(db_index=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    # The username as typed, NFC and case-folded: unknown usernames lock the same way, so a
    # lockout reveals nothing about which accounts exist.
    username_key = models.CharField(max_length=150)

    class Meta:
        indexes = [
            models.Index(fields=["username_key", "ip", "at"], name="login_failure_user_ip"),
            models.Index(fields=["ip", "at"], name="login_failure_ip"),
        ]
