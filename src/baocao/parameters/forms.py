from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Parameters
from .services import default_password_problems, two_factor_role_choices


class ParametersForm(forms.ModelForm):
    two_factor_roles = forms.MultipleChoiceField(
        label=gettext_lazy("Bắt buộc xác thực hai bước với các vai trò"),
        help_text=gettext_lazy(
            "Tài khoản giữ vai trò được chọn phải đăng ký và nhập mã xác thực hai bước (ứng dụng xác thực trên điện thoại) "
            "mỗi lần đăng nhập. Tài khoản nhập liệu của đơn vị vẫn chỉ dùng mật khẩu."
        ),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accept_weak_default_password = forms.BooleanField(
        label=gettext_lazy("Tôi biết mật khẩu mặc định này không đạt chính sách mật khẩu và vẫn muốn dùng"),
        required=False,
    )

    class Meta:
        model = Parameters
        exclude = ["singleton"]
        widgets = {"default_password": forms.TextInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, effective, **kwargs):
        super().__init__(*args, **kwargs)
        self.weak_default_password = []
        self.fields["two_factor_roles"].choices = two_factor_role_choices()
        for name, field in self.fields.items():
            if hasattr(effective, name) and name != "two_factor_roles":
                field.widget.attrs["placeholder"] = str(getattr(effective, name))
        self.effective = effective

    def clean_two_factor_roles(self):
        return sorted(self.cleaned_data.get("two_factor_roles") or [])

    def clean(self):
        cleaned = super().clean()
        password = cleaned.get("default_password")
        if password:
            min_length = cleaned.get("password_min_length") or self.effective.password_min_length
            problems = default_password_problems(password, min_length)
            if problems and not cleaned.get("accept_weak_default_password"):
                self.add_error(
                    "default_password",
                    _("Mật khẩu mặc định không đạt chính sách mật khẩu: %(problems)s Đánh dấu ô xác nhận bên dưới nếu vẫn muốn dùng.")
                    % {"problems": " ".join(problems)},
                )
            self.weak_default_password = problems
        return cleaned
