"""Role grants: an account holds a role at a unit, over that unit alone or its subtree."""
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Reach(models.TextChoices):
    UNIT = "unit", _("Chỉ đơn vị này")
    SUBTREE = "subtree", _("Đơn vị này và các đơn vị trực thuộc")


class RoleGrant(models.Model):
    """What the regime's role `role` allows, for `account`, at `unit` (and below it if the
    reach is the subtree). Roles and what they allow are regime data (regime.yaml `roles:`)."""

    account = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants")
    role = models.CharField(_("Vai trò"), max_length=40)
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("Đơn vị"))
    reach = models.CharField(_("Phạm vi"), max_length=10, choices=Reach.choices, default=Reach.UNIT)
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "role"]
        constraints = [
            models.UniqueConstraint(fields=["account", "role", "unit"], name="rolegrant_unique"),
            models.CheckConstraint(condition=models.Q(reach__in=["unit", "subtree"]), name="rolegrant_reach_valid"),
        ]
        indexes = [models.Index(fields=["role", "unit"], name="rolegrant_role_unit")]

    def __str__(self):
        return f"{self.account_id}: {self.role} @ {self.unit_id} ({self.reach})"
