"""The inventory guide (Hướng dẫn sử dụng, content/kiemke) walked in a real browser, one test
per section, as that section's user: every step with a screenshot is reached by the clicks the
guide describes, its **bold** screen texts are on the page, and the screenshot is taken
(into the guide's static folder with BAOCAO_GUIDE_SHOTS=1, see tests/guide/walk.py)."""
import random
from datetime import date

import pytest
from playwright.sync_api import expect

from baocao.accounts.models import Account
from baocao.accounts.services import create_missing_accounts
from baocao.formdefs.services import load_regime_forms
from baocao.reports import declarations, services, workflow
from baocao.reorg import operations, transfers
from baocao.reports.models import Report
from baocao.shell.demo import kiemke as demo
from baocao.units.models import Unit
from baocao.units.services import sync_unit_types
from baocao.units.tree import Decision
from tests.exchange.conftest import Filled
from tests.guide.walk import VIEWPORT, Walk
from tests.helpers import open_period

from .steps import log_in, ready

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERVICE_UNITS = ("T02003002", "T02003001")
STATE_UNITS = ("T02001", "T01017", "046001")
RETURNED = "Đề nghị kiểm tra lại nguyên giá xe ô tô 16 chỗ theo hồ sơ mua sắm."


@pytest.fixture
def inventory(tree, page):
    """The regime's forms, the inventory period open, every unit's account (kkts@123, to change)."""
    load_regime_forms("kiemke")
    sync_unit_types()
    for code in SERVICE_UNITS:
        tree[code].unit_types.add("don_vi_su_nghiep")
    for code in STATE_UNITS:
        tree[code].unit_types.add("co_quan_nha_nuoc")
    period = open_period("KIEMKE", 2026, code="KK2026")
    create_missing_accounts(None, Unit.objects.all())
    page.set_viewport_size(VIEWPORT)
    page.on("dialog", lambda dialog: dialog.accept())
    return period


def entered(period, unit, state="da_tiep_nhan"):
    """`unit` declares land, buildings and cars, enters the demo's plausible records, and its
    registers go as far as `state` (dang_nhap, da_gui, da_tiep_nhan)."""
    rng = random.Random(unit.code)
    actor = Account.objects.get(username=unit.code)
    parent = Account.objects.get(username=unit.parent.code)
    service_unit = unit.unit_types.filter(code="don_vi_su_nghiep").exists()
    content = {
        "KK-DAT": [demo._land(rng, unit, service_unit, "đường Nguyễn Trãi", "Hà Giang", "Phường Minh Khai")],
        "KK-NHA": [demo._building(rng, unit, service_unit, n) for n in (1, 2)],
        "KK-OTO": [demo._car(rng, unit, service_unit, 1)],
    }
    declarations.declare(actor, unit, period, list(content))
    for form_code, records in content.items():
        report = Report.objects.select_related("form", "unit", "period").get(unit=unit, period=period, form_code=form_code)
        services.replace_records(actor, report, records, expected_version=report.version)
        if state == "dang_nhap":
            continue
        report.refresh_from_db()
        workflow.transition(actor, report, "gui_bao_cao")
        if state == "da_tiep_nhan":
            workflow.transition(parent, report, "tiep_nhan")


def open_own(page, form_code):
    page.get_by_role("link", name="NHẬP DỮ LIỆU KIỂM KÊ", exact=True).click()
    page.locator("#own-reports tr", has_text=form_code).get_by_role("link", name="Mở").click()


def admin_page(page, label):
    page.get_by_role("link", name="QUẢN TRỊ HỆ THỐNG", exact=True).click()
    page.locator("main").get_by_role("link", name=label, exact=True).first.click()


