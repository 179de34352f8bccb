"""The kiemke demo: a few hundred units by the code grammar, accounts by the scheme, and
inventory data in every workflow state, rolled up."""
from django.core.management import call_command

from baocao.accounts.models import Account
from baocao.reports.models import Report, ReportRecord, RollupTotal
from baocao.units import codes
from baocao.units.models import Unit


def test_the_demo_holds_a_realistic_catalogue_and_every_state(db, capsys):
    call_command("load_demo")
    out = capsys.readouterr().out
    units = Unit.objects.count()
    assert 200 <= units <= 400
    school = Unit.objects.get(code="T02003002")
    assert school.name == "Trường THPT Trần Phú" and school.parent.code == "T02003" and school.parent.name.startswith("Sở Giáo dục và Đào tạo")
    for unit in Unit.objects.exclude(kind="root"):
        assert codes.code_problem(unit.code, unit.kind) is None, unit.code
        assert unit.parent.code == (unit.code[:-3] or "BTC") or len(unit.code) == 3, unit.code
    assert Account.objects.filter(username="T02003002", must_change_password=True).exists()
    assert Account.objects.count() == units
    states = set(Report.objects.filter(exempt=False).values_list("status", flat=True))
    assert states == {"chua_nhap", "dang_nhap", "da_gui", "tra_lai", "da_tiep_nhan", "chinh_ly"}
    # The letter's school starts empty; cars are not owed by communes (declared away).
    assert not ReportRecord.objects.filter(report__unit=school).exists()
    commune = Unit.objects.get(name="Ủy ban nhân dân Xã Bát Tràng")
    assert Report.objects.get(unit=commune, form_code="KK-OTO").exempt
    national = RollupTotal.objects.filter(unit__code="BTC", cell__form_code="KK-TH", cell__row_code="dat", cell__column_code="nguon_ns", bucket=3)
    assert national.get().number > 10**11  # hundreds of billions of đồng of land received
    assert "Inventory demo:" in out
    records = ReportRecord.objects.count()
    call_command("load_demo")
    assert ReportRecord.objects.count() == records > 500
    assert "0 units created" in capsys.readouterr().out
