"""Password policy, with Vietnamese messages. Each validator states one reason, so a rejected
password shows every reason at once."""
import gzip
from pathlib import Path

import django.contrib.auth.password_validation as django_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from baocao import parameters


class MinimumLengthValidator:
    def __init__(self, min_length=None):
        self._min_length = min_length

    @property
    def min_length(self):
        return self._min_length or parameters.current().password_min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(_("Mật khẩu phải có ít nhất %(n)d ký tự.") % {"n": self.min_length}, code="too_short")

    def get_help_text(self):
        return _("Ít nhất %(n)d ký tự.") % {"n": self.min_length}


class LettersAndDigitsValidator:
    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(_("Mật khẩu phải có cả chữ cái và chữ số."), code="letters_and_digits")

    def get_help_text(self):
        return _("Có cả chữ cái và chữ số.")


class NotDefaultPasswordValidator:
    # A candidate default password is not checked against itself (parameters.services).
    about_default_password = True

    def validate(self, password, user=None):
        if password == parameters.current().default_password:
            raise ValidationError(_("Mật khẩu mới không được trùng mật khẩu mặc định."), code="default_password")

    def get_help_text(self):
        return _("Khác mật khẩu mặc định.")


class NotUsernameValidator:
    def validate(self, password, user=None):
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError(_("Mật khẩu không được chứa tên đăng nhập."), code="contains_username")

    def get_help_text(self):
        return _("Không chứa tên đăng nhập.")


class NotCommonValidator:
    """Django's list of 20,000 common passwords."""

    def __init__(self):
        path = Path(django_validation.__file__).parent / "common-passwords.txt.gz"
        with gzip.open(path, "rt", encoding="utf-8") as f:
            self.passwords = {line.strip() for line in f}

    def validate(self, password, user=None):
        if password.lower().strip() in self.passwords:
            raise ValidationError(_("Mật khẩu quá phổ biến, dễ bị đoán."), code="too_common")

    def get_help_text(self):
        return _("Không phải mật khẩu phổ biến.")
