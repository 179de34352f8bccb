"""TRANG CHỦ: a reporting unit sees what it owes and how far each report is; an aggregating,
governing or central unit sees progress per form, completeness by child unit (a Chart.js
chart fed by json_script), deadlines, late units and recent activity in its subtree."""
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from baocao.reports import periods

from .conftest import A12, act, approve, fill, notary

HOME = reverse("shell:home")


def test_a_central_administrator_sees_the_progress_of_the_whole_tree(tuphap, tree, people, login):
    approve(notary(tree, tuphap, "T02003002"), people, viec_hop_dong=1)
    report = notary(tree, tuphap, "046001")
    fill(report, people["046001_bc"], viec_hop_dong=2)
    act(report, people["046001_bc"], "gui_kiem_tra")
    response = login(people["central"]).get(HOME)
    d = response.context["dashboard"]
    [item] = d["periods"]
    assert item["period"] == tuphap and item["days_left"] == 30
    forms = {f["code"]: f for f in item["forms"]}
    assert forms[A12]["sent"] == 1 and forms[A12]["obligations"] == 5 and forms[A12]["widths"]["on_time"] == "20.0"
    assert forms["12b/BTP/BTTP/CC"]["obligations"] == 1
    assert d["chart"]["labels"] == ["046", "T01", "T02"]
    text = response.content.decode()
    assert 'data-chart="home-chart-data"' in text and 'id="home-chart-data"' in text and "/static/vendor/chartjs/chart.umd.min.js" in text
    assert "/static/rollup/charts.js" in text and "<script>" not in text
    assert "1/5 báo cáo (20,0%)" in text
    activity = [(a["who"], a["action"], a["form"]) for a in d["activity"]]
    assert activity[0] == ("046001_bc", "Gửi kiểm tra", A12) and ("T02003002_ld", "Phê duyệt", A12) in activity
    assert d["late"] == []  # the deadline is 30 days ahead


def test_late_units_once_the_deadline_passed(tuphap, tree, people, login):
    day = timezone.localdate() - timedelta(days=7)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    notary(tree, tuphap, "T02001")
    periods.update_period(None, tuphap, name=tuphap.name, deadline=day)
    d = login(people["T02_qt"]).get(HOME).context["dashboard"]
    assert d["unit"].code == "T02"
    assert [(r.unit.code, r.form_code) for r in d["late"]] == [("T02001", A12), ("T02003", "12b/BTP/BTTP/CC"), ("T02003001", A12), ("T02003002", A12)]
    assert d["periods"][0]["days_left"] < 0


def test_a_reporting_unit_sees_what_it_owes_and_no_dashboard(tuphap, tree, people, login):
    approve(notary(tree, tuphap, "T02003002"), people, viec_hop_dong=1)
    response = login(people["T02003002_bc"]).get(HOME)
    assert response.context["dashboard"] is None
    [item] = response.context["open_periods"]
    assert item["forms"] == 1 and item["done"] == 1 and [r.form_code for r in item["reports"]] == [A12]
    assert "Đã phê duyệt" in response.content.decode() and "home-chart" not in response.content.decode()


def test_an_aggregating_unit_sees_its_own_subtree(tuphap, tree, people, login):
    approve(notary(tree, tuphap, "T02003001"), people, viec_hop_dong=1)
    d = login(people["T02003_ld"]).get(HOME).context["dashboard"]
    assert d["unit"].code == "T02003" and d["chart"]["labels"] == ["T02003001", "T02003002"]
    assert {a["unit"].code for a in d["activity"]} == {"T02003001"}
