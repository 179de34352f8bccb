from django import forms
from django.utils.translation import gettext_lazy as _


class ListUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel danh sách sắp xếp (.xlsx)"))
