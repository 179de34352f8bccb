"""Case (a) and (b) of the letter: new units after a merger, and the transfer of data the
old units had already entered. A transfer loses and doubles nothing, traces every value and
record to its origin, and happens once."""
import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from baocao.access.policy import Refused
from baocao.accounts.models import Account
from baocao.formdefs.models import FormCell
from baocao.reorg import operations, transfers
from baocao.reorg.models import TransferLine, TransferRequest
from baocao.reports import periods, services, workflow
from baocao.reports.models import Report, ReportEvent, ReportRecord, Revision, RollupTotal
from baocao.units import tree as t
from baocao.units.models import Unit, UnitKind
from tests.reports.test_entry import CAR

A12 = "12a/BTP/BTTP/CC"
DECISION = t.Decision("567/QĐ-UBND", datetime.date(2025, 7, 1), "UBND tỉnh Hà Giang")


def all_buckets(unit, period, form_code):
    """{column: total over every bucket} of a unit's roll-up of a form."""
    out = defaultdict(Decimal)
    cells = dict(FormCell.objects.filter(form_code=form_code).values_list("pk", "column_code"))
    for cell, number in RollupTotal.objects.filter(unit=unit, period=period, cell_id__in=list(cells)).values_list("cell_id", "number"):
        out[cells[cell]] += number
    return {k: v for k, v in out.items() if v}


def fill(report, **cells):
    services.save_grid(None, report, {("to_chuc", c): Decimal(v) for c, v in cells.items()}, expected_version=report.version)
    report.refresh_from_db()
    return report


def approve(report):
    for code in ("gui_kiem_tra", "da_kiem_tra", "phe_duyet"):
        workflow.transition(None, report, code)


def test_case_a_a_new_unit_with_its_accounts_and_the_old_ones_retired(tuphap, tree, make_account):
    admin = make_account("T02", "admin", "central_admin")
    new, outcome = operations.run(admin, "create", code="T02003009", name="Phòng công chứng số 9", kind=UnitKind.REPORTING,
                                  parent=tree["T02003"], unit_types=["to_chuc_hanh_nghe_cong_chung"], decision=DECISION)
    assert outcome.accounts_created == ["T02003009_bc", "T02003009_kt", "T02003009_ld"]
    assert Account.objects.get(username="T02003009_bc").must_change_password
    owed = Report.objects.get(unit=new, period=tuphap, form_code=A12)  # the new unit owes this open period
    assert owed.status == "chua_nhap"
    for code in ("T02003001", "T02003002"):
        _unit, outcome = operations.run(admin, "retire", unit=tree[code], successors=[new], decision=DECISION)
        assert outcome.reports_exempted == 1 and outcome.reports_kept == 0
    assert not Report.objects.filter(unit__code__in=["T02003001", "T02003002"], period=tuphap, exempt=False).exists()


def test_a_preview_changes_nothing_and_says_exactly_what_would(tuphap, tree, make_account):
    for code in ("T02003001", "T02003002"):
        make_account(code, "entry", username=f"{code}_bc")
    _none, outcome = operations.run(None, "merge", preview=True, sources=[tree["T02003001"], tree["T02003002"]],
                                    new={"code": "T02003009", "name": "Văn phòng công chứng hợp nhất", "parent": tree["T02003"],
                                         "unit_types": ["to_chuc_hanh_nghe_cong_chung"]}, decision=DECISION)
    assert outcome.change["created"] == ["T02003009"] and sorted(outcome.change["retired"]) == ["T02003001", "T02003002"]
    assert sorted(outcome.accounts_deactivated) == ["T02003001_bc", "T02003002_bc"] and len(outcome.accounts_created) == 3
    assert not Unit.objects.filter(code="T02003009").exists() and Account.objects.filter(is_active=True).count() == 2


@pytest.fixture
def merged(tuphap, tree):
    """Two practices entered 12a (one approved), then merged into a new practice."""
    first = fill(Report.objects.get(unit=tree["T02003001"], period=tuphap, form_code=A12), cong_chung_vien=3, viec_hop_dong=100, phi_cong_chung=1000000)
    approve(first)
    fill(Report.objects.get(unit=tree["T02003002"], period=tuphap, form_code=A12), cong_chung_vien=2, viec_hop_dong=40, viec_ban_dich=5)
    before = all_buckets(tree["T02003"], tuphap, A12)
    target, _outcome = operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]],
                                      new={"code": "T02003009", "name": "Văn phòng công chứng hợp nhất", "parent": tree["T02003"],
                                           "unit_types": ["to_chuc_hanh_nghe_cong_chung"]}, decision=DECISION)
    assert all_buckets(tree["T02003"], tuphap, A12) == before  # the merge alone moves no figure
    return target, before


