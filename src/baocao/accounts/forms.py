from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class LoginForm(forms.Form):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}))
    password = forms.CharField(label=_("Mật khẩu"), max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label=_("Mật khẩu hiện tại"), max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}))
    new_password1 = forms.CharField(label=_("Mật khẩu mới"), max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    new_password2 = forms.CharField(label=_("Nhập lại mật khẩu mới"), max_length=256, strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, account, *args, **kwargs):
        self.account = account
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = password_validation.password_validators_help_text_html()

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        if not self.account.check_password(old):
            raise ValidationError(_("Mật khẩu hiện tại không đúng."), code="wrong_password")
        return old

    def clean(self):
        cleaned = super().clean()
        new1, new2 = cleaned.get("new_password1"), cleaned.get("new_password2")
        if new1 and new2 and new1 != new2:
            self.add_error("new_password2", _("Hai lần nhập mật khẩu mới không khớp."))
        elif new1:
            try:
                password_validation.validate_password(new1, self.account)
            except ValidationError as error:
                self.add_error("new_password1", error)
        return cleaned


class AccountEditForm(forms.Form):
    display_name = forms.CharField(label=_("Tên hiển thị"), max_length=300)
    roles = forms.MultipleChoiceField(label=_("Vai trò"), widget=forms.CheckboxSelectMultiple, required=False)

    def __init__(self, *args, account, regime, **kwargs):
        kwargs.setdefault("initial", {"display_name": account.display_name, "roles": list(account.roles)})
        super().__init__(*args, **kwargs)
        # Every role of the regime; granting one beyond the actor's own rights is refused
        # by accounts.administration.update_account, with the reason.
        self.fields["roles"].choices = list(regime.role_labels.items())

    def clean_roles(self):
        roles = self.cleaned_data["roles"]
        if not roles:
            raise ValidationError(_("Tài khoản phải có ít nhất một vai trò."))
        return roles


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Lý do thu hồi"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))
    reference = forms.CharField(label=_("Số, ngày văn bản đề nghị"), max_length=200, required=False)
