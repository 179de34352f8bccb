from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel đã điền (.xlsx)"))


class ReconcileForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel của báo cáo đã ký"))
