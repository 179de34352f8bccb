"""Tình hình gửi báo cáo: obligations by state and timeliness against the period's deadline
or the unit's extension, a unit given an obligation after the period opened, an exempted
one; by child unit; the units that have not sent, with their contacts, in Excel."""
import io
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils import timezone as django_timezone
from openpyxl import load_workbook

from baocao.audit.models import AuditEvent
from baocao.reports import periods, workflow
from baocao.rollup import views
from baocao.units.models import Unit, UnitKind

from .conftest import A12, act, approve, fill, notary

COMPLETENESS = reverse("rollup:completeness")


LATER = timedelta(days=40)  # past the period's deadline (30 days ahead), within T02001's extension (50)


@contextmanager
def at(moment, *modules):
    """Run the workflow (and the given modules) as if it were `moment`: only their clock moves."""
    clock = SimpleNamespace(**{name: getattr(django_timezone, name) for name in dir(django_timezone) if not name.startswith("__")})
    clock.now = lambda: moment
    with ExitStack() as stack:
        for module in (workflow,) + modules:
            stack.enter_context(mock.patch.object(module, "timezone", clock))
        yield


@pytest.fixture
def season(tuphap, tree, people):
    """T02003002 approved on time; T02003001 and T02001 checked in time and approved after
    the deadline, T02001 within the extension it was granted, T02003001 late; 046001 never
    starts; T01017 is exempted; T02005, created after the period opened, is given the
    obligation and has not started either."""
    reports = {code: notary(tree, tuphap, code) for code in ("T02003002", "T02003001", "T02001", "046001", "T01017")}
    approve(reports["T02003002"], people, viec_hop_dong=1)
    for code in ("T02003001", "T02001"):
        fill(reports[code], people[f"{code}_bc"], viec_hop_dong=2)
        act(reports[code], people[f"{code}_bc"], "gui_kiem_tra")
        act(reports[code], people[f"{code}_kt"], "da_kiem_tra")
    periods.grant_extension(None, tuphap, tree["T02001"], until=timezone.localdate() + timedelta(days=50), reason="Thiếu cán bộ")
    with at(timezone.now() + LATER):
        act(reports["T02001"], people["T02001_ld"], "phe_duyet")
        act(reports["T02003001"], people["T02003001_ld"], "phe_duyet")
    periods.exempt_obligation(None, reports["T01017"], reason="Tạm ngừng hoạt động")
    newcomer = Unit.objects.create(code="T02005", name="Văn phòng công chứng Mới", kind=UnitKind.REPORTING, parent=tree["T02"],
                                   phone="0219 3861 234", email="vpcc.moi@example.gov.vn", address="Số 1 đường Nguyễn Trãi, Hà Giang")
    newcomer.unit_types.add("to_chuc_hanh_nghe_cong_chung")
    periods.add_obligation(None, tuphap, newcomer, A12, reason="Thành lập sau khi mở kỳ")
    return reports


def test_counts_by_state_and_timeliness_against_the_obligations(season, people, login, tuphap):
    client = login(people["central"])
    before = client.get(COMPLETENESS, {"bieu": A12})
    assert before.context["overdue"] == 0  # the period's deadline is 30 days ahead
    with at(timezone.now() + LATER, views):
        response = client.get(COMPLETENESS, {"bieu": A12})
    assert response.status_code == 200
    c = response.context
    total = c["total"]
    # 5 notaries + 1 added − 1 exempted
    assert total.obligations == 5 and c["exempted"] == 1
    assert total.by_state["da_phe_duyet"] == 3 and total.by_state["chua_nhap"] == 2
    assert c["timeliness"] == {"on_time": 1, "extended": 1, "late": 1}
    assert total.not_sent == 2 and c["overdue"] == 2
    assert c["timeliness_percent"]["on_time"] == 20 and c["not_sent_percent"] == 40
    text = response.content.decode()
    for label in ("Chưa nhập", "Đang nhập", "Bị trả lại", "Yêu cầu chỉnh lý", "Chờ kiểm tra", "Chờ phê duyệt", "Đã phê duyệt", "Được miễn"):
        assert label in text
    assert "không tính 1 báo cáo được miễn" in text and "Trong gia hạn" in text and "Chưa phê duyệt" in text
    # By child unit; the percentages never pass 100 %.
    rows = {r["unit"].code: r for r in c["rows"]}
    assert rows["T02"]["progress"].obligations == 4 and rows["T02"]["progress"].sent == 3
    assert rows["T02"]["timeliness"] == {"on_time": 1, "extended": 1, "late": 1}
    assert rows["T01"]["progress"].obligations == 0 and rows["046"]["progress"].not_sent == 1
    chart = c["chart"]
    assert chart["labels"] == ["046", "T02"] and [s["key"] for s in chart["series"]] == ["on_time", "extended", "late", "not_sent"]
    assert all(sum(s["data"][i] for s in chart["series"]) == 100 for i in range(2))
    assert 'data-chart="completeness-data"' in text and 'id="completeness-data"' in text and "vendor/chartjs/chart.umd.min.js" in text
    # The units that have not sent, with their contact.
    missing = [(r.unit.code, r.form_code, r.overdue) for r in c["missing"]]
    assert missing == [("046001", A12, True), ("T02005", A12, True)]
    assert "0219 3861 234" in text and "046001_bc (Chuyên viên 046001)" in text


