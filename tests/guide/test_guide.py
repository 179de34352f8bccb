"""The in-platform user guide: one per regime, reachable by anyone, the reader's sections first."""
import pytest

from baocao.guide import content


@pytest.mark.parametrize("regime", ["kiemke", "tuphap"])
def test_every_regime_has_a_guide_with_steps(regime):
    guide = content.load(regime)
    assert guide.sections and all(section.steps for section in guide.sections)
    # Every step names at least one screen text, so a reader knows what to click.
    assert all(step.quotes for step in guide.steps)


def test_the_guide_is_linked_from_the_login_page(client, db):
    page = client.get("/tai-khoan/dang-nhap/")
    assert "Hướng dẫn sử dụng" in page.content.decode()
    assert client.get("/huong-dan/").status_code == 200


def test_the_entry_account_sees_its_own_section_first(client, login, make_account):
    login(make_account("T02003002", "entry"))
    html = client.get("/huong-dan/").content.decode()
    assert "Dành cho bạn" in html
    assert html.index('id="don-vi-kiem-ke"') < html.index('id="quan-tri"')


def test_justice_roles_each_find_their_section(settings, client, login, make_account):
    settings.BAOCAO_REGIME = "tuphap"
    login(make_account("T02003", "reviewer"))
    html = client.get("/huong-dan/").content.decode()
    assert "Tài liệu hướng dẫn sử dụng Phần mềm thống kê ngành Tư pháp" in html
    assert html.index('id="kiem-tra"') < html.index('id="chuyen-vien"')
    assert "Đã kiểm tra" in html


def test_markdown_cannot_inject_html_or_foreign_images(tmp_path, monkeypatch):
    (tmp_path / "kiemke").mkdir()
    (tmp_path / "kiemke" / "dang-nhap.png").write_bytes(b"png")
    monkeypatch.setattr(content, "STATIC", tmp_path)
    html = content.render('<script>alert(1)</script> [x](javascript:alert(1)) ![a](https://evil.example/x.png) ![b](kiemke/dang-nhap.png)')
    assert "<script>" not in html and 'href="javascript' not in html and "evil.example" not in html
    assert "/static/guide/kiemke/dang-nhap.png" in html
    # A screenshot no browser test has taken yet is left out rather than shown broken.
    assert "<img" not in content.render("![c](kiemke/chua-chup.png)")
