"""Issue 22, item 5: free text is bounded on the server, whatever the page's maxlength says. A
4 MB return reason was stored three times (report, history, audit) and 900 warning notes of
2,000 characters were accepted in one request; now both are refused with a message naming the
field and the limit, and nothing is stored."""
import pytest
from django.urls import reverse

from baocao import textbounds
from baocao.audit.models import AuditEvent
from baocao.reports.models import Report, ReportEvent
from tests.reports.test_workflow import act, fill, people  # noqa: F401 - the fixture

HUGE = "x" * 4_000_000  # 4 MB, under the request size limit (5 MB)


def test_the_helper_refuses_too_long_text_and_never_cuts_it():
    assert textbounds.bounded("  lý do  ", 10, "Lý do") == "lý do"
    with pytest.raises(textbounds.TextTooLong) as refused:
        textbounds.bounded("x" * 2_001, textbounds.REASON, "Lý do")
    assert refused.value.messages == ["Lý do dài 2.001 ký tự, vượt giới hạn 2.000 ký tự: hãy rút gọn."]
    with pytest.raises(textbounds.TextTooLong):
        textbounds.warning_notes({f"rule|{n}": "giải trình" for n in range(201)})
    assert textbounds.warning_notes({"a": " x ", "b": " "}) == {"a": "x"}


def test_a_huge_return_reason_is_refused_and_nothing_is_stored(notary_report, people, login):  # noqa: F811
    fill(notary_report, people["bc"], chu_ky=1)
    act(notary_report, people["bc"], "gui_kiem_tra")
    events, audits = ReportEvent.objects.count(), AuditEvent.objects.count()
    response = login(people["kt"]).post(reverse("reports:transition", args=[notary_report.pk, "tra_lai_kiem_tra"]),
                                        {"version": notary_report.version, "reason": HUGE}, follow=True)
    page = response.content.decode()
    assert "Lý do dài 4.000.000 ký tự, vượt giới hạn 2.000 ký tự" in page
    report = Report.objects.get(pk=notary_report.pk)
    assert report.status == notary_report.status and report.pending_reason == ""
    assert ReportEvent.objects.count() == events and AuditEvent.objects.filter(action__startswith="report.").count() <= audits


def test_hundreds_of_warning_notes_in_one_request_are_refused(notary_report, people, login):  # noqa: F811
    fill(notary_report, people["bc"], chu_ky=1)
    notes = {f"wn|canh_bao_{n}": "g" * 2_000 for n in range(900)}
    response = login(people["bc"]).post(reverse("reports:transition", args=[notary_report.pk, "gui_kiem_tra"]),
                                        {"version": notary_report.version, **notes}, follow=True)
    assert "Có 900 ghi chú giải trình, vượt giới hạn 200 ghi chú mỗi lần gửi." in response.content.decode()
    report = Report.objects.get(pk=notary_report.pk)
    assert report.warning_notes == {} and report.revision == notary_report.revision


def test_a_huge_explanation_or_text_cell_is_refused_and_what_was_typed_stays(notary_report, people, login):  # noqa: F811
    client = login(people["bc"])
    response = client.post(reverse("reports:save", args=[notary_report.pk]),
                           {"version": notary_report.version, "c|to_chuc|chu_ky": "3", "explanation": "x" * 20_001})
    assert response.status_code == 400 and "Thuyết minh dài 20.001 ký tự" in response.content.decode()
    assert Report.objects.get(pk=notary_report.pk).explanation == ""
    response = client.post(reverse("reports:explanation", args=[notary_report.pk]),
                           {"version": notary_report.version, "explanation": "x" * 20_001}, follow=True)
    assert "Thuyết minh dài 20.001 ký tự" in response.content.decode()


@pytest.mark.parametrize("view", ["periods:extend", "periods:obligation_add"])
def test_administrative_reasons_are_bounded(notary_report, make_account, login, view):
    admin = make_account("BTC", "central_admin", username="BTC_qt")
    response = login(admin).post(reverse(view, args=[notary_report.period.pk]),
                                 {"unit": "T02003002", "until": "31/12/2099", "form_code": "12a/BTP/BTTP/CC", "reason": HUGE}, follow=True)
    assert "Lý do dài 4.000.000 ký tự, vượt giới hạn 2.000 ký tự" in response.content.decode()
    assert not ReportEvent.objects.filter(reason__startswith="xxx").exists()


def test_an_exemption_reason_is_bounded(notary_report, make_account, login):
    admin = make_account("BTC", "central_admin", username="BTC_qt")
    response = login(admin).post(reverse("periods:obligation_exempt", args=[notary_report.period.pk, notary_report.pk]),
                                 {"reason": HUGE}, follow=True)
    assert "Lý do dài" in response.content.decode()
    assert not Report.objects.get(pk=notary_report.pk).exempt
