"""Phản ánh lỗi: any user reports a problem, the central administrator answers, the
reporter reads the answer; screenshots bounded and checked; others' reports stay private."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from baocao.audit.models import AuditEvent
from baocao.support.models import Problem

LIST = reverse("support:list")


@pytest.fixture(autouse=True)
def tuphap(settings):
    settings.BAOCAO_REGIME = "tuphap"


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(out, format="PNG")
    return out.getvalue()


def test_report_answer_and_read_back(make_account, login, client):
    user = make_account("T02003002", "entry", username="T02003002_bc")
    central = make_account("BTC", "central_admin", username="btc_qt")
    login(user)
    page = client.get(LIST + "?trang=/nhap-du-lieu/").content.decode()
    assert 'for="description"' in page and 'for="screenshot"' in page and 'value="/nhap-du-lieu/"' in page
    # The letter's support contacts, from the parameters.
    assert "Phòng Thống kê, Cục Kế hoạch - Tài chính" in page and "Cục Công nghệ thông tin" in page and "1900.8888.24" in page
    shot = SimpleUploadedFile("man-hinh.png", png_bytes(), content_type="image/png")
    response = client.post(reverse("support:report"), {"description": "Không lưu được biểu 17d", "page": "/nhap-du-lieu/", "screenshot": shot}, follow=True)
    assert "Đã gửi phản ánh" in response.content.decode()
    problem = Problem.objects.get()
    assert (problem.status, problem.unit.code, problem.screenshot_type) == ("new", "T02003002", "image/png")
    image = client.get(reverse("support:screenshot", args=[problem.pk]))
    assert image["Content-Type"] == "image/png" and image["X-Content-Type-Options"] == "nosniff"
    assert image.content == png_bytes()

    login(central)
    queue = client.get(LIST).content.decode()
    assert "Không lưu được biểu 17d" in queue and "T02003002_bc" in queue and "Mới" in queue
    refused = client.post(reverse("support:answer", args=[problem.pk]), {"status": "done", "answer": ""}, follow=True)
    assert "Cần trả lời người phản ánh" in refused.content.decode()
    client.post(reverse("support:answer", args=[problem.pk]), {"status": "in_progress", "answer": "Đang kiểm tra"})
    client.post(reverse("support:answer", args=[problem.pk]), {"status": "done", "answer": "Đã sửa, vui lòng tải lại trang"})
    problem.refresh_from_db()
    assert problem.status == "done" and problem.answered_by == central
    assert "Đã xử lý" in client.get(LIST + "?status=done").content.decode()
    assert "Không lưu được" not in client.get(LIST + "?status=new").content.decode()

    login(user)
    mine = client.get(LIST).content.decode()
    assert "Đã sửa, vui lòng tải lại trang" in mine and "Đã xử lý" in mine
    actions = list(AuditEvent.objects.filter(action__startswith="support.").values_list("action", flat=True))
    assert actions.count("support.reported") == 1 and actions.count("support.answered") == 2


def test_bad_input_is_explained(make_account, login, client):
    login(make_account("T02003002", "entry"))
    text = client.post(reverse("support:report"), {"description": "  "}, follow=True).content.decode()
    assert "Cần mô tả lỗi gặp phải." in text
    fake = SimpleUploadedFile("anh.png", b"<script>alert(1)</script>", content_type="image/png")
    text = client.post(reverse("support:report"), {"description": "Lỗi", "screenshot": fake}, follow=True).content.decode()
    assert "phải là tệp PNG hoặc JPEG" in text
    big = SimpleUploadedFile("anh.png", b"\x89PNG\r\n\x1a\n" + b"0" * (2 * 1024 * 1024), content_type="image/png")
    text = client.post(reverse("support:report"), {"description": "Lỗi", "screenshot": big}, follow=True).content.decode()
    assert "lớn quá 2 MB" in text
    assert not Problem.objects.exists()
    # Only local addresses are prefilled as the page.
    assert 'id="page" name="page" maxlength="500" value=""' in client.get(LIST + "?trang=https://evil.example/").content.decode()


def test_others_cannot_read_or_answer(make_account, login, client):
    reporter = make_account("T02003002", "entry", username="T02003002_bc")
    login(reporter)
    client.post(reverse("support:report"), {"description": "Lỗi riêng của trường Trần Phú",
                                             "screenshot": SimpleUploadedFile("a.png", png_bytes())})
    problem = Problem.objects.get()
    other = make_account("T01017", "entry", username="T01017_bc")
    login(other)
    assert "Lỗi riêng của trường Trần Phú" not in client.get(LIST).content.decode()
    assert client.get(reverse("support:screenshot", args=[problem.pk])).status_code == 404
    assert client.post(reverse("support:answer", args=[problem.pk]), {"status": "done", "answer": "x"}).status_code == 404
    # A province administrator (no system parameters) does not handle the queue either.
    login(make_account("T02", "admin", username="T02_qt"))
    assert client.post(reverse("support:answer", args=[problem.pk]), {"status": "done", "answer": "x"}).status_code == 404
    problem.refresh_from_db()
    assert problem.status == "new" and problem.answer == ""
    assert client.post(reverse("support:report"), {"description": "x"}, HTTP_X_CSRFTOKEN="bad").status_code in (302, 403)
