from django.urls import include, path
from django.views.i18n import set_language

urlpatterns = [
    path("", include("baocao.shell.urls")),
    path("nhap-du-lieu/", include("baocao.reports.urls")),
    path("ky-bao-cao/", include("baocao.reports.period_urls")),
    path("trao-doi/", include("baocao.exchange.urls")),
    path("tong-hop-bao-cao/", include("baocao.rollup.urls")),
    path("tai-khoan/", include("baocao.accounts.urls")),
    path("xac-thuc-hai-buoc/", include("baocao.mfa.urls")),
    path("don-vi/", include("baocao.units.urls")),
    path("nhat-ky/", include("baocao.audit.urls")),
    path("thiet-lap-thong-so/", include("baocao.parameters.urls")),
    path("cong-viec/", include("baocao.jobs.urls")),
    path("sap-xep-don-vi/", include("baocao.reorg.urls")),
    path("phan-anh-loi/", include("baocao.support.urls")),
    path("huong-dan/", include("baocao.guide.urls")),
    path("ngon-ngu/", set_language, name="set_language"),
]

handler400 = "baocao.shell.errors.bad_request"
handler403 = "baocao.shell.errors.forbidden"
handler404 = "baocao.shell.errors.not_found"
handler500 = "baocao.shell.errors.server_error"
