"""Clicking a figure on the line of a "one row per child unit" group (12b's practices, 17d's
missions) opens the drill-down of that line; it used to fail with a server error."""
from decimal import Decimal

import pytest

from django.urls import reverse

from baocao.reports import services
from tests.helpers import owed_report

from .conftest import B12, act

ROLLUP = reverse("rollup:rollup")
BREAKDOWN = reverse("rollup:breakdown")


@pytest.fixture
def approved_12b(tuphap, tree, people):
    """The Sở's 12b approved: 10 for one practice, 20 for the other."""
    province = owed_report(tree["T02003"], tuphap, B12)
    entered = {(f"to_chuc/{tree['T02003002'].pk}", "viec_hop_dong"): Decimal(10), (f"to_chuc/{tree['T02003001'].pk}", "viec_hop_dong"): Decimal(20)}
    services.save_grid(people["T02003_bc"], province, entered, expected_version=province.version)
    province.refresh_from_db()
    for who, code in (("T02003_bc", "gui_kiem_tra"), ("T02003_kt", "da_kiem_tra"), ("T02003_ld", "phe_duyet")):
        act(province, people[who], code)
    return province


def test_the_link_on_a_groups_line_opens_its_drill_down(approved_12b, tree, people, login):
    client = login(people["central"])
    page = client.get(ROLLUP, {"bieu": B12, "don_vi": "T02"}).content.decode()
    assert "o=to_chuc%7Cviec_hop_dong" in page  # the group's line links to its drill-down by the group's code
    response = client.get(BREAKDOWN, {"bieu": B12, "don_vi": "T02", "o": "to_chuc|viec_hop_dong"})
    assert response.status_code == 200
    cell = response.context["cells"][0]
    assert (cell.row, cell.label.split(" — ")[0]) == ("to_chuc", "Tổ chức hành nghề công chứng")
    assert response.context["total"]["values"] == [Decimal(30)]
    # One of the group's rows (an instance) still means the whole group.
    one = client.get(BREAKDOWN, {"bieu": B12, "don_vi": "T02", "o": f"to_chuc/{tree['T02003002'].pk}|viec_hop_dong"})
    assert one.status_code == 200 and one.context["total"]["values"] == [Decimal(30)]


def test_the_centre_expands_a_group_in_place_one_line_per_instance(approved_12b, tree, people, login):
    """Issue 24.8: the group's line (17d's missions, 12b's practices) opens in place — one
    line per instance, its figures summed over the subtree's counted reports and adding up
    to the group's line — and closes again."""
    client = login(people["central"])
    closed = client.get(ROLLUP, {"bieu": B12, "don_vi": "BTC"})
    toggles = [line["toggle"] for line in closed.context["grid_rows"] if "toggle" in line]
    assert len(toggles) == 1 and not toggles[0]["open"] and "Xem từng dòng" in closed.content.decode()
    opened = client.get(ROLLUP + "?" + toggles[0]["query"])
    lines = {line["row"].label: line for line in opened.context["grid_rows"] if line.get("instance")}
    assert set(lines) == {tree["T02003002"].name, tree["T02003001"].name}
    grid = opened.context["grid"]
    for unit, amount in ((tree["T02003002"], 10), (tree["T02003001"], 20)):
        assert grid.values[(f"to_chuc/{unit.pk}", "viec_hop_dong")] == Decimal(amount)
    assert grid.values[("to_chuc/tong", "viec_hop_dong")] == Decimal(30)
    assert "Thu gọn" in opened.content.decode()
    again = [line["toggle"] for line in opened.context["grid_rows"] if "toggle" in line][0]
    assert again["open"] and "mo=" not in again["query"]
