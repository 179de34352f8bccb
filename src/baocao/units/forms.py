from django import forms
from django.utils.translation import gettext_lazy as _


class CatalogueUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel danh mục đơn vị (.xlsx)"))
