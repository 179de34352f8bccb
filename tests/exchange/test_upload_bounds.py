"""Issue 22, items 1, 3 and 4: every upload form bounds the work a file causes before any
parsing — shared strings found by content type and relationships whatever the part is called,
the real expanded size of every part whatever its zip headers say, rows and cells — refuses
NaN and infinities, and sends a file with more work than a request may do to the task worker
(Nhập từ Excel, Đối chiếu, Nhập danh mục đơn vị, Danh sách sắp xếp từ Excel)."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from baocao.exchange.workbook import template_workbook
from baocao.jobs import services as jobs
from baocao.jobs.models import Job
from baocao.jobs.uploads import UploadRefused, inspect_xlsx, runs_in_background
from baocao.reports.services import grid_values
from bench import hostile

from .conftest import Filled

A12 = "12a/BTP/BTTP/CC"
ROW = "Tổ chức hành nghề công chứng"
CELL = ("to_chuc", "cong_chung_vien")
SENTINEL = 987654


def _inspect(content, **bounds):
    return inspect_xlsx(io.BytesIO(content), len(content), **bounds)


def _refusal(content, **bounds):
    with pytest.raises(UploadRefused) as refused:
        _inspect(content, **bounds)
    return refused.value.message


def _small_book():
    book = Workbook()
    book.active.append(["Mã", "Tên"])
    book.active.append(["A1", "Một"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the inspection itself ----------------------------------------------------------------------


def test_shared_strings_are_found_by_content_type_whatever_the_part_is_called(settings):
    renamed = hostile.renamed_strings(_small_book(), 5_000)
    names = set(hostile.parts(renamed))
    assert "xl/s.xml" in names and not any(n.lower().endswith("sharedstrings.xml") for n in names)
    assert load_workbook(io.BytesIO(renamed), read_only=True).worksheets[0]["B2"].value == "Một"  # openpyxl reads it as the strings
    inspection = _inspect(renamed)
    assert inspection.strings >= 5_000 and [p.kind for p in inspection.parts if p.name == "xl/s.xml"] == ["strings"]
    settings.BAOCAO_UPLOAD_MAX_SHARED_STRINGS = 1_000
    assert "Tệp có hơn 1.000 chuỗi văn bản (ô chữ), vượt giới hạn" in _refusal(renamed)
    # A form's own bound is lower still.
    settings.BAOCAO_UPLOAD_MAX_SHARED_STRINGS = 500_000
    assert "hơn 2.000 chuỗi" in _refusal(renamed, max_strings=2_000)


def test_30_mb_of_tiny_strings_in_an_80_kb_file_are_refused_before_openpyxl_sees_them():
    content = hostile.tiny_strings(_small_book(), 30)
    assert len(content) < 120_000
    assert "chuỗi văn bản (ô chữ), vượt giới hạn" in _refusal(content)


def test_the_shared_strings_bytes_count_whatever_the_name(settings):
    settings.BAOCAO_UPLOAD_MAX_SHARED_STRINGS_MB = 1
    message = _refusal(hostile.renamed_strings(_small_book(), 2 * 1024 * 1024 // len(hostile.TINY)))
    assert "Phần chữ của tệp khi giải nén lớn 2 MB, vượt giới hạn 1 MB" in message


def test_a_part_whose_zip_headers_understate_its_size_is_refused():
    content = hostile.lying_sizes(_small_book(), 50)
    assert len(content) < 200_000
    message = _refusal(content)
    assert "xl/media/pad.xml" in message and "không đúng kích thước" in message


def test_rows_and_cells_are_counted_not_only_declared(settings):
    content = hostile.many_rows(_small_book(), 3_000, columns=4)  # no <dimension>: nothing declared
    inspection = _inspect(content)
    assert inspection.rows == 3_002 and inspection.cells == 12_004 and inspection.complete
    assert "Trang tính có hơn 2000 dòng, vượt giới hạn" in _refusal(content, max_rows=2_000)
    settings.BAOCAO_UPLOAD_MAX_CELLS = 10_000
    assert "Trang tính có hơn 10000 ô, vượt giới hạn" in _refusal(content)


def test_the_background_decision_follows_the_work_not_the_bytes(settings):
    settings.BAOCAO_BACKGROUND_WORK = 10_000
    small_bytes_much_work = hostile.many_rows(_small_book(), 3_000, columns=4)
    assert runs_in_background(_inspect(small_bytes_much_work))
    items = hostile.parts(_small_book())
    items["xl/media/image1.png"] = bytes(range(256)) * 4_000  # a 1 MB picture: bytes, no work
    assert not runs_in_background(_inspect(hostile.build(items)))
    # Empty cells formatted in advance (the reorganisation list's template: 200 rows as text) are no work either.
    book = Workbook()
    for row in range(2, 4_002):
        for column in range(1, 4):
            book.active.cell(row, column).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    inspection = _inspect(out.getvalue())
    assert inspection.cells >= 12_000 and inspection.work < 10 and not runs_in_background(inspection)


def test_a_file_too_large_to_inspect_in_a_request_is_left_to_the_worker(settings):
    settings.BAOCAO_UPLOAD_REQUEST_SCAN_MB = 1
    content = hostile.many_rows(_small_book(), 20_000, columns=8)
    inspection = inspect_xlsx(io.BytesIO(content), len(content), scan_mb=1)
    assert not inspection.complete and inspection.work is None and runs_in_background(inspection)


# --- Nhập từ Excel and Đối chiếu ------------------------------------------------------------------


def _upload(client, name, report, content):
    return client.post(reverse(name, args=[report.pk]), {"file": SimpleUploadedFile("bc.xlsx", content)})


@pytest.mark.parametrize("view", ["exchange:upload", "exchange:reconcile"])
def test_hostile_files_are_refused_in_the_request_with_a_vietnamese_message(open_report_for, make_account, login, view):
    report = open_report_for("tuphap", A12, "T02003002")
    client = login(make_account("T02003002", "entry"))
    template = template_workbook(report)
    for content, expected in (
        (hostile.renamed_strings(template, 60_000), "chuỗi văn bản (ô chữ), vượt giới hạn"),
        (hostile.tiny_strings(template, 30), "chuỗi văn bản (ô chữ), vượt giới hạn"),
        (hostile.tiny_strings(template, 120), "vượt giới hạn 32 MB"),
        (hostile.lying_sizes(template, 50), "không đúng kích thước"),
        (hostile.many_rows(template, 100_000), "Trang tính có hơn 20000 dòng, vượt giới hạn"),
    ):
        response = _upload(client, view, report, content)
        assert response.status_code == 400 and expected in response.content.decode(), expected
    assert not Job.objects.exists()


@pytest.mark.parametrize("text", [b"1e400", b"-1e400", b"NaN", b"Infinity"])
def test_nan_and_infinities_are_refused_on_import_and_reconcile(open_report_for, make_account, login, text):
    report = open_report_for("tuphap", A12, "T02003002")
    client = login(make_account("T02003002", "entry"))
    content = hostile.numbers(Filled(template_workbook(report)).set(ROW, "(1)", SENTINEL).save(), SENTINEL, text)
    for view in ("exchange:upload", "exchange:reconcile"):
        page = _upload(client, view, report, content).content.decode()
        assert "Phải là một số (không nhận NaN, Infinity hay số vô hạn)." in page or "Tệp Excel bị hỏng" in page, (view, page[page.find("<main"):][:3000])
        assert "In.fin.ity" not in page
    assert CELL not in grid_values(report)


@pytest.mark.parametrize("typed, message", [
    ("NaN", "không nhận NaN"), ("Infinity", "không nhận NaN"), ("-inf", "không nhận NaN"), ("1e400", "Số quá lớn"),
])
def test_nan_and_infinities_typed_as_text_are_refused(open_report_for, make_account, login, typed, message):
    report = open_report_for("tuphap", A12, "T02003002")
    client = login(make_account("T02003002", "entry"))
    content = Filled(template_workbook(report)).set(ROW, "(1)", typed).save()
    assert message in _upload(client, "exchange:upload", report, content).content.decode()
    assert CELL not in grid_values(report)


def test_a_large_reconciliation_runs_in_the_worker_and_lists_the_differences(open_report_for, make_account, login, settings):
    settings.BAOCAO_BACKGROUND_WORK = 1
    report = open_report_for("tuphap", A12, "T02003002")
    me = make_account("T02003002", "entry")
    client = login(me)
    response = _upload(client, "exchange:reconcile", report, Filled(template_workbook(report)).set(ROW, "(1)", 5).save())
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and "Có 1 ô khác nhau" in job.result["message"]
    assert ROW in job.result["problems"][0] and "trong tệp “5”" in job.result["problems"][0]
    assert CELL not in grid_values(report)  # nothing saved
    assert login(make_account("T02003001", "entry")).get(response.url).status_code == 404


def test_a_hostile_file_sent_to_the_worker_is_refused_there_before_openpyxl(open_report_for, make_account, login, settings):
    settings.BAOCAO_UPLOAD_REQUEST_SCAN_MB = 1  # the request inflates nothing beyond 1 MB …
    report = open_report_for("kiemke", "KK-OTO", "T02003002")
    client = login(make_account("T02003002", "entry"))
    response = _upload(client, "exchange:upload", report, hostile.renamed_strings(template_workbook(report), 400_000))
    job = Job.objects.get()  # … so the file went to the worker, which inspects it in full
    assert response.url == reverse("jobs:detail", args=[job.pk])
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.REFUSED and "hơn 300.000 chuỗi văn bản" in " ".join(job.result["problems"])


# --- Nhập danh mục đơn vị ----------------------------------------------------------------------------


def _catalogue(rows):
    book = Workbook()
    book.active.append(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên", "Loại đơn vị"])
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_catalogue_goes_to_the_worker_by_its_rows_not_its_bytes(tree, make_account, login):
    client = login(make_account("BTC", "central_admin"))
    rows = [[f"T02003{n:03d}", f"Trường số {n}", "T02003", "reporting"] for n in range(100, 700)]
    content = _catalogue(rows)
    assert len(content) < 40_000  # 600 units in a few KB: too much work for a request all the same
    response = client.post(reverse("units:import"), {"file": SimpleUploadedFile("dm.xlsx", content)})
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[Job.objects.get().pk])
    hostile_rows = hostile.many_rows(_catalogue([]), 100_000, columns=4)
    response = client.post(reverse("units:import"), {"file": SimpleUploadedFile("dm2.xlsx", hostile_rows)})
    assert Job.objects.count() == 2  # 100,000 rows: within the catalogue's bound, read by the worker
    for content, expected in ((hostile.tiny_strings(_catalogue([]), 30), "chuỗi văn bản"),
                              (hostile.lying_sizes(_catalogue([]), 50), "không đúng kích thước")):
        response = client.post(reverse("units:import"), {"file": SimpleUploadedFile("x.xlsx", content)})
        assert response.status_code == 200 and expected in response.content.decode()
    assert Job.objects.count() == 2


# --- Danh sách sắp xếp từ Excel -----------------------------------------------------------------------


def _list(rows):
    from baocao.reorg import operations

    book = Workbook()
    book.active.append([h for _k, h in operations.COLUMNS])
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_long_reorganisation_list_is_read_by_the_worker_then_previewed(tuphap, tree, make_account, settings):
    province = make_account("T02", "admin", username="T02_qt")
    client = Client()
    client.force_login(province, backend="baocao.accounts.backends.AccountBackend")
    row = ("Chuyển", "T02001", "", "", "T02003", "12/QĐ-UBND", "30/06/2025", "UBND tỉnh Hà Giang")
    settings.BAOCAO_BACKGROUND_WORK = 1
    response = client.post(reverse("reorg:list"), {"file": SimpleUploadedFile("ds.xlsx", _list([row])), "action": "preview"})
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("jobs:detail", args=[job.pk])
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and "Đã đọc 1 dòng" in job.result["message"]
    preview = client.get(job.result["link"])
    assert preview.status_code == 200 and preview.context["rows"][0]["row"]["old_codes"] == "T02001" and preview.context["payload"]
    other = Client()
    other.force_login(make_account("BTC", "central_admin", username="BTC_qt"), backend="baocao.accounts.backends.AccountBackend")
    assert other.get(job.result["link"]).status_code == 404  # the rows are the starter's only
    # Hostile lists are refused in the request.
    for content, expected in ((hostile.many_rows(_list([row]), 5_000), "Trang tính có hơn 3001 dòng"),
                              (hostile.renamed_strings(_list([row]), 30_000), "hơn 20.000 chuỗi")):
        response = client.post(reverse("reorg:list"), {"file": SimpleUploadedFile("x.xlsx", content), "action": "preview"})
        assert response.status_code == 400 and expected in response.content.decode(), expected
    assert Job.objects.count() == 1