def test_a_unit_whose_extension_still_runs_is_not_overdue(season, people, login, tuphap, tree):
    """The overdue count comes from the counters less the reports whose extension still runs."""
    periods.grant_extension(None, tuphap, tree["046"], subtree=True, until=timezone.localdate() + timedelta(days=50), reason="Bão lũ")
    with at(timezone.now() + LATER, views):
        c = login(people["central"]).get(COMPLETENESS, {"bieu": A12}).context
    assert c["total"].not_sent == 2 and c["overdue"] == 1  # T02005 is late; 046001 may still send
    assert [(r.unit.code, r.overdue) for r in c["missing"]] == [("046001", False), ("T02005", True)]
    assert c["missing"].count == 2 and not c["missing"].has_next


def test_the_not_sent_list_in_excel_with_each_units_contact(season, people, login):
    with at(timezone.now() + LATER, views):
        response = login(people["T02_qt"]).get(reverse("rollup:not_sent_xlsx"), {"bieu": A12})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="ChuaGui_12a-BTP-BTTP-CC_T02_NAM_CT_2025.xlsx"'
    rows = [r for r in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True)]
    text = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "DANH SÁCH ĐƠN VỊ CHƯA GỬI BÁO CÁO" in text and "T02 - Ủy ban nhân dân tỉnh Hà Giang" in text
    assert "Kỳ báo cáo: năm chính thức 2025" in text and "1 báo cáo chưa phê duyệt." in text
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][1:] == ("Mã đơn vị", "Tên đơn vị", "Biểu", "Trạng thái", "Hạn báo cáo", "Địa chỉ", "Điện thoại", "Thư điện tử", "Tài khoản liên hệ")
    body = rows[header + 1 :]
    assert len(body) == 1  # T02's subtree: only the newcomer has not sent
    assert body[0][1:4] == ("T02005", "Văn phòng công chứng Mới", A12) and body[0][4] == "Chưa nhập"
    assert body[0][5].endswith("(đã quá hạn)") and body[0][6:9] == ("Số 1 đường Nguyễn Trãi, Hà Giang", "0219 3861 234", "vpcc.moi@example.gov.vn")
    assert AuditEvent.objects.filter(action="rollup.not_sent_exported", unit__code="T02").exists()


def test_one_subtree_and_every_form(season, people, login):
    response = login(people["T02003_ld"]).get(COMPLETENESS)  # the Sở: its notaries' 12a and its own 12b
    assert response.status_code == 200
    c = response.context
    assert c["sel"].unit.code == "T02003" and c["sel"].form is None
    assert c["total"].obligations == 3 and c["total"].sent == 2
    assert c["own_row"]["progress"].obligations == 1 and c["own_row"]["progress"].not_sent == 1  # its own 12b


def test_no_period_open_yet(tree, settings, make_account, login):
    settings.BAOCAO_REGIME = "tuphap"
    from baocao.formdefs.services import load_regime_forms

    load_regime_forms("tuphap")
    client = login(make_account("BTC", "central_admin"))
    for name in ("rollup:rollup", "rollup:breakdown", "rollup:completeness"):
        response = client.get(reverse(name))
        assert response.status_code == 200 and "Chưa có kỳ báo cáo nào được mở." in response.content.decode()
    assert client.get(reverse("rollup:rollup_xlsx")).status_code == 404
