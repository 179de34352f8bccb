"""Append-only audit events. On PostgreSQL the database itself refuses UPDATE and DELETE."""
from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    at = models.DateTimeField(_("Thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Tài khoản")
    )
    # Kept as text too: the event must say who it was even for an unknown username.
    actor_username = models.CharField(_("Tên đăng nhập"), max_length=150, blank=True)
    ip = models.GenericIPAddressField(_("Địa chỉ IP"), null=True, blank=True)
    action = models.CharField(_("Hành động"), max_length=64, db_index=True)
    unit = models.ForeignKey("units.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("Đơn vị"))
    # The unit's path at the time, so an admin sees the events of its subtree with a prefix query.
    unit_path = models.CharField(max_length=1000, blank=True, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    note = models.TextField(_("Ghi chú"), blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        # Each filter of the audit list, newest first, through one index (docs/adr/0009):
        # by account (the typed username, any case), by action, by time; by unit subtree
        # through the unit_path prefix index.
        indexes = [
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            models.Index(Lower("actor_username"), F("at"), F("id"), name="audit_username_at"),
            models.Index(fields=["action", "at", "id"], name="audit_action_at"),
            models.Index(fields=["at", "id"], name="audit_at_id"),
        ]

    def __str__(self):
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_username} {self.action}"
