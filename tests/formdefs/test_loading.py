"""Loading form definitions: every reference form, versions, idempotence, located errors."""
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from baocao.formdefs.models import FormDefinition
from baocao.formdefs.schema import DefinitionError, read_regime
from baocao.formdefs.services import forms_for_unit_types, load_regime_forms

TUPHAP = {"12a/BTP/BTTP/CC", "12b/BTP/BTTP/CC", "17d/BTP/HTQTCT/CT", "22d/BTP/CN/NN", "23c/BTP/ĐKQGGDBĐ", "10a/TP/CC"} | {f"M{i}" for i in range(1, 8)}
KIEMKE = {"KK-DAT", "KK-NHA", "KK-OTO", "KK-TSCD-KHAC", "KK-TH"} | {
    f"KK-KCHT-{sector}" for sector in ("DB", "DSQG", "DSDT", "HK", "HH", "DTND", "CNS", "TL", "DD", "CHO", "CCN", "KKT", "KCNC", "CNTT", "CC", "VHTT")}


def test_every_reference_form_loads(db):
    assert set(load_regime_forms("tuphap").created) == {f"{code} v1" for code in TUPHAP}
    assert set(load_regime_forms("kiemke").created) == {f"{code} v1" for code in KIEMKE}
    assert FormDefinition.objects.current("tuphap", "12a/BTP/BTTP/CC").kind == "grid"
    assert FormDefinition.objects.current("kiemke", "KK-DAT").kind == "list"


def test_inferred_forms_are_marked_provisional(db):
    load_regime_forms("tuphap")
    provisional = {d.code for d in FormDefinition.objects.filter(provisional=True)}
    assert {f"M{i}" for i in range(1, 8)} | {"22d/BTP/CN/NN", "23c/BTP/ĐKQGGDBĐ"} <= provisional
    assert "12a/BTP/BTTP/CC" not in provisional


def test_loading_twice_changes_nothing(db):
    load_regime_forms("kiemke")
    again = load_regime_forms("kiemke")
    assert again.created == [] and set(again.unchanged) == KIEMKE
    assert FormDefinition.objects.count() == len(KIEMKE)


def test_a_changed_definition_becomes_a_new_version_and_the_old_one_stays(db, regime_copy):
    root = regime_copy("tuphap").parent
    load_regime_forms("tuphap", root)
    first = FormDefinition.objects.current("tuphap", "12a/BTP/BTTP/CC")
    path = root / "tuphap/forms/12a.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"Số công chứng viên"', '"Số công chứng viên hành nghề"'), encoding="utf-8")

    summary = load_regime_forms("tuphap", root)

    assert summary.created == ["12a/BTP/BTTP/CC v2"]
    current = FormDefinition.objects.current("tuphap", "12a/BTP/BTTP/CC")
    assert current.version == 2 and current.spec_object().column("cong_chung_vien").label == "Số công chứng viên hành nghề"
    # A report entered on version 1 still finds its own layout.
    kept = FormDefinition.objects.get(pk=first.pk)
    assert kept.spec_object().column("cong_chung_vien").label == "Số công chứng viên"


def test_reformatting_a_formula_is_not_a_change(db, regime_copy):
    root = regime_copy("tuphap").parent
    load_regime_forms("tuphap", root)
    path = root / "tuphap/forms/12a.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"viec_hop_dong + viec_ban_dich"', '"(viec_hop_dong+viec_ban_dich)"'), encoding="utf-8")
    assert load_regime_forms("tuphap", root).created == []


def test_the_command_loads_unit_types_and_forms(db, capsys):
    call_command("load_regime", "tuphap")
    out = capsys.readouterr().out
    assert "13 forms (13 new versions)" in out
    assert FormDefinition.objects.filter(regime="tuphap").count() == 13


def test_unit_types_file_the_union_of_their_forms(db):
    load_regime_forms("tuphap")
    ministry = forms_for_unit_types("tuphap", ["bo"])
    assert ministry == [f"M{i}" for i in range(1, 8)]
    assert forms_for_unit_types("tuphap", ["co_quan_thuoc_cp"]) == ["M5", "M6"]
    assert forms_for_unit_types("tuphap", ["bo", "co_quan_dai_dien_nuoc_ngoai"]) == ministry + ["17d/BTP/HTQTCT/CT", "22d/BTP/CN/NN"]
    assert forms_for_unit_types("tuphap", ["co_quan_ngang_bo", "dang_ky_tau_bay_tau_bien"]) == ministry + ["23c/BTP/ĐKQGGDBĐ"]


# --- Located errors ---------------------------------------------------------------------


def problems_after(regime_copy, regime, filename, old, new):
    """The problems read_regime reports after replacing `old` by `new` in one file."""
    directory = regime_copy(regime)
    path = directory / "forms" / filename if filename != "regime.yaml" else directory / filename
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as caught:
        read_regime(regime, directory.parent)
    return caught.value.problems, text.replace(old, new, 1).splitlines()


def line_of(lines, fragment):
    return next(i for i, line in enumerate(lines, start=1) if fragment in line)


def test_unknown_cell_reference_names_file_and_line(regime_copy):
    problems, lines = problems_after(regime_copy, "tuphap", "12a.yaml", '"viec_hop_dong + viec_ban_dich"', '"viec_hop_dong + viec_ban_dichh"')
    [problem] = problems
    assert problem.file.endswith("tuphap/forms/12a.yaml")
    assert problem.line == line_of(lines, "viec_ban_dichh")
    assert "unknown cell reference 'viec_ban_dichh'" in problem.message
    assert re.match(r".*12a\.yaml:\d+: ", str(problem))


