"""formula.js (the browser) agrees with formula.py (the server), run under node."""
import re
import shutil
from decimal import Decimal

import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from baocao.formdefs import formula as f
from baocao.formdefs.formula import EvaluationError, evaluate, parse

from .conftest import FORMULA_JS, decode, encode, run_js
from .strategies import Error, cases

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


def canonical(value):
    """Decimals compared by value; 1.50 and 1.5 are the same number."""
    return value.normalize() if isinstance(value, Decimal) and value else (Decimal(0) if isinstance(value, Decimal) else value)


def python_answer(ast_text, env):
    try:
        return evaluate(parse(ast_text), lambda ref: env[ref.name])
    except EvaluationError:
        return Error


# Each example is one node process: no shrinking, the failing expression is in the message.
@settings(max_examples=8, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.lists(cases(), min_size=30, max_size=60))
def test_random_expressions_agree(batch):
    answers = run_js(
        [{"kind": "eval", "ast": f.to_json(parse(text)), "env": {k: encode(v) for k, v in env.items()}} for env, text, _ in batch]
    )
    for (env, text, expected), answer in zip(batch, answers):
        js = Error if "error" in answer else decode(answer["value"])
        assert canonical(js) == canonical(python_answer(text, env)), text
        assert canonical(js) == canonical(expected), text


def test_rounding_edge_cases_agree():
    texts = [
        "1 / 3", "2 / 3", "-2 / 3", "1 / 7 * 7", "10 / 4", "0.5 / 0.25",
        "1234567890123456789012345678 + 0.5", "1234567890123456789012345679 + 0.5",
        "99999999999999999999999999995 + 0", "-(12345678901234567890123456785)", "abs(0 - 12345678901234567890123456775)",
        "123456789012.345 * 987654321098.765", "1 / 0.0003", "0.000001 * 0.000001",
        "sum(0.1, 0.2, 0.3) == 0.6", "min(2, 2.0, 1.99)", "max(1, 1.00)",
    ]
    answers = run_js([{"kind": "eval", "ast": f.to_json(parse(t)), "env": {}} for t in texts])
    for text, answer in zip(texts, answers):
        assert canonical(decode(answer["value"])) == canonical(python_answer(text, {})), text


def test_division_by_zero_throws_in_both():
    answer = run_js([{"kind": "eval", "ast": f.to_json(parse("1 / (a - a)")), "env": {"a": {"d": "5"}}}])[0]
    assert "error" in answer


def grid_case(spec, values, instances=None):
    return {
        "kind": "grid",
        "spec": spec.to_client_json(),
        "values": {f"{r}|{c}": encode(v) for (r, c), v in values.items()},
        "instances": instances,
    }


def compare_grid(spec, values, answer, instances=None):
    python = spec.compute(values, instances)
    js = {tuple(k.split("|")): decode(v) for k, v in answer["values"].items()}
    assert {k: canonical(v) for k, v in js.items()} == {k: canonical(v) for k, v in python.items()}
    rules = [r for r in spec.check(values, instances) if not r.code.startswith("cell_")]
    assert [(r["code"], [tuple(c) for c in r["cells"]]) for r in answer["rules"]] == [(r.code, list(r.cells)) for r in rules]
    return rules


def test_grids_compute_and_check_the_same(tuphap, kiemke):
    d = Decimal
    m12b, m22d, m10a, m23c, th = tuphap["12b/BTP/BTTP/CC"], tuphap["22d/BTP/CN/NN"], tuphap["10a/TP/CC"], tuphap["23c/BTP/ĐKQGGDBĐ"], kiemke["KK-TH"]
    grids = [
        (m12b, {("to_chuc/VP01", "viec_hop_dong"): d(10), ("to_chuc/VP01", "viec_ban_dich"): d(5), ("to_chuc/VP02", "viec_hop_dong"): d(7),
                ("to_chuc/VP02", "thu_lao"): d("1500000")}, None),
        (m12b, {}, {"to_chuc": ["A", "B"]}),
        (m22d, {("co_quan_dai_dien/PARIS", "duoi_1_nam"): d(2), ("co_quan_dai_dien/PARIS", "binh_thuong"): d(1),
                ("co_quan_dai_dien/TOKYO", "tu_5_nu"): d(1), ("co_quan_dai_dien/TOKYO", "gia_dinh"): d(1)}, None),
        (m10a, {("to_chuc", "bat_dong_san"): d(5), ("to_chuc", "bat_dong_san_dien_tu"): d(6), ("to_chuc", "giao_dich_khac"): d(2)}, None),
        (m23c, {("tau_bay", "lan_dau"): d(3), ("tau_bien", "xoa_dang_ky"): d(4)}, None),
        (th, {("dat", "nguon_ns"): d("1000.5"), ("dat", "gia_tri_con_lai"): d("2000"), ("khac_may_moc", "nguon_khac"): d("10")}, None),
    ]
    answers = run_js([grid_case(spec, values, instances) for spec, values, instances in grids])
    for (spec, values, instances), answer in zip(grids, answers):
        compare_grid(spec, values, answer, instances)


def test_records_check_the_same(kiemke):
    records = [
        (kiemke["KK-DAT"], {"nguyen_gia": "1000", "nguon_ns": "600", "nguon_khac": "300", "gia_tri_con_lai": "1200", "dt_kiem_ke": "50",
                            "dt_tru_so_lam_viec": "30", "dt_bo_trong": "20"}),
        (kiemke["KK-OTO"], {"loai_xe": "chuc_danh", "nguyen_gia": "900000000", "nguon_ns": "900000000", "gia_tri_con_lai": "0"}),
        (kiemke["KK-TSCD-KHAC"], {"nguyen_gia": "5000000", "nguon_ns": "5000000", "gia_tri_con_lai": "1000000"}),
    ]
    cases_ = []
    for spec, record in records:
        values, _errors = spec.clean_record(record)
        cases_.append({"kind": "record", "spec": spec.to_client_json(), "record": {k: encode(v) for k, v in values.items()}})
    for (spec, record), answer in zip(records, run_js(cases_)):
        python = spec.validate_record(record).rules
        assert python, "each case breaks some rule"
        assert [(r["code"], r["cells"]) for r in answer["rules"]] == [(r.code, list(r.cells)) for r in python]


def test_formula_js_uses_nothing_newer_than_es2017():
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", FORMULA_JS.read_text(encoding="utf-8"), flags=re.S)
    for newer in ("?.", "??", "BigInt", "...", "import ", "export ", "**="):
        assert newer not in code, newer
