"""The tuphap demo: the ministries and agencies of the letter with their legal departments,
three accounts each, and the official year 2020 in every workflow state, some late."""
from django.core.management import call_command

from baocao.accounts.models import Account
from baocao.reports.models import Report, RollupTotal
from baocao.units.models import Unit


def forms_of(unit_code):
    return set(Report.objects.filter(period__code="NAM_CT_2020", unit__code=unit_code).values_list("form_code", flat=True))


def test_the_demo_tells_the_story_of_the_official_year_2020(db, settings, capsys):
    settings.BAOCAO_REGIME = "tuphap"
    call_command("load_demo")
    assert "Justice demo, official year 2020" in capsys.readouterr().out
    assert Unit.objects.filter(parent__code="btp", kind="governing").count() >= 30
    assert {a.username for a in Account.objects.filter(unit__code="bkhdt_pc")} == {"bkhdt_pc_bc", "bkhdt_pc_kt", "bkhdt_pc_ld"}
    seven = forms_of("bkhdt_pc")
    assert len(seven) == 7
    assert forms_of("bgtvt_pc") == seven | {"23c/BTP/ĐKQGGDBĐ"}
    assert forms_of("bng_pc") == seven | {"17d/BTP/HTQTCT/CT", "22d/BTP/CN/NN"}
    assert len(forms_of("bhxh_pc")) == 2
    statuses = set(Report.objects.filter(period__code="NAM_CT_2020").values_list("status", flat=True))
    assert statuses == {"chua_nhap", "dang_nhap", "cho_kiem_tra", "tra_lai", "cho_phe_duyet", "da_phe_duyet"}
    approved = Report.objects.filter(period__code="NAM_CT_2020", status="da_phe_duyet").select_related("period")
    assert any(r.submitted_at <= r.period.due_at for r in approved)
    assert any(r.submitted_at > r.period.due_at for r in approved)  # approved under an extension
    # 17d has a row per mission, and the approved figures are in the national totals.
    assert Unit.objects.filter(parent__code="bng_pc").count() >= 3
    assert RollupTotal.objects.filter(unit__code="btp", period__code="NAM_CT_2020", bucket=3, number__gt=0).exists()  # approved figures
    before = Report.objects.filter(period__code="NAM_CT_2020").values_list("pk", "version").order_by("pk")
    call_command("load_demo")  # idempotent
    assert list(Report.objects.filter(period__code="NAM_CT_2020").values_list("pk", "version").order_by("pk")) == list(before)