def test_case_b_the_data_of_the_old_units_is_transferred(tuphap, tree, make_account, merged):
    target, before = merged
    province, central = make_account("T02", "admin"), make_account("BTC", "central_admin")
    request = transfers.file_request(province, sources=[tree["T02003001"], tree["T02003002"]], targets=[target], periods=[tuphap],
                                     decision=DECISION, note="Hợp nhất hai tổ chức hành nghề")
    preview = transfers.plan(request)
    assert [line.kind for line in preview.lines] == ["combined", "combined"]  # the new unit already owes 12a: summed into it
    assert {line.state_after for line in preview.lines} == {"dang_nhap"}  # back to entry for re-approval
    with pytest.raises(Refused):
        transfers.execute(province, request)
    transfers.execute(central, request)
    mine = Report.objects.get(unit=target, period=tuphap, form_code=A12)
    got = services.grid_values(mine)
    assert got[("to_chuc", "cong_chung_vien")] == 5 and got[("to_chuc", "viec_tong")] == 145 and got[("to_chuc", "phi_cong_chung")] == 1000000
    assert mine.status == "dang_nhap"
    assert all_buckets(tree["T02003"], tuphap, A12) == before  # nothing lost or doubled at the common ancestor
    for code in ("T02003001", "T02003002"):
        old = Report.objects.get(unit__code=code, period=tuphap, form_code=A12)
        assert old.exempt and "Đã chuyển số liệu sang T02003009" in old.exempt_reason
        assert old.events.filter(transition="transfer").exists()  # the old unit's history says where its data went
    lines = TransferLine.objects.filter(transfer=request)
    assert {line.detail["from"] for line in lines} == {"T02003001", "T02003002"} and {line.detail["to"] for line in lines} == {"T02003009"}
    with pytest.raises(ValidationError, match="đã được xử lý"):
        transfers.execute(central, request)  # twice: nothing changes
    assert services.grid_values(Report.objects.get(pk=mine.pk)) == got


def test_a_report_moves_whole_when_the_new_unit_owes_none(tuphap, tree):
    report = fill(Report.objects.get(unit=tree["T02003002"], period=tuphap, form_code=A12), chu_ky=9)
    approve(report)
    other = Unit.objects.create(code="T01099", name="Văn phòng công chứng Hà Nội", kind=UnitKind.REPORTING, parent=tree["T01"])
    before = all_buckets(tree["BTC"], tuphap, A12)
    request = transfers.file_request(None, sources=[tree["T02003002"]], targets=[other], periods=[tuphap])
    assert [line.kind for line in transfers.plan(request).lines] == ["moved"]
    transfers.execute(None, request, keep_state=True)
    report.refresh_from_db()
    assert report.unit == other and report.status == "da_phe_duyet"  # kept, as decided
    assert all_buckets(tree["T02"], tuphap, A12) == {} and all_buckets(tree["T01"], tuphap, A12) == all_buckets(tree["BTC"], tuphap, A12) == before


def test_registers_are_appended_with_their_origin_kept(kiemke, tree):
    school = Report.objects.get(unit=tree["T02003002"], period=kiemke, form_code="KK-OTO")
    services.save_record(None, school, CAR, expected_version=school.version)
    school.refresh_from_db()
    other = Unit.objects.create(code="T02003004", name="Trường THPT mới", kind=UnitKind.REPORTING, parent=tree["T02003"])
    other.unit_types.add("don_vi_su_nghiep")
    periods_report = periods.add_obligation(None, kiemke, other, "KK-OTO", reason="Đơn vị mới")
    services.save_record(None, periods_report, {**CAR, "ma_tai_san": "OTO-09", "bien_kiem_soat": "23A-999.99"}, expected_version=periods_report.version)
    request = transfers.file_request(None, sources=[tree["T02003002"]], targets=[other], periods=[kiemke], form_codes=["KK-OTO"])
    transfers.execute(None, request)
    records = ReportRecord.objects.filter(report__unit=other, report__period=kiemke, report__form_code="KK-OTO").order_by("position")
    assert records.count() == 2 and records.last().origin_unit == tree["T02003002"] and records.first().origin_unit is None


def test_a_split_divides_amounts_by_the_stated_shares_exactly(tuphap, tree):
    source = fill(Report.objects.get(unit=tree["T02003001"], period=tuphap, form_code=A12), viec_hop_dong=101, phi_cong_chung=1000001)
    a = Unit.objects.create(code="T02003011", name="Tổ chức A", kind=UnitKind.REPORTING, parent=tree["T02003"])
    b = Unit.objects.create(code="T02003012", name="Tổ chức B", kind=UnitKind.REPORTING, parent=tree["T02003"])
    request = transfers.file_request(None, sources=[tree["T02003001"]], targets=[a, b], periods=[tuphap], shares={a.pk: 60, b.pk: 40})
    allocation = dict(transfers.plan(request).lines[0].allocation)
    assert allocation[a][("to_chuc", "viec_hop_dong")] + allocation[b][("to_chuc", "viec_hop_dong")] == 101
    before = all_buckets(tree["T02003"], tuphap, A12)
    transfers.execute(None, request)
    parts = [services.grid_values(Report.objects.get(unit=u, period=tuphap, form_code=A12)) for u in (a, b)]
    assert parts[0][("to_chuc", "viec_hop_dong")] == 61 and parts[1][("to_chuc", "viec_hop_dong")] == 40
    assert parts[0][("to_chuc", "phi_cong_chung")] + parts[1][("to_chuc", "phi_cong_chung")] == 1000001
    assert all_buckets(tree["T02003"], tuphap, A12) == before
    source.refresh_from_db()
    assert source.exempt


