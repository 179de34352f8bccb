"""A 12b of a Sở Tư pháp with ~100 notary organisations saved without JavaScript: the page
posts every input (more than DATA_UPLOAD_MAX_NUMBER_FIELDS, 1,000), and the save takes
them; no other page accepts more fields than Django's bound (issue 23)."""
import re
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from baocao.reports import services
from baocao.reports.models import Report
from baocao.units.models import Unit, UnitKind
from tests.helpers import owed_report

pytestmark = pytest.mark.django_db


def form_post(client, url, data):
    """As a browser posts a plain form (application/x-www-form-urlencoded)."""
    return client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")


def _twelve_b(tuphap, tree, practices):
    parent = tree["T02003"]
    for n in range(practices):
        unit = Unit.objects.create(code=f"T02003V{n:03d}", name=f"Văn phòng công chứng {n}", kind=UnitKind.REPORTING, parent=parent)
        unit.unit_types.add("to_chuc_hanh_nghe_cong_chung")
    return owed_report(parent, tuphap, "12b/BTP/BTTP/CC")


def test_a_12b_of_95_organisations_saves_every_input_without_javascript(tuphap, tree, make_account, login):
    report = _twelve_b(tuphap, tree, 95)
    client = login(make_account("T02003", "entry"))
    page = client.get(reverse("reports:report", args=[report.pk])).content.decode()
    inputs = re.findall(r'name="(c\|[^"]+)"', page)
    assert len(inputs) > 1000  # what a browser without JavaScript posts, with the version and the rest
    data = {"version": report.version, "explanation": "Cả năm", **{name: "2" for name in inputs}}
    response = form_post(client, reverse("reports:save", args=[report.pk]), data)
    assert response.status_code == 302, response.status_code
    saved = Report.objects.get(pk=report.pk)
    assert saved.version == report.version + 1 and saved.explanation == "Cả năm"
    first = Unit.objects.get(code="T02003V000")
    assert services.grid_values(saved)[(f"to_chuc/{first.pk}", "cong_chung_vien")] == Decimal(2)


def test_other_pages_keep_djangos_bound_on_fields(tuphap, tree, make_account, login):
    report = _twelve_b(tuphap, tree, 2)
    client = login(make_account("T02003", "entry"))
    many = {f"f{n}": "1" for n in range(1500)}
    assert form_post(client, reverse("reports:explanation", args=[report.pk]), {"version": 1, **many}).status_code == 400
    # The grid's own bound follows its size: 2 organisations do not open the door to 1,500 fields.
    assert form_post(client, reverse("reports:save", args=[report.pk]), {"version": 1, **many}).status_code == 400
    assert Report.objects.get(pk=report.pk).version == report.version