def test_the_inventorying_unit_section(page, tree, inventory, tmp_path):
    walk = Walk("kiemke", "don-vi-kiem-ke", tmp_path)

    # Bước 1–2: the first login with kkts@123, then a password of its own.
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("T02003002")
    page.get_by_label("Mật khẩu").fill("kkts@123")
    walk.step(page, "kiemke/dang-nhap.png")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_test_id("forced-change")).to_be_visible()
    page.get_by_label("Mật khẩu hiện tại").fill("kkts@123")
    page.get_by_label("Mật khẩu mới", exact=True).fill("TranPhu2025x")
    page.get_by_label("Nhập lại mật khẩu mới").fill("TranPhu2025x")
    walk.step(page, "kiemke/doi-mat-khau.png")
    page.get_by_role("button", name="Lưu mật khẩu mới").click()
    expect(page.get_by_text("Đổi mật khẩu thành công.")).to_be_visible()

    # Bước 3: the registers to keep; Bước 4: declare the asset types held.
    page.get_by_role("link", name="NHẬP DỮ LIỆU KIỂM KÊ", exact=True).click()
    walk.step(page, "kiemke/nhap-du-lieu.png")
    page.get_by_test_id("declaration").get_by_role("link", name="Đăng ký đối tượng kiểm kê").click()
    page.get_by_label("Kê khai kiểm kê tài sản cố định khác").uncheck()
    walk.step(page, "kiemke/dang-ky-doi-tuong.png")
    page.get_by_role("button", name="Đăng ký").click()
    expect(page.get_by_text("Đã đăng ký đối tượng kiểm kê.")).to_be_visible()

    # Bước 5: the car register from Excel; a file with a mistake first, then the right one.
    open_own(page, "KK-OTO")
    page.get_by_role("link", name="Nhập từ Excel").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp mẫu Excel").click()
    template = tmp_path / "mau.xlsx"
    download.value.save_as(template)
    car = {"(1)": "OTO-01", "(2)": "Xe ô tô 7 chỗ phục vụ công tác chung", "(3)": "Toyota Innova", "(4)": "23A-012.34", "(5)": 7,
           "(6)": "Việt Nam", "(7)": 2019, "(8)": "15/03/2019", "(10)": "Xe ô tô phục vụ công tác chung", "(12)": "Mua sắm",
           "(13)": 850000000, "(14)": 850000000, "(15)": 0, "(16)": 340000000,
           "(17)": "Hoạt động sự nghiệp › Không kinh doanh", "(18)": "Đang sử dụng"}
    wrong = tmp_path / "xe-loi.xlsx"
    wrong.write_bytes(Filled(template.read_bytes()).record(0, {**car, "(14)": 800000000}).save())
    page.locator("#id_file").set_input_files(str(wrong))
    page.get_by_role("button", name="Nhập tệp").click()
    expect(page.get_by_test_id("import-problems")).to_be_visible()
    walk.step(page, "kiemke/nhap-excel.png")
    right = tmp_path / "xe.xlsx"
    right.write_bytes(Filled(template.read_bytes()).record(0, car).save())
    page.locator("#id_file").set_input_files(str(right))
    page.get_by_role("button", name="Nhập tệp").click()
    expect(page.get_by_text("Đã nhập 1 bản ghi từ tệp Excel", exact=False)).to_be_visible()

    # Bước 6: a second car on screen.
    page.get_by_role("link", name="Thêm bản ghi").click()
    for code, value in {"ma_tai_san": "OTO-02", "ten_tai_san": "Xe ô tô 16 chỗ", "nhan_hieu": "Ford Transit", "bien_kiem_soat": "23A-045.67",
                        "so_cho_tai_trong": "16", "nuoc_san_xuat": "Việt Nam", "nam_san_xuat": "2017", "ngay_su_dung": "01/06/2017",
                        "nguyen_gia": "1.200.000.000", "nguon_ns": "1.200.000.000", "nguon_khac": "0", "gia_tri_con_lai": "360.000.000"}.items():
        page.locator(f"#f-{code}").fill(value)
    for code, value in {"loai_xe": "cong_tac_chung", "nguon_goc": "mua_sam", "hien_trang": "hdsn_khong_kd",
                        "tinh_trang_kiem_ke": "dang_su_dung"}.items():
        page.locator(f"#f-{code}").select_option(value)
    walk.step(page, "kiemke/them-ban-ghi.png")
    page.get_by_role("button", name="Lưu bản ghi").click()
    expect(page.get_by_text("Đã lưu bản ghi.")).to_be_visible()

    # Bước 7: the register with its two cars, sent.
    expect(page.locator("#records")).to_contain_text("23A-045.67")
    walk.step(page, "kiemke/gui-bao-cao.png")
    page.get_by_role("button", name="Gửi báo cáo").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã gửi")

    # Bước 8: the education department returns it with a reason.
    report = Report.objects.get(unit=tree["T02003002"], period=inventory, form_code="KK-OTO")
    workflow.transition(Account.objects.get(username="T02003"), report, "tra_lai", reason=RETURNED)
    open_own(page, "KK-OTO")
    expect(page.get_by_test_id("pending-reason")).to_contain_text(RETURNED)
    walk.step(page, "kiemke/bi-tra-lai.png")
    walk.done()


