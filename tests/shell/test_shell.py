import subprocess
import sys

import pytest
from django.urls import reverse

MENUS = ["TRANG CHỦ", "NHẬP DỮ LIỆU KIỂM KÊ", "TỔNG HỢP BÁO CÁO", "QUẢN TRỊ HỆ THỐNG", "THIẾT LẬP THÔNG SỐ"]


@pytest.mark.parametrize(
    "unit, roles, visible",
    [
        ("T02003002", ("entry",), {"TRANG CHỦ", "NHẬP DỮ LIỆU KIỂM KÊ", "TỔNG HỢP BÁO CÁO"}),
        ("T02", ("admin", "receiver"), {"TRANG CHỦ", "NHẬP DỮ LIỆU KIỂM KÊ", "TỔNG HỢP BÁO CÁO", "QUẢN TRỊ HỆ THỐNG"}),
        ("BTC", ("central_admin",), set(MENUS)),
    ],
)
def test_menus_by_role(make_account, login, unit, roles, visible):
    client = login(make_account(unit, *roles))
    text = client.get(reverse("shell:home")).content.decode()
    for menu in MENUS:
        assert (f">{menu}<" in text) == (menu in visible), menu


def test_header_shows_the_account_and_its_unit(make_account, login):
    account = make_account("T02003002", "entry", username="T02003002", display_name="Trường THPT Trần Phú")
    text = login(account).get(reverse("shell:home")).content.decode()
    assert "T02003002 - Trường THPT Trần Phú" in text
    assert '<html lang="vi">' in text
    # Named after its unit, the account's name is not said twice.
    header = text.split('data-testid="account-username"')[1].split('data-testid="account-unit"')[0]
    assert "Trường THPT Trần Phú" not in header
    named = make_account("T02003002", "entry", username="T02003002_bc", display_name="Trường THPT Trần Phú - Chuyên viên")
    assert "T02003002_bc</span> · Trường THPT Trần Phú - Chuyên viên" in login(named).get(reverse("shell:home")).content.decode()


def test_admin_menu_lists_user_management_as_in_the_official_software(make_account, login):
    text = login(make_account("T02", "admin")).get(reverse("shell:admin")).content.decode()
    assert "29. Quản lý người dùng" in text and "Nhật ký hệ thống" in text


def test_home_counts_the_admin_scope(make_account, login):
    admin = make_account("T02", "admin")
    make_account("T02003002", "entry", must_change_password=True)
    make_account("T01017", "entry", must_change_password=True)
    response = login(admin).get(reverse("shell:home"))
    counts = {key: c["n"] for key, c in response.context["scope_counts"].items()}
    assert counts == {"units": 5, "accounts": 2, "must_change": 1, "locked": 0}


def test_home_counts_stop_at_the_cap(make_account, login, monkeypatch):
    from baocao.paging import COUNT_CAP  # noqa: F401  (the cap is a parameter of capped_count)
    from baocao.shell import views

    monkeypatch.setattr(views, "capped_count", lambda qs: __import__("baocao.paging", fromlist=["x"]).capped_count(qs, cap=2))
    admin = make_account("T02", "admin")
    text = login(admin).get(reverse("shell:home")).content.decode()
    assert "Hơn 2" in text  # 5 units in scope: "more than 2"


def test_english_is_the_second_language(make_account, client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    text = client.get(reverse("accounts:login")).content.decode()
    assert "Log in" in text and "Username" in text
    client.post(reverse("set_language"), {"language": "vi", "next": "/"})
    assert "Đăng nhập" in client.get(reverse("accounts:login")).content.decode()


def test_dates_are_dd_mm_yyyy():
    import datetime

    from django.utils import formats, translation

    for language in ("vi", "en"):
        with translation.override(language):
            assert formats.date_format(datetime.date(2025, 1, 31), "SHORT_DATE_FORMAT") == "31/01/2025"


@pytest.mark.parametrize(
    "env, message",
    [
        ({"BAOCAO_MODE": "production", "DEBUG": "1", "SECRET_KEY": "x" * 40}, "DEBUG on"),
        ({"BAOCAO_MODE": "production", "DEBUG": "0", "SECRET_KEY": ""}, "needs SECRET_KEY"),
    ],
)
def test_production_mode_refuses_unsafe_settings(env, message):
    import os

    result = subprocess.run(
        [sys.executable, "-c", "import django; from django.conf import settings; settings.DEBUG"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "baocao.settings", **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and message in result.stderr


def test_production_mode_starts_with_safe_settings():
    import os

    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.DEBUG, settings.SESSION_COOKIE_SECURE)"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "baocao.settings", "BAOCAO_MODE": "production", "DEBUG": "", "SECRET_KEY": "k" * 50},
        capture_output=True,
        text=True,
    )
    assert result.stdout.strip() == "False True", result.stderr


def test_an_english_browser_still_gets_vietnamese(client, db):
    text = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Đăng nhập" in text and "Log in" not in text


def test_pages_allow_scripts_from_this_site_only(client, db):
    from pathlib import Path

    import baocao

    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    # So no template may carry inline script: behaviour lives in static files.
    templates = Path(baocao.__file__).parent / "templates"
    for template in templates.rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for forbidden in ("<script>", "onclick=", "onchange=", "onsubmit=", "javascript:"):
            assert forbidden not in text, (template.name, forbidden)
