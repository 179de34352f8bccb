"""What grew with the country (issue 23): the list of every unit owing a form and the list
of reports not sent are read page by page after a key (any page costs a page, the same
statements at any size), and their long Excel exports are written by the task worker."""
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from baocao.audit.models import AuditEvent
from baocao.jobs import services as jobs
from baocao.jobs.models import Job
from baocao.rollup import views
from baocao.units.models import Unit

from .conftest import A12
from .test_queries import grow

BREAKDOWN, COMPLETENESS = reverse("rollup:breakdown"), reverse("rollup:completeness")
EVERY = {"don_vi": "BTC", "tinh": "all", "pham_vi": "tat_ca", "o": "to_chuc|viec_hop_dong", "bieu": A12}


def _pages(client, url, params, key):
    """Every page of a keyset list, following its "Trang sau" key: [(rows, statements)]."""
    out, after = [], ""
    while True:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, {**params, **({"sau": after} if after else {})})
        assert response.status_code == 200
        page = response.context[key]
        out.append((list(page.object_list), len(captured)))
        if not page.has_next:
            return out
        assert f"sau={page.next_after}" in response.content.decode()
        after = page.next_after


def test_every_unit_owing_a_form_pages_by_key_in_tree_order(tuphap, tree, people, login, monkeypatch):
    monkeypatch.setattr(views, "EVERY_UNIT_IN_REQUEST", 10)
    grow(tree, tuphap, 0, 30)  # 60 more notary practices: 65 units owe 12a
    client = login(people["central"])
    pages = _pages(client, BREAKDOWN, {**EVERY, "sap_xep": "-0"}, "page")  # a sort by a column is not offered: tree order
    codes = [row["unit"].code for rows, _n in pages for row in rows]
    owing = Unit.objects.filter(unit_types="to_chuc_hanh_nghe_cong_chung")
    assert len(pages) == 2 and len(codes) == len(set(codes)) == owing.count() == 65
    assert codes == [u.code for u in sorted(owing, key=lambda u: u.path.encode())]
    assert pages[1][1] == pages[0][1] + 1  # the second page costs the first's, and the look-up of its key
    first = client.get(BREAKDOWN, EVERY)
    assert "Trang sau" in first.content.decode() and first.context["paged"]
    # Below the bound, the whole list sorts by any column, as before.
    monkeypatch.setattr(views, "EVERY_UNIT_IN_REQUEST", 1000)
    assert not client.get(BREAKDOWN, EVERY).context["paged"]


def test_a_page_of_every_unit_runs_as_many_statements_in_a_larger_country(tuphap, tree, people, login, monkeypatch):
    monkeypatch.setattr(views, "EVERY_UNIT_IN_REQUEST", 10)
    grow(tree, tuphap, 0, 30)
    client = login(people["central"])
    deep = Unit.objects.filter(unit_types="to_chuc_hanh_nghe_cong_chung").order_by("code")[20].code
    client.get(BREAKDOWN, EVERY)  # warm: the first request of a session may write it

    def statements():
        out = []
        for params in (EVERY, {**EVERY, "sau": deep}, {**EVERY, "q": "cong chung"}):
            with CaptureQueriesContext(connection) as captured:
                assert client.get(BREAKDOWN, params).status_code == 200
            out.append(len(captured))
        return out

    small = statements()
    grow(tree, tuphap, 30, 40)
    assert statements() == small


def test_the_export_of_every_unit_of_a_large_subtree_is_a_job(tuphap, tree, people, login, monkeypatch):
    monkeypatch.setattr(views, "EVERY_UNIT_IN_REQUEST", 10)
    grow(tree, tuphap, 0, 30)
    client = login(people["central"])
    url = reverse("rollup:breakdown_xlsx")
    confirm = client.get(url, EVERY)  # a link starts nothing: a page asks first
    assert confirm.status_code == 200 and "Lập tệp Excel" in confirm.content.decode() and not Job.objects.exists()
    query = confirm.context["query"]
    started = client.post(f"{url}?{query}")
    job = Job.objects.get()
    assert started.url == reverse("jobs:detail", args=[job.pk])
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE, job.result
    assert job.result["message"] == "Đã lập tệp Excel chi tiết của 65 đơn vị."
    download = client.get(reverse("jobs:download", args=[job.pk]))
    assert "ChiTiet_12a-BTP-BTTP-CC_BTC_NAM_CT_2025_all.xlsx" in download["Content-Disposition"]
    lines = list(load_workbook(io.BytesIO(b"".join(download.streaming_content))).worksheets[0].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(lines) if row[0] == "STT")
    body = [row for row in lines[header + 1:] if row[1]]
    assert body[0][1:3] == ("BTC", "Tổng cộng") and len(body) == 66
    event = AuditEvent.objects.get(action="rollup.breakdown_exported")
    assert event.actor == people["central"] and event.after["rows"] == 65 and event.after["background"]


def test_the_export_job_checks_the_starters_reach_again(tuphap, tree, people, monkeypatch):
    job = jobs.start(people["T02_qt"], "baocao.rollup.jobs.breakdown_export", title="x",
                     params={"query": "don_vi=T01&pham_vi=tat_ca&o=to_chuc%7Cviec_hop_dong"})
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.REFUSED and not job.output


def test_the_units_not_sent_page_by_key_and_a_long_export_is_a_job(tuphap, tree, people, login, monkeypatch):
    grow(tree, tuphap, 0, 30)  # half of them approved: 35 of 65 not sent
    client = login(people["central"])
    params = {"don_vi": "BTC", "bieu": A12}
    monkeypatch.setattr(views, "PAGE_SIZE", 10)
    pages = _pages(client, COMPLETENESS, params, "missing")
    reports = [r.pk for rows, _n in pages for r in rows]
    assert len(reports) == len(set(reports)) == 35 and len(pages) == 4
    assert len({n for _rows, n in pages[1:]}) == 1  # every page after the first the same statements, the last one too
    searched = _pages(client, COMPLETENESS, {**params, "q": "T02X"}, "missing")
    assert sum(len(rows) for rows, _n in searched) == 15 and searched[0][0][0].unit.code.startswith("T02X")
    monkeypatch.setattr(views, "BACKGROUND_EXPORT", 5)
    url = reverse("rollup:not_sent_xlsx")
    assert "Lập tệp Excel" in client.get(url, params).content.decode() and not Job.objects.exists()
    client.post(f"{url}?don_vi=BTC&bieu={A12}")
    job = Job.objects.get()
    jobs.run(job.pk)
    job.refresh_from_db()
    assert job.status == Job.Status.DONE and job.result["message"] == "Đã lập tệp Excel 35 báo cáo chưa gửi."
    assert AuditEvent.objects.get(action="rollup.not_sent_exported").after["reports"] == 35
