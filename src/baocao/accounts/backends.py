"""Authentication backend: case-insensitive usernames; the account's unit and role grants
are read with it, once per request, for the access policy."""
from django.contrib.auth.backends import ModelBackend
from django.db.models import Prefetch

from baocao.access.models import RoleGrant

from .models import Account


class AccountBackend(ModelBackend):
    def user_can_authenticate(self, user):
        # Locked and revoked accounts are refused; services.attempt_login says nothing about why.
        return user.is_active and not user.is_locked()

    def get_user(self, user_id):
        account = (
            Account.objects.select_related("unit")
            .prefetch_related(Prefetch("grants", queryset=RoleGrant.objects.select_related("unit")))
            .filter(pk=user_id)
            .first()
        )
        return account if account is not None and self.user_can_authenticate(account) else None

    def get_all_permissions(self, user_obj, obj=None):
        return set()
