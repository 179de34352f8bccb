"""Kỳ báo cáo: creation from the regime's period types, deadlines (rest days, holidays),
opening (obligations, fixed form versions), extensions, exemptions, the admin pages."""
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from baocao.access.policy import Refused
from baocao.audit.models import AuditEvent
from baocao.formdefs.models import FormDefinition
from baocao.parameters.models import Holiday
from baocao.reports import periods
from baocao.reports.models import Extension, Period, PeriodForm, Report, ReportEvent
from tests.helpers import open_period

A12, B12 = "12a/BTP/BTTP/CC", "12b/BTP/BTTP/CC"


def local(moment):
    return timezone.localtime(moment)


def test_the_letters_period_from_its_type(tuphap, make_account):
    central = make_account("BTC", "central_admin")
    period = periods.create_period(central, kind="NAM_CT", year=2020)
    assert period.name == "Kỳ báo cáo năm chính thức 2020" and period.code == "NAM_CT_2020"
    assert (period.data_from, period.data_to) == (date(2020, 1, 1), date(2020, 12, 31))
    assert period.deadline == date(2021, 2, 5) and period.status == "draft"
    # 05/02/2021 was a Friday: due at its very end.
    assert local(period.due_at).date() == date(2021, 2, 5) and local(period.due_at).hour == 23
    assert AuditEvent.objects.filter(action="period.created", actor=central).exists()


def test_only_the_central_admin_manages_periods(tuphap, make_account):
    with pytest.raises(Refused):
        periods.create_period(make_account("T02", "admin"), kind="NAM", year=2026)


@pytest.mark.parametrize("deadline, due", [
    (date(2026, 12, 4), date(2026, 12, 4)),  # a Friday
    (date(2026, 12, 5), date(2026, 12, 7)),  # a Saturday moves to Monday
    (date(2026, 12, 6), date(2026, 12, 7)),  # a Sunday too
])
def test_a_deadline_on_a_rest_day_moves_to_the_next_working_day(tuphap, deadline, due):
    period = periods.create_period(None, kind="NAM", year=2026, deadline=deadline)
    assert local(period.due_at).date() == due


def test_holidays_move_deadlines_too(tuphap):
    Holiday.objects.create(day=date(2027, 2, 8), name="Tết Nguyên đán")  # a Monday
    Holiday.objects.create(day=date(2027, 2, 9), name="Tết Nguyên đán")
    period = periods.create_period(None, kind="NAM_CT", year=2026, deadline=date(2027, 2, 6))  # Saturday
    assert local(period.due_at).date() == date(2027, 2, 10)


def test_the_deadline_boundary_is_the_end_of_the_day(notary_report, make_account):
    from baocao.reports import workflow

    clerk = make_account("T02003002", "entry")
    due = notary_report.due_at
    assert workflow.edit_decision(clerk, notary_report, now=due)
    assert not workflow.edit_decision(clerk, notary_report, now=due + timedelta(microseconds=1))


def test_bad_dates_are_refused_with_a_message(tuphap):
    with pytest.raises(ValidationError, match="Hạn báo cáo không được trước ngày kết thúc số liệu"):
        periods.create_period(None, kind="NAM_CT", year=2020, deadline=date(2020, 6, 1))
    with pytest.raises(ValidationError, match="Loại kỳ báo cáo không hợp lệ"):
        periods.create_period(None, kind="QUY", year=2020)
    periods.create_period(None, kind="NAM_CT", year=2020)
    with pytest.raises(ValidationError, match="Đã có kỳ báo cáo mã NAM_CT_2020"):
        periods.create_period(None, kind="NAM_CT", year=2020)


def test_opening_creates_the_obligations_and_fixes_the_form_versions(tuphap, tree):
    # T02003 is a Sở Tư pháp (12b), its two notary practices file 12a; nobody else files anything.
    period = periods.create_period(None, kind="6T", year=2026, deadline=timezone.localdate() + timedelta(days=10))
    summary = periods.open_period(None, period)
    owed = set(Report.objects.filter(period=period).values_list("unit__code", "form_code"))
    assert owed == {("T02003", B12), ("T02003002", A12), ("T02003001", A12)} and summary.reports == 3
    assert all(r.status == "chua_nhap" and r.get_status_display() == "Chưa nhập" for r in Report.objects.filter(period=period))
    fixed = PeriodForm.objects.get(period=period, form_code=A12).definition
    # A new version of the form loaded afterwards does not change the open period.
    FormDefinition.objects.create(regime="tuphap", code=A12, version=fixed.version + 1, kind="grid", title="v2",
                                  content_hash="x", spec=fixed.spec, source_file="x")
    assert set(Report.objects.filter(period=period, form_code=A12).values_list("form__version", flat=True)) == {fixed.version}
    with pytest.raises(ValidationError, match="Chưa mở"):
        periods.open_period(None, period)