def test_shares_must_add_up_to_a_hundred(tuphap, tree):
    a = Unit.objects.create(code="T02003011", name="Tổ chức A", kind=UnitKind.REPORTING, parent=tree["T02003"])
    with pytest.raises(ValidationError, match="cộng lại bằng 100%"):
        transfers.file_request(None, sources=[tree["T02003001"]], targets=[a, tree["T02003002"]], periods=[tuphap], shares={a.pk: 50, tree["T02003002"].pk: 40})


def test_a_province_admin_requests_transfers_only_inside_its_province(tuphap, tree, make_account):
    with pytest.raises(Refused):
        transfers.file_request(make_account("T02", "admin"), sources=[tree["T02003001"]], targets=[tree["T01017"]], periods=[tuphap])
    assert not TransferRequest.objects.exists()


def test_an_interrupted_transfer_leaves_nothing_half_done(tuphap, tree, merged, monkeypatch):
    target, before = merged
    request = transfers.file_request(None, sources=[tree["T02003001"], tree["T02003002"]], targets=[target], periods=[tuphap])
    calls = {"n": 0}
    original = transfers._retire_source

    def fail_on_the_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("mất kết nối")
        return original(*args, **kwargs)

    monkeypatch.setattr(transfers, "_retire_source", fail_on_the_second)
    with pytest.raises(RuntimeError):
        transfers.execute(None, request)
    request.refresh_from_db()
    assert request.status == "pending" and not TransferLine.objects.exists()
    assert services.grid_values(Report.objects.get(unit=target, period=tuphap, form_code=A12)) == {}
    assert all_buckets(tree["T02003"], tuphap, A12) == before


@pytest.mark.parametrize("second_steps, expected", [
    (("gui_kiem_tra", "da_kiem_tra", "phe_duyet"), "da_phe_duyet"),  # approved + approved: arrives approved
    (("gui_kiem_tra",), "cho_kiem_tra"),  # approved + only sent: stays sent, nothing promoted
])
def test_keeping_states_the_data_arrives_as_it_was_never_promoted_and_frozen_as_a_revision(tuphap, tree, second_steps, expected):
    """ADR 0011 (issue 21, case (b)): the new unit's empty report does not count; the result
    takes the least advanced state of the data it holds, with a revision frozen, its history
    naming the states, and the approved figures of the province unchanged."""
    first = fill(Report.objects.get(unit=tree["T02003001"], period=tuphap, form_code=A12), cong_chung_vien=3)
    approve(first)
    second = fill(Report.objects.get(unit=tree["T02003002"], period=tuphap, form_code=A12), cong_chung_vien=2)
    for code in second_steps:
        workflow.transition(None, second, code)
    def approved():
        cell = FormCell.objects.get(form_code=A12, row_code="to_chuc", column_code="cong_chung_vien")
        return sum(RollupTotal.objects.filter(unit=tree["T02"], period=tuphap, bucket=3, cell=cell).values_list("number", flat=True))

    approved_before = approved()
    target, _outcome = operations.run(None, "merge", sources=[tree["T02003001"], tree["T02003002"]], decision=DECISION,
                                      new={"code": "T02003009", "name": "Hợp nhất", "parent": tree["T02003"],
                                           "unit_types": ["to_chuc_hanh_nghe_cong_chung"]})
    assert Report.objects.get(unit=target, period=tuphap, form_code=A12).status == "chua_nhap"  # founded empty
    request = transfers.file_request(None, sources=[tree["T02003001"], tree["T02003002"]], targets=[target], periods=[tuphap], decision=DECISION)
    request.keep_state = True  # as the central administrator chooses on the page (not saved: the preview)
    planned = transfers.plan(request)
    assert planned.lines[-1].state_after == expected
    transfers.execute(None, request, keep_state=True)
    result = Report.objects.get(unit=target, period=tuphap, form_code=A12)
    assert result.status == expected and result.revision >= 1 and result.submitted_at is not None
    assert services.grid_values(result)[("to_chuc", "cong_chung_vien")] == 5
    assert Revision.objects.get(report=result, number=result.revision).values["to_chuc|cong_chung_vien"] == "5"
    assert ReportEvent.objects.filter(report=result, transition="transfer", to_state=expected).exists()
    approved_after = approved()
    if expected == "da_phe_duyet":
        assert approved_after == approved_before == 5  # both approved figures, nothing lost or doubled
    else:
        assert (approved_before, approved_after) == (3, 0)  # the approved part waits with the sent one: never promoted
    assert "thấp nhất" in planned.lines[-1].state_reason or "Giữ trạng thái" in planned.lines[-1].state_reason
