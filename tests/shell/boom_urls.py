"""URLs for the 500-page test: the platform's, with the home page raising."""
from django.urls import path

from baocao.urls import *  # noqa: F401,F403
from baocao.urls import urlpatterns as platform


def boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("", boom)] + platform
