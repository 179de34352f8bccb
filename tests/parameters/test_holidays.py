"""THIẾT LẬP THÔNG SỐ > Ngày nghỉ lễ: the central administrator keeps the holiday calendar;
a deadline falling on a holiday or a weekend moves to the next working day, at once, for
every period not yet closed and its reports (TT 03/2019 Art. 6.2.b)."""
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from baocao.audit.models import AuditEvent
from baocao.formdefs.services import load_regime_forms
from baocao.parameters import services
from baocao.parameters.models import Holiday
from baocao.reports import periods
from baocao.reports.models import Report
from baocao.units.models import UnitType
from tests.helpers import open_period

HOLIDAYS = reverse("parameters:holidays")
MONDAY, FRIDAY, SATURDAY = 0, 4, 5


@pytest.fixture
def central(make_account, login):
    account = make_account("BTC", "central_admin", username="quantri")
    return login(account), account


def dmy(day):
    return day.strftime("%d/%m/%Y")


def local_day(moment):
    return timezone.localtime(moment).date()


def next_weekday(weekday, after_days=10):
    """The first `weekday` (0 = Monday) at least `after_days` days from today."""
    day = timezone.localdate() + timedelta(days=after_days)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def labelled(html):
    """Every visible field of the page has a <label for=…>."""
    ids = re.findall(r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\sid="([^"]+)"', html)
    return ids and all(f'for="{field_id}"' in html for field_id in ids)


def test_the_central_admin_adds_and_removes_a_holiday(central):
    client, account = central
    page = client.get(reverse("parameters:edit")).content.decode()
    assert HOLIDAYS in page and "Ngày nghỉ lễ" in page

    response = client.post(HOLIDAYS, {"day": "02/09/2025", "name": "Quốc khánh"}, follow=True)
    text = response.content.decode()
    assert response.status_code == 200 and "Đã thêm ngày nghỉ 02/09/2025 (Quốc khánh)" in text
    holiday = Holiday.objects.get()
    assert (holiday.day, holiday.name) == (date(2025, 9, 2), "Quốc khánh")
    event = AuditEvent.objects.get(action="parameters.holiday_added")
    assert event.actor == account and event.after == {"day": "2025-09-02", "name": "Quốc khánh"}

    listing = client.get(HOLIDAYS, {"nam": "2025"}).content.decode()
    assert "02/09/2025" in listing and "Quốc khánh" in listing and "Thứ 3" in listing
    remove = reverse("parameters:holiday_remove", args=[holiday.pk])
    assert f'action="{remove}"' in listing and 'data-confirm="Xóa ngày nghỉ 02/09/2025 khỏi lịch?' in listing
    assert labelled(listing)
    assert "Chưa có ngày nghỉ lễ nào trong năm 2024." in client.get(HOLIDAYS, {"nam": "2024"}).content.decode()

    response = client.post(remove, follow=True)
    assert "Đã xóa ngày nghỉ 02/09/2025 (Quốc khánh)" in response.content.decode()
    assert not Holiday.objects.exists()
    event = AuditEvent.objects.get(action="parameters.holiday_removed")
    assert event.actor == account and event.before == {"day": "2025-09-02", "name": "Quốc khánh"}
    assert "Xóa ngày nghỉ lễ" in client.get(reverse("audit:list")).content.decode()


def test_a_province_admin_is_refused_and_audited(make_account, login):
    holiday = Holiday.objects.create(day=date(2025, 4, 30), name="Ngày Giải phóng miền Nam")
    client = login(make_account("T02", "admin"))
    assert client.get(HOLIDAYS).status_code == 403
    assert client.post(HOLIDAYS, {"day": "01/05/2025", "name": "Quốc tế Lao động"}).status_code == 403
    assert client.post(reverse("parameters:holiday_remove", args=[holiday.pk])).status_code == 403
    assert list(Holiday.objects.values_list("day", flat=True)) == [date(2025, 4, 30)]
    refusals = AuditEvent.objects.filter(action="scope.denied")
    assert refusals.count() == 3 and all("parameters.edit" in e.note for e in refusals)
    assert not AuditEvent.objects.filter(action__startswith="parameters.holiday").exists()


@pytest.mark.parametrize("day, name, message", [
    ("31/02/2025", "Tết", "Ngày 31/02/2025 không có trên lịch."),
    ("abc", "Tết", "Ngày nghỉ: nhập ngày theo dạng dd/mm/yyyy (ví dụ 30/04/2025)."),
    ("2025-09-02", "Quốc khánh", "Ngày nghỉ: nhập ngày theo dạng dd/mm/yyyy (ví dụ 30/04/2025)."),
    ("", "Tết", "Cần nhập ngày nghỉ (dd/mm/yyyy)."),
    ("01/01/1900", "Tết Dương lịch", "Năm phải từ 1990 đến 2100."),
    ("02/09/2025", "   ", "Cần nhập tên ngày nghỉ."),
    ("02/09/2025", "x" * 201, "Tên ngày nghỉ dài quá 200 ký tự."),
    ("30/04/2025", "Nghỉ lễ", "Ngày 30/04/2025 đã có trong lịch nghỉ (Ngày Giải phóng miền Nam)."),
])
def test_bad_input_is_answered_on_the_page(central, day, name, message):
    client, _ = central
    Holiday.objects.create(day=date(2025, 4, 30), name="Ngày Giải phóng miền Nam")
    response = client.post(HOLIDAYS, {"day": day, "name": name})
    text = response.content.decode()
    assert response.status_code == 400 and message in text
    assert f'value="{day}"' in text  # what was typed is kept
    assert name.strip() == "" or f'value="{name}"' in text
    assert Holiday.objects.count() == 1
    assert not AuditEvent.objects.filter(action="parameters.holiday_added").exists()


