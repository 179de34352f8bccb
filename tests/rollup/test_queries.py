"""Each roll-up page runs the same number of queries however large the tree: it reads the
stored totals and counters (docs/adr/0005), never one query per unit or per report."""
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from baocao.reports import services, workflow
from baocao.units.models import Unit, UnitKind
from tests.helpers import owed_report

from .conftest import A12, approve, notary

APPROVAL = ("gui_kiem_tra", "da_kiem_tra", "phe_duyet")


def grow(tree, period, start, n):
    """n more offices under T02, each with a notary practice below it, and n more notary
    practices directly under T02003; half of them approved, the others being entered."""
    for i in range(start, start + n):
        office = Unit.objects.create(code=f"T02X{i:03d}", name=f"Phòng {i}", kind=UnitKind.AGGREGATING, parent=tree["T02"])
        for code, parent in ((f"T02X{i:03d}01", office), (f"T02003Y{i:03d}", tree["T02003"])):
            unit = Unit.objects.create(code=code, name=f"Văn phòng công chứng {code}", kind=UnitKind.REPORTING, parent=parent)
            unit.unit_types.add("to_chuc_hanh_nghe_cong_chung")
            report = owed_report(unit, period, A12)
            services.save_grid(None, report, {("to_chuc", "viec_hop_dong"): Decimal(i + 1), ("to_chuc", "chu_ky"): Decimal(2)},
                               expected_version=report.version)
            if i % 2:
                for code_ in APPROVAL:
                    workflow.transition(None, report, code_)


PAGES = [
    ("rollup:rollup", {"don_vi": "BTC"}),
    ("rollup:rollup", {"don_vi": "T02", "tinh": "all"}),
    ("rollup:breakdown", {"don_vi": "T02", "o": "to_chuc|viec_hop_dong"}),
    ("rollup:breakdown", {"don_vi": "T02003", "tinh": "all", "o": ["to_chuc|viec_tong", "to_chuc|chu_ky"], "sap_xep": "-0"}),
    ("rollup:breakdown", {"don_vi": "BTC", "pham_vi": "tat_ca", "o": "to_chuc|viec_hop_dong"}),
    ("rollup:completeness", {"don_vi": "BTC"}),
    ("rollup:completeness", {"don_vi": "T02003", "bieu": A12}),
    ("rollup:rollup_xlsx", {"don_vi": "T02"}),
    ("rollup:breakdown_xlsx", {"don_vi": "T02", "o": "to_chuc|viec_hop_dong"}),
    ("shell:home", {}),
    ("shell:home", {"as": "T02_qt"}),
]


def queries(client, name, params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), params)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("name, params", PAGES)
def test_queries_do_not_grow_with_the_tree(tuphap, tree, people, login, django_assert_num_queries, name, params):
    approve(notary(tree, tuphap, "T02003002"), people, viec_hop_dong=4)
    grow(tree, tuphap, 0, 2)
    params = dict(params)
    client = login(people[params.pop("as", "central")])
    queries(client, name, params)  # warm: the first request of a session may write it
    small = queries(client, name, params)
    grow(tree, tuphap, 2, 12)
    assert Unit.objects.count() > 40
    with django_assert_num_queries(small):
        response = client.get(reverse(name), params)
    assert response.status_code == 200