def test_the_aggregating_unit_section(page, tree, inventory, tmp_path):
    walk = Walk("kiemke", "don-vi-tong-hop", tmp_path)
    ready("T02003")
    entered(inventory, tree["T02003001"])
    entered(inventory, tree["T02003002"], state="da_gui")

    log_in(page, "T02003")
    page.get_by_role("link", name="NHẬP DỮ LIỆU KIỂM KÊ", exact=True).click()
    walk.step(page, "kiemke/bao-cao-cho-xu-ly.png")
    page.locator("#todo tr", has_text="KK-OTO").get_by_role("link", name="Mở").click()
    walk.step(page, "kiemke/tiep-nhan.png")
    page.get_by_role("button", name="Tiếp nhận").click()
    expect(page.get_by_test_id("report-state")).to_have_text("Đã tiếp nhận")
    walk.step(page, "kiemke/chinh-ly.png")

    page.get_by_role("link", name="TỔNG HỢP BÁO CÁO", exact=True).click()
    page.get_by_label("Biểu mẫu").select_option("KK-TH")
    page.get_by_role("button", name="Xem tổng hợp").click()
    walk.step(page, "kiemke/tong-hop.png")
    walk.done()


def test_the_administrator_section(page, tree, inventory, tmp_path):
    walk = Walk("kiemke", "quan-tri", tmp_path)
    ready("T02")
    entered(inventory, tree["T02003001"])
    entered(inventory, tree["T02001"], state="da_gui")

    log_in(page, "T02")
    admin_page(page, "29. Quản lý người dùng")
    walk.step(page, "kiemke/quan-ly-nguoi-dung.png")
    page.locator("tr", has_text="T02003002 - Trường THPT Trần Phú").get_by_role("checkbox").check()
    walk.step(page, "kiemke/chon-reset.png")
    page.get_by_role("button", name="Reset mật khẩu").click()
    walk.step(page, "kiemke/reset-mat-khau.png")
    page.get_by_role("button", name="Đồng ý reset mật khẩu").click()
    expect(page.get_by_text("Reset mật khẩu thành công 1 tài khoản.")).to_be_visible()

    page.get_by_role("link", name="TỔNG HỢP BÁO CÁO", exact=True).click()
    page.locator("#rollup-tabs").get_by_role("link", name="Tình hình gửi báo cáo").click()
    walk.step(page, "kiemke/tinh-hinh-gui.png")

    # Case (a): the two schools merged into a new one before either entered anything.
    admin_page(page, "Sắp xếp đơn vị")
    walk.step(page, "kiemke/sap-xep-don-vi.png")
    page.get_by_role("link", name="Hợp nhất, sáp nhập đơn vị").click()
    page.get_by_label("Mã các đơn vị được hợp nhất, sáp nhập (cách nhau bằng dấu phẩy)").fill("T02003001, T02003002")
    page.get_by_label("Hợp nhất thành đơn vị mới").check()
    page.get_by_label("Mã đơn vị mới", exact=True).fill("T02003009")
    page.get_by_label("Tên đơn vị mới", exact=True).fill("Trường THPT Trần Phú - Chuyên Hà Giang")
    page.get_by_label("Mã đơn vị cấp trên của đơn vị mới").fill("T02003")
    page.get_by_label("Số quyết định").fill("567/QĐ-UBND")
    page.get_by_label("Ngày quyết định (dd/mm/yyyy)").fill("01/07/2026")
    page.get_by_label("Cơ quan ban hành").fill("Ủy ban nhân dân tỉnh Hà Giang")
    page.get_by_role("button", name="Xem trước").click()
    expect(page.get_by_test_id("preview")).to_contain_text("T02003009 - Trường THPT Trần Phú - Chuyên Hà Giang")
    walk.step(page, "kiemke/xem-truoc-sap-xep.png", full_page=True)
    page.get_by_role("button", name="Thực hiện", exact=True).click()
    expect(page.get_by_role("alert").first).to_contain_text("Đã thực hiện: Hợp nhất, sáp nhập đơn vị")

    # Case (b): what T02003001 had entered goes to the new school.
    page.get_by_role("link", name="Lập đề nghị chuyển dữ liệu").click()
    page.get_by_label("Ghi chú").fill("Trường THPT Chuyên đã nhập kết quả kiểm kê trước khi hợp nhất")
    walk.step(page, "kiemke/chuyen-du-lieu.png")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Chờ xử lý")
    walk.done()


