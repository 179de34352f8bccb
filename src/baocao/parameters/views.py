from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from baocao.access import permissions, policy

from . import services
from .forms import ParametersForm


@login_required
def edit_parameters(request):
    policy.require(request.user, permissions.PARAMETERS_EDIT)
    row = services.stored()
    form = ParametersForm(request.POST or None, instance=row, effective=services.current())
    if request.method == "POST" and form.is_valid():
        changes = {name: value for name, value in form.cleaned_data.items() if name != "accept_weak_default_password"}
        changed = services.update_parameters(request.user, changes, request=request)
        if form.weak_default_password:
            messages.warning(request, _("Lưu ý: mật khẩu mặc định không đạt chính sách mật khẩu."))
        messages.success(request, _("Đã lưu %(n)d thông số.") % {"n": len(changed)} if changed else _("Không có thông số nào thay đổi."))
        return redirect("parameters:edit")
    return render(request, "parameters/edit.html", {"active_menu": "parameters", "form": form})