def test_duplicate_code(regime_copy):
    problems, lines = problems_after(regime_copy, "tuphap", "12a.yaml", "{code: thu_lao,", "{code: cong_chung_vien,")
    assert any("duplicate row or column code 'cong_chung_vien'" in p.message and p.line == line_of(lines, "Tổng số thù lao") for p in problems)


def test_cyclic_formula(regime_copy):
    problems, lines = problems_after(
        regime_copy, "tuphap", "12a.yaml", "{code: viec_hop_dong, label: \"Công chứng hợp đồng, giao dịch\", type: integer,",
        "{code: viec_hop_dong, label: \"Công chứng hợp đồng, giao dịch\", type: integer, formula: \"viec_tong - viec_ban_dich\",",
    )
    [problem] = problems
    assert "cyclic formula" in problem.message and "viec_tong" in problem.message
    assert problem.line in (line_of(lines, "code: viec_tong"), line_of(lines, "code: viec_hop_dong"))


def test_bad_type(regime_copy):
    problems, lines = problems_after(regime_copy, "tuphap", "12a.yaml", "type: money}\n  - label: \"Chứng thực bản sao\"", "type: float}\n  - label: \"Chứng thực bản sao\"")
    assert any("bad type 'float'" in p.message and p.line == line_of(lines, "type: float") for p in problems)


def test_computing_with_a_text_column_is_a_bad_type(regime_copy):
    problems, lines = problems_after(regime_copy, "tuphap", "10a_TP_CC.yaml", '"bat_dong_san_dien_tu <= bat_dong_san"', '"ghi_chu <= bat_dong_san"')
    assert any("bad type: column 'ghi_chu' holds text" in p.message for p in problems)


def test_a_formula_that_does_not_parse(regime_copy):
    problems, lines = problems_after(regime_copy, "tuphap", "M5.yaml", '"nu <= so_nguoi"', '"nu <= <= so_nguoi"')
    [problem] = problems
    assert problem.line == line_of(lines, "nu <= <= so_nguoi") and "at character 7" in problem.message


def test_broken_yaml_and_duplicate_keys(regime_copy):
    problems, lines = problems_after(regime_copy, "kiemke", "KK-OTO.yaml", 'title: "Kê khai kiểm kê xe ô tô"', 'title: "Kê khai kiểm kê xe ô tô"\ntitle: "again"')
    assert [(p.line, p.message) for p in problems] == [(line_of(lines, '"again"'), "duplicate key 'title'")]
    problems, lines = problems_after(regime_copy, "tuphap", "M6.yaml", "rows:\n", "rows: [\n")
    assert len(problems) == 1 and problems[0].message.startswith("not valid YAML") and problems[0].line > line_of(lines, "rows: [")


def test_unknown_keys_are_reported_not_ignored(regime_copy):
    problems, lines = problems_after(regime_copy, "kiemke", "KK-DAT.yaml", "required: true, unique: true,", "requried: true, unique: true,")
    assert any("unknown key 'requried'" in p.message and p.line == line_of(lines, "requried") for p in problems)


def test_summary_into_a_missing_cell(regime_copy):
    problems, lines = problems_after(regime_copy, "kiemke", "KK-DAT.yaml", "{row: dat, col: dien_tich,", "{row: dat, col: dien_tich_x,")
    assert any("unknown cell reference dat.dien_tich_x in KK-TH" in p.message and p.line == line_of(lines, "dien_tich_x") for p in problems)


def test_summary_into_a_computed_cell(regime_copy):
    problems, _lines = problems_after(regime_copy, "kiemke", "KK-DAT.yaml", "{row: dat, col: nguon_ns,", "{row: dat, col: nguyen_gia,")
    assert any("dat.nguyen_gia of KK-TH is computed" in p.message for p in problems)


def test_assignment_to_an_unknown_form(regime_copy):
    problems, lines = problems_after(regime_copy, "tuphap", "regime.yaml", 'co_quan_thuoc_cp: ["M5", "M6"]', 'co_quan_thuoc_cp: ["M5", "M9"]')
    [problem] = problems
    assert problem.file.endswith("tuphap/regime.yaml") and problem.line == line_of(lines, '"M9"') and "unknown form 'M9'" in problem.message


def test_nothing_is_stored_when_a_file_is_bad(db, regime_copy):
    directory = regime_copy("tuphap")
    path = directory / "forms/12a.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('"viec_hop_dong + viec_ban_dich"', '"nope"'), encoding="utf-8")
    with pytest.raises(DefinitionError):
        load_regime_forms("tuphap", directory.parent)
    assert not FormDefinition.objects.exists()


def test_the_command_fails_with_the_problems(db, regime_copy, monkeypatch):
    directory = regime_copy("tuphap")
    path = directory / "forms/M6.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("type: money", "type: monney"), encoding="utf-8")
    monkeypatch.setattr("baocao.formdefs.services.REGIMES_DIR", directory.parent)
    with pytest.raises(CommandError, match=r"M6\.yaml:\d+: bad type 'monney'"):
        call_command("load_regime", "tuphap")


def test_a_prefill_must_name_a_grid_form_and_its_row(tmp_path):
    import shutil

    from baocao.formdefs.schema import DefinitionError, read_regime
    from baocao.regimes import REGIMES_DIR

    shutil.copytree(REGIMES_DIR / "tuphap", tmp_path / "tuphap")
    path = tmp_path / "tuphap" / "forms" / "12b.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('prefill: {form: "12a/BTP/BTTP/CC", row: to_chuc}', 'prefill: {form: "12a/BTP/BTTP/CC", row: khong_co}'), encoding="utf-8")
    with pytest.raises(DefinitionError, match="prefill from '12a/BTP/BTTP/CC': it has no row 'khong_co'"):
        read_regime("tuphap", tmp_path)