@pytest.fixture
def kiemke(tree):
    """The inventory regime's forms; both schools file them."""
    load_regime_forms("kiemke")
    UnitType.objects.get_or_create(code="don_vi_su_nghiep", defaults={"name": "Đơn vị sự nghiệp"})
    tree["T02003002"].unit_types.add("don_vi_su_nghiep")
    tree["T02003001"].unit_types.add("don_vi_su_nghiep")


@pytest.mark.parametrize("deadline_weekday, declared, due", [
    # A Friday deadline declared a holiday: the weekend follows, so it ends on Monday.
    (FRIDAY, lambda deadline: deadline, lambda deadline: deadline + timedelta(days=3)),
    # A Saturday deadline already ends on Monday; that Monday declared a holiday: Tuesday.
    (SATURDAY, lambda deadline: deadline + timedelta(days=2), lambda deadline: deadline + timedelta(days=3)),
], ids=["friday-declared-holiday", "saturday-then-monday-holiday"])
def test_a_new_holiday_moves_the_deadlines_of_periods_not_yet_closed(central, kiemke, tree, deadline_weekday, declared, due):
    client, _ = central
    year = timezone.localdate().year - 1
    deadline = next_weekday(deadline_weekday)
    days_left = (deadline - timezone.localdate()).days
    period = open_period("KIEMKE", year, code="KK", days_left=days_left)
    before = local_day(period.due_at)
    assert before == (deadline if deadline_weekday == FRIDAY else deadline + timedelta(days=2))
    school, other = tree["T02003002"], tree["T02003001"]
    assert Report.objects.filter(period=period, unit=school).exists()
    extended_to = deadline + timedelta(days=14)
    periods.grant_extension(None, period, other, until=extended_to, reason="Sáp nhập trường")
    draft = periods.create_period(None, kind="KIEMKE", year=year - 1, code="KK_DRAFT", deadline=deadline)
    closed = open_period("KIEMKE", year - 2, code="KK_CLOSED", days_left=days_left)
    periods.close_period(None, closed)

    holiday_day = declared(deadline)
    response = client.post(HOLIDAYS, {"day": dmy(holiday_day), "name": "Nghỉ bù"}, follow=True)
    assert response.status_code == 200 and Holiday.objects.filter(day=holiday_day).exists()

    period.refresh_from_db()
    moved = due(deadline)
    assert moved.weekday() in (MONDAY, MONDAY + 1) and local_day(period.due_at) == moved
    assert period.deadline == deadline  # the letter's date stays; the moment it ends moves
    assert {local_day(r.due_at) for r in Report.objects.filter(period=period, unit=school)} == {moved}
    assert {local_day(r.due_at) for r in Report.objects.filter(period=period, unit=other)} == {extended_to}  # extension kept
    draft.refresh_from_db()
    assert local_day(draft.due_at) == moved
    closed.refresh_from_db()
    assert local_day(closed.due_at) == before  # a closed period keeps its deadline
    # What the administrator sees on the period's page.
    page = client.get(reverse("periods:detail", args=[period.pk])).content.decode()
    assert f"Hạn báo cáo: {dmy(deadline)} → {dmy(moved)} (ngày làm việc tiếp theo)" in page

    # Taking the holiday off the calendar brings the deadline back.
    holiday = Holiday.objects.get(day=holiday_day)
    client.post(reverse("parameters:holiday_remove", args=[holiday.pk]))
    period.refresh_from_db()
    assert local_day(period.due_at) == before
    assert {local_day(r.due_at) for r in Report.objects.filter(period=period, unit=school)} == {before}


def test_the_services_check_permission_and_send_the_signal(make_account):
    from baocao.access.policy import Refused
    from baocao.parameters.signals import holidays_changed

    sent = []

    def receiver(sender, days, **kwargs):
        sent.append(days)

    holidays_changed.connect(receiver)
    try:
        with pytest.raises(Refused):
            services.add_holiday(make_account("T02", "admin"), date(2025, 1, 1), "Tết Dương lịch")
        holiday = services.add_holiday(None, date(2025, 1, 1), " Tết Dương lịch ")
        assert holiday.name == "Tết Dương lịch"
        services.remove_holiday(None, holiday)
    finally:
        holidays_changed.disconnect(receiver)
    assert sent == [[date(2025, 1, 1)], [date(2025, 1, 1)]]
