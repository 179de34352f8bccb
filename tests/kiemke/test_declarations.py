"""Đăng ký đối tượng kiểm kê: a unit owes exactly the registers of the asset types it declares."""
import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.urls import reverse

from baocao.audit.models import AuditEvent
from baocao.reports import declarations, services
from baocao.reports.models import Report, RollupProgress
from tests.helpers import owed_report

from .test_registers import CAR


def owed(unit, period):
    return set(Report.objects.filter(unit=unit, period=period, exempt=False).values_list("form_code", flat=True))


def counted(unit, period, form_code):
    return RollupProgress.objects.filter(unit=unit, period=period, form_code=form_code).aggregate(n=Sum("count"))["n"] or 0


@pytest.fixture
def school(kiemke, tree, make_account, login):
    account = make_account("T02003002", "entry", username="T02003002")
    return login(account), account


def test_a_unit_that_declares_no_cars_owes_no_car_register(kiemke, tree, school):
    client, account = school
    unit = tree["T02003002"]
    assert owed(unit, kiemke) == {"KK-DAT", "KK-NHA", "KK-OTO", "KK-TSCD-KHAC"}
    assert counted(tree["T02"], kiemke, "KK-OTO") == 1  # the school, the only inventorying unit of T02 here
    home = client.get(reverse("reports:entry"), {"ky": kiemke.pk}).content.decode()
    assert "Bước 1: Đăng ký đối tượng kiểm kê." in home
    page = client.get(reverse("reports:declare", args=[kiemke.pk])).content.decode()
    assert "Kê khai kiểm kê xe ô tô" in page and 'name="held"' in page
    response = client.post(reverse("reports:declare", args=[kiemke.pk]), {"held": ["KK-DAT", "KK-NHA"]})
    assert response.status_code == 302
    assert owed(unit, kiemke) == {"KK-DAT", "KK-NHA"}
    car = Report.objects.get(unit=unit, period=kiemke, form_code="KK-OTO")
    assert car.exempt and "đăng ký đối tượng kiểm kê" in car.exempt_reason
    assert counted(tree["T02"], kiemke, "KK-OTO") == 0 and counted(unit, kiemke, "KK-OTO") == 0
    not_held = AuditEvent.objects.get(action="report.objects_declared").after["not_held"]
    assert {"KK-OTO", "KK-TSCD-KHAC", "KK-KCHT-DB"} <= set(not_held) and "KK-DAT" not in not_held
    home = client.get(reverse("reports:entry"), {"ky": kiemke.pk}).content.decode()
    assert "Đơn vị đã đăng ký đối tượng kiểm kê" in home and "Được miễn" in home
    # Declaring cars again makes the register owed again.
    declarations.declare(account, unit, kiemke, ["KK-DAT", "KK-NHA", "KK-OTO"])
    assert owed(unit, kiemke) == {"KK-DAT", "KK-NHA", "KK-OTO"} and counted(tree["T02"], kiemke, "KK-OTO") == 1


def test_a_register_with_records_or_sent_cannot_be_declared_away(kiemke, tree, school):
    _client, account = school
    unit = tree["T02003002"]
    report = owed_report(unit, kiemke, "KK-OTO")
    services.save_record(account, report, CAR, expected_version=report.version)
    with pytest.raises(ValidationError, match="đã có 1 bản ghi"):
        declarations.declare(account, unit, kiemke, ["KK-DAT"])
    assert owed(unit, kiemke) == {"KK-DAT", "KK-NHA", "KK-OTO", "KK-TSCD-KHAC"}


def test_an_aggregating_unit_declares_nothing_and_others_cannot_declare_for_a_unit(kiemke, tree, make_account, login):
    department = make_account("T02003", "receiver", username="T02003")
    with pytest.raises(ValidationError, match="Đơn vị tổng hợp"):
        declarations.declare(department, tree["T02003"], kiemke, [])
    assert login(department).get(reverse("reports:declare", args=[kiemke.pk])).status_code == 404
    # Another unit's account cannot declare for the school.
    other = make_account("T02003001", "entry", username="T02003001")
    from baocao.access.policy import Refused
    with pytest.raises(Refused):
        declarations.declare(other, tree["T02003002"], kiemke, [])
    assert owed(tree["T02003002"], kiemke) == {"KK-DAT", "KK-NHA", "KK-OTO", "KK-TSCD-KHAC"}


def test_after_the_deadline_a_unit_cannot_excuse_itself_until_its_deadline_is_extended(kiemke, tree, school):
    """Issue 22.2: past its deadline, with no extension, a unit's declaration no longer
    changes (it would turn what it did not send into Được miễn); the page says why and
    nothing changes; once the unit above extends its deadline, it may declare again."""
    from datetime import timedelta

    from django.utils import timezone

    from baocao.reports import periods

    client, account = school
    unit = tree["T02003002"]
    passed = timezone.localdate() - timedelta(days=2)
    while passed.weekday() >= 5:  # a working day: the deadline stays on it
        passed -= timedelta(days=1)
    periods.update_period(None, kiemke, name=kiemke.name, deadline=passed)
    kiemke.refresh_from_db()
    before = owed(unit, kiemke)
    page = client.post(reverse("reports:declare", args=[kiemke.pk]), {"held": ["KK-DAT"]}, follow=True).content.decode()
    assert "Đã hết hạn báo cáo" in page and "đề nghị đơn vị cấp trên gia hạn" in page
    assert owed(unit, kiemke) == before and not Report.objects.filter(unit=unit, period=kiemke, exempt=True).exists()
    periods.grant_extension(None, kiemke, unit, until=timezone.localdate() + timedelta(days=5), reason="Bổ sung kê khai")
    assert client.post(reverse("reports:declare", args=[kiemke.pk]), {"held": ["KK-DAT"]}).status_code == 302
    assert owed(unit, kiemke) == {"KK-DAT"}


def test_the_two_unidentified_infrastructure_sectors_are_shown_not_declarable_with_why(kiemke, tree, school):
    """Issue 24.5: the letter's guidance counts 18 infrastructure sectors, the sources name 16:
    the other two are listed on the declaration page as not yet having a form, and why."""
    client, _account = school
    page = client.get(reverse("reports:declare", args=[kiemke.pk])).content.decode()
    assert page.count('data-testid="unidentified-form"') == 2 and "chưa có mẫu" in page
    assert "văn bản hiện có chỉ nêu tên 16 loại" in page
