"""A wave of mergers (tree.merge_wave through reorg.operations.run_wave): set-based, with
the same outcome as merging one by one — new units with their accounts and obligations,
the old ones retired with lineage, their accounts revoked, their unstarted reports
exempted, what they entered kept and counted — and all or nothing."""
import pytest
from django.core.exceptions import ValidationError

from baocao.access.policy import Refused
from baocao.accounts.models import Account
from baocao.reorg import operations
from baocao.reports.models import Report
from baocao.rollup import verification
from baocao.units import tree as t
from baocao.units.models import Reorganisation, Unit, UnitLineage, UnitStatus

from .test_transfers import A12, DECISION, fill

NOTARY = "to_chuc_hanh_nghe_cong_chung"


def wave(tree):
    return [
        {"sources": [tree["T02003001"], tree["T02003002"]], "new": {"code": "T02003009", "name": "Văn phòng công chứng hợp nhất",
                                                                    "parent": tree["T02003"], "unit_types": [NOTARY]}},
        {"sources": [tree["T02001"]], "new": {"code": "T02009", "name": "Văn phòng công chứng số 9", "parent": tree["T02"],
                                              "unit_types": [NOTARY]}},
    ]


def test_a_wave_merges_every_group_with_its_records(tuphap, tree, make_account):
    admin = make_account("T02", "admin", "central_admin")
    for code in ("T02003001", "T02003002", "T02001"):
        make_account(code, "entry", username=f"{code}_bc")
    entered = fill(Report.objects.get(unit=tree["T02003001"], period=tuphap, form_code=A12), cong_chung_vien=3)
    result, outcome = operations.run_wave(admin, wave(tree), decision=DECISION)
    assert [target.code for target, _log in result] == ["T02003009", "T02009"]
    assert sorted(outcome.change["retired"]) == ["T02001", "T02003001", "T02003002"]
    assert Unit.objects.filter(code__in=["T02001", "T02003001", "T02003002"], status=UnitStatus.RETIRED).count() == 3
    assert set(UnitLineage.objects.values_list("predecessor__code", "successor__code")) == {
        ("T02003001", "T02003009"), ("T02003002", "T02003009"), ("T02001", "T02009")}
    logs = Reorganisation.objects.filter(operation=Reorganisation.Operation.MERGE)
    assert logs.count() == 2 and {log.decision_number for log in logs} == {DECISION.number}
    assert Unit.objects.get(code="T02003009").path == "/BTC/T02/T02003/T02003009/"
    # Accounts: the new units' by the regime's scheme, the old ones revoked (never deleted).
    assert sorted(outcome.accounts_created) == ["T02003009_bc", "T02003009_kt", "T02003009_ld", "T02009_bc", "T02009_kt", "T02009_ld"]
    assert sorted(outcome.accounts_deactivated) == ["T02001_bc", "T02003001_bc", "T02003002_bc"]
    assert not Account.objects.filter(unit__code__in=["T02001", "T02003001", "T02003002"], is_active=True).exists()
    # Reports: the new units owe the open period; unstarted old ones exempted; entered one kept.
    assert Report.objects.get(unit__code="T02003009", period=tuphap, form_code=A12).status == "chua_nhap"
    entered.refresh_from_db()
    assert not entered.exempt and outcome.reports_kept == 1
    assert outcome.reports_exempted == 1 and Report.objects.get(unit=tree["T02003002"], period=tuphap, form_code=A12).exempt
    assert verification.differences(tuphap) == []


def test_a_wave_is_all_or_nothing(tuphap, tree, make_account):
    admin = make_account("T02", "admin", "central_admin")
    bad = wave(tree)
    bad[1]["new"]["code"] = "T02003001"  # taken
    with pytest.raises(ValidationError) as refused:
        operations.run_wave(admin, bad, decision=DECISION)
    assert "Đã có đơn vị mã T02003001." in refused.value.messages
    assert not Unit.objects.filter(code="T02003009").exists()
    assert Unit.objects.filter(status=UnitStatus.RETIRED).count() == 0


def test_a_wave_is_refused_outside_the_admins_province(tuphap, tree, make_account):
    other = make_account("T01", "admin")
    with pytest.raises(Refused):
        operations.run_wave(other, wave(tree), decision=DECISION)
    assert Unit.objects.filter(status=UnitStatus.RETIRED).count() == 0


def test_a_preview_of_a_wave_changes_nothing(tuphap, tree):
    result, outcome = operations.run_wave(None, wave(tree), decision=DECISION, preview=True)
    assert result == [] and sorted(outcome.change["created"]) == ["T02003009", "T02009"]
    assert not Unit.objects.filter(code__in=["T02003009", "T02009"]).exists()
    assert t.successors_of(tree["T02001"]).count() == 0


def test_a_merger_from_the_excel_list_gives_the_new_unit_its_predecessors_types(tuphap, tree):
    operations.apply_list(None, [{"row": 2, "operation": "Hợp nhất", "old_codes": "T02003001, T02003002", "new_code": "T02003009",
                                  "new_name": "Văn phòng công chứng hợp nhất", "parent_code": "T02003"}])
    new = Unit.objects.get(code="T02003009")
    assert list(new.unit_types.values_list("code", flat=True)) == [NOTARY]
    assert Report.objects.get(unit=new, period=tuphap, form_code=A12).status == "chua_nhap"  # it owes the open period