def test_standing_additions_and_exemptions_apply_when_a_period_opens(tuphap, tree):
    periods.set_duty(None, tree["T02003001"], A12, exempt=True, reason="Tạm ngừng hoạt động")
    periods.set_duty(None, tree["T02001"], "M6", exempt=False, reason="Được giao phổ biến pháp luật")
    period = open_period("6T", 2026)
    owed = set(Report.objects.filter(period=period).values_list("unit__code", "form_code"))
    assert ("T02003001", A12) not in owed and ("T02001", "M6") in owed


def test_a_retired_unit_owes_nothing(tuphap, tree):
    from baocao.units.models import Unit

    Unit.objects.filter(pk=tree["T02003001"].pk).update(status="retired")
    period = open_period("6T", 2026)
    assert not Report.objects.filter(period=period, unit=tree["T02003001"]).exists()


def test_an_extension_for_a_subtree(tuphap, tree, make_account):
    period = open_period("6T", 2026, days_left=5)
    province = make_account("T02", "admin")
    until = timezone.localdate() + timedelta(days=20)
    _extension, count = periods.grant_extension(province, period, tree["T02003"], until=until, reason="Sáp nhập đơn vị", subtree=True)
    assert count == 3
    for code in ("T02003", "T02003002", "T02003001"):
        report = Report.objects.get(period=period, unit=tree[code])
        assert local(report.due_at).date() == until
        assert ReportEvent.objects.filter(report=report, transition="extension", reason="Sáp nhập đơn vị").exists()
    assert local(period.due_at).date() == periods.next_working_day(timezone.localdate() + timedelta(days=5))
    event = AuditEvent.objects.get(action="period.extended")
    assert event.actor == province and event.after["reports"] == 3 and event.after["subtree"] is True


def test_an_extension_is_granted_only_by_a_unit_above_with_a_reason(tuphap, tree, make_account):
    period = open_period("6T", 2026, days_left=5)
    later = timezone.localdate() + timedelta(days=20)
    with pytest.raises(Refused):  # a province admin of another province
        periods.grant_extension(make_account("T01", "admin"), period, tree["T02003"], until=later, reason="x")
    with pytest.raises(Refused):  # a unit cannot extend its own deadline
        periods.grant_extension(make_account("T02", "admin"), period, tree["T02"], until=later, reason="x")
    with pytest.raises(ValidationError, match="Cần nêu lý do gia hạn"):
        periods.grant_extension(None, period, tree["T02003"], until=later, reason=" ")
    with pytest.raises(ValidationError, match="phải sau hạn báo cáo của kỳ"):
        periods.grant_extension(None, period, tree["T02003"], until=period.deadline, reason="x")
    assert not Extension.objects.exists()


def test_moving_the_deadline_keeps_extensions(tuphap, tree):
    period = open_period("6T", 2026, days_left=5)
    extended = timezone.localdate() + timedelta(days=30)
    periods.grant_extension(None, period, tree["T02003002"], until=extended, reason="x")
    new_deadline = timezone.localdate() + timedelta(days=12)
    periods.update_period(None, period, name=period.name, deadline=new_deadline)
    period.refresh_from_db()
    assert local(Report.objects.get(period=period, unit=tree["T02003001"]).due_at).date() == periods.next_working_day(new_deadline)
    assert local(Report.objects.get(period=period, unit=tree["T02003002"]).due_at).date() == extended


def test_close_reopen_lock(tuphap, make_account):
    central = make_account("BTC", "central_admin")
    period = open_period("6T", 2026)
    with pytest.raises(ValidationError, match="đã đóng"):
        periods.lock_period(central, period)
    periods.close_period(central, period)
    periods.reopen_period(central, period)
    periods.close_period(central, period)
    periods.lock_period(central, period)
    period.refresh_from_db()
    assert period.status == "locked" and period.locked_at is not None
    with pytest.raises(ValidationError):
        periods.update_period(central, period, name="x", deadline=period.deadline)
    assert list(AuditEvent.objects.filter(action__startswith="period.").order_by("id").values_list("action", flat=True))[-4:] == [
        "period.closed", "period.reopened", "period.closed", "period.locked"]


def test_exempting_and_adding_an_obligation(tuphap, tree):
    period = open_period("6T", 2026)
    report = Report.objects.get(period=period, unit=tree["T02003001"], form_code=A12)
    periods.exempt_obligation(None, report, reason="Giải thể")
    report.refresh_from_db()
    assert report.exempt and report.exempt_reason == "Giải thể"
    periods.add_obligation(None, period, tree["T02003001"], A12, reason="Hoạt động trở lại")
    report.refresh_from_db()
    assert not report.exempt
    added = periods.add_obligation(None, period, tree["T02001"], "M6", reason="Được giao bổ sung")
    assert added.status == "chua_nhap" and added.form.code == "M6"
    with pytest.raises(ValidationError, match="đã phải lập biểu"):
        periods.add_obligation(None, period, tree["T02001"], "M6", reason="x")


# --- the pages -----------------------------------------------------------------------------