def test_the_central_administrator_section(page, tree, inventory, tmp_path):
    walk = Walk("kiemke", "quan-tri-trung-uong", tmp_path)
    ready("BTC")
    entered(inventory, tree["T02003001"])
    entered(inventory, tree["T02003002"])
    entered(inventory, tree["T01017"])
    entered(inventory, tree["046001"], state="da_gui")
    # The province merged the two schools after both had entered, and asked for the transfer.
    decision = Decision(number="567/QĐ-UBND", date=date(2026, 7, 1), issuer="Ủy ban nhân dân tỉnh Hà Giang")
    school, _outcome = operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]], decision=decision,
                                      new={"code": "T02003009", "name": "Trường THPT Trần Phú - Chuyên Hà Giang", "parent": tree["T02003"]})
    transfers.file_request(Account.objects.get(username="T02"), sources=[tree["T02003001"], tree["T02003002"]], targets=[school],
                           periods=[inventory], decision=decision, note="Hai trường đã nhập kết quả kiểm kê trước khi hợp nhất")

    log_in(page, "BTC")
    admin_page(page, "Kỳ báo cáo")
    page.locator("tr", has_text=inventory.name).get_by_role("link", name="Chi tiết").click()
    walk.step(page, "kiemke/ky-bao-cao.png")

    page.get_by_role("link", name="TỔNG HỢP BÁO CÁO", exact=True).click()
    page.get_by_label("Biểu mẫu").select_option("KK-TH")
    page.get_by_role("button", name="Xem tổng hợp").click()
    walk.step(page, "kiemke/tong-hop-toan-quoc.png")

    admin_page(page, "Đề nghị chuyển dữ liệu")
    page.locator("#transfers tbody tr", has_text="T02003009").get_by_role("link", name="Xem").click()
    expect(page.locator("#plan")).to_contain_text("T02003001 - Trường THPT Chuyên")
    walk.step(page, "kiemke/thuc-hien-chuyen.png", full_page=True)
    page.get_by_role("button", name="Thực hiện chuyển dữ liệu").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("Đã thực hiện")
    walk.done()

    # The guide shows the committed screenshots (those present: the renderer leaves out the others).
    page.goto("/huong-dan/")
    shots = page.locator("img.bc-guide-shot")
    for index in range(shots.count()):
        shots.nth(index).scroll_into_view_if_needed()
        expect(shots.nth(index)).to_have_js_property("naturalWidth", 1200)
