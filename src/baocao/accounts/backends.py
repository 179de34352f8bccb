"""Authentication backend: case-insensitive usernames, no permission tables."""
from django.contrib.auth.backends import ModelBackend


class AccountBackend(ModelBackend):
    def user_can_authenticate(self, user):
        # Locked and revoked accounts are refused; services.attempt_login says nothing about why.
        return user.is_active and not user.is_locked()

    def get_all_permissions(self, user_obj, obj=None):
        return set()