def test_the_central_admin_creates_and_opens_a_period_on_the_page(tuphap, tree, make_account, login):
    client = login(make_account("BTC", "central_admin"))
    response = client.post(reverse("periods:list"), {"kind": "NAM_CT", "year": "2020", "deadline": "05/02/2021", "name": ""}, follow=True)
    text = response.content.decode()
    assert "Đã tạo kỳ báo cáo “Kỳ báo cáo năm chính thức 2020” (chưa mở)." in text and "Chưa mở" in text
    period = Period.objects.get(code="NAM_CT_2020")
    opened = client.post(reverse("periods:action", args=[period.pk, "open"]), follow=True).content.decode()
    assert "Đã mở kỳ báo cáo: 3 báo cáo phải lập đã được tạo." in opened
    listing = client.get(reverse("periods:list")).content.decode()
    assert "Kỳ báo cáo năm chính thức 2020" in listing and "0/3" in listing


def test_a_locked_period_is_unlocked_on_its_page_with_a_reason_by_the_central_admin_only(tuphap, tree, make_account, login):
    """Issue 21: a locked period accepts nothing but an audited unlocking, back to closed."""
    periods.close_period(None, tuphap)
    periods.lock_period(None, tuphap)
    page = reverse("periods:detail", args=[tuphap.pk])
    client = login(make_account("T02", "admin"))
    assert client.post(reverse("periods:action", args=[tuphap.pk, "unlock"]), {"reason": "Sửa số liệu"}).status_code == 403
    client = login(make_account("BTC", "central_admin"))
    shown = client.get(page).content.decode()
    assert "Đã khóa" in shown and "Lý do mở khóa" in shown and "Mở khóa kỳ báo cáo" in shown
    refused = client.post(reverse("periods:action", args=[tuphap.pk, "unlock"]), {"reason": " "}, follow=True).content.decode()
    assert "Cần nêu lý do mở khóa kỳ báo cáo." in refused
    assert Period.objects.get(pk=tuphap.pk).status == "locked"
    done = client.post(reverse("periods:action", args=[tuphap.pk, "unlock"]), {"reason": "Chuyển dữ liệu sau sáp nhập"}, follow=True).content.decode()
    assert "Đã mở khóa kỳ báo cáo" in done and Period.objects.get(pk=tuphap.pk).status == "closed"
    event = AuditEvent.objects.get(action="period.unlocked")
    assert event.after == {"status": "closed", "reason": "Chuyển dữ liệu sau sáp nhập"} and event.before == {"status": "locked"}


@pytest.mark.parametrize("fields, message", [
    ({"kind": "NAM_CT", "year": "hai nghìn", "deadline": ""}, "Năm phải là số"),
    ({"kind": "NAM_CT", "year": "2020", "deadline": "31/02/2021"}, "nhập ngày theo dạng dd/mm/yyyy"),
    ({"kind": "NAM_CT", "year": "2020", "deadline": "05/02/9999"}, "năm phải từ 1990 đến 2100"),
    ({"kind": "XYZ", "year": "2020", "deadline": ""}, "Loại kỳ báo cáo không hợp lệ"),
])
def test_bad_input_on_the_period_page(tuphap, make_account, login, fields, message):
    before = Period.objects.count()
    response = login(make_account("BTC", "central_admin")).post(reverse("periods:list"), {**fields, "name": ""})
    assert response.status_code == 400 and message in response.content.decode()
    assert Period.objects.count() == before


def test_the_kiemke_period_is_one_moment(kiemke, make_account, login):
    page = login(make_account("BTC", "central_admin")).get(reverse("periods:detail", args=[kiemke.pk])).content.decode()
    assert "Thời điểm kiểm kê: 0 giờ ngày 01/01/2026." in page and "Số liệu từ ngày" not in page


def test_an_extension_on_the_page(tuphap, tree, make_account, login):
    period = open_period("6T", 2026, days_left=3)
    client = login(make_account("BTC", "central_admin"))
    until = (timezone.localdate() + timedelta(days=15)).strftime("%d/%m/%Y")
    text = client.post(reverse("periods:extend", args=[period.pk]), {"unit": "t02003", "until": until, "reason": "Mất điện", "subtree": "1"}, follow=True).content.decode()
    assert f"Đã gia hạn đến ngày {until}" in text and "(3 báo cáo)" in text and "Mất điện" in text
    bad = client.post(reverse("periods:extend", args=[period.pk]), {"unit": "KHONGCO", "until": until, "reason": "x"}, follow=True).content.decode()
    assert "Không có đơn vị mã “KHONGCO”" in bad


def test_the_entry_page_shows_the_deadline_moved_from_a_rest_day(tuphap, tree, make_account, login):
    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)  # the next Saturday, never today
    period = periods.create_period(None, kind="NAM", year=saturday.year, deadline=saturday)
    periods.open_period(None, period)
    page = login(make_account("T02003002", "entry")).get(reverse("reports:entry")).content.decode()
    monday = saturday + timedelta(days=2)
    assert (f"Hạn báo cáo: {monday:%d/%m/%Y} (hạn {saturday:%d/%m/%Y} rơi vào ngày nghỉ, chuyển sang ngày làm việc tiếp theo)." in page)
