"""Fixtures for the Excel and PDF exchange: a regime's forms, an open period, a report of a
unit of the `tree` fixture, its entry account, and helpers to fill a template like a user."""
import io
import os
import re
import zipfile

import pytest
from openpyxl import load_workbook

from baocao.formdefs.services import load_regime_forms
from baocao.reports.models import Period
from tests.helpers import open_period, owed_report


@pytest.fixture
def open_report_for(tree, settings):
    """open_report_for("tuphap", "12a/BTP/BTTP/CC", "T02003002") -> a draft report in an open period."""
    loaded = set()

    def make(regime, form_code, unit_code):
        settings.BAOCAO_REGIME = regime
        if regime not in loaded:
            load_regime_forms(regime)
            loaded.add(regime)
        period = Period.objects.filter(regime=regime, code="2025-6T").first()
        if period is None:
            kind = {"tuphap": "6T", "kiemke": "KIEMKE"}[regime]
            period = open_period(kind, 2025, code="2025-6T", name="6 tháng năm 2025")
        return owed_report(tree[unit_code], period, form_code)

    return make


class Filled:
    """A template opened as a user's Excel would: write cells by form row and column."""

    def __init__(self, content):
        self.book = load_workbook(io.BytesIO(content))
        self.sheet = self.book.worksheets[0]
        marker = self.book.defined_names["BAOCAO_BIEU"].attr_text.strip('"')
        self.first = int(marker.split("|")[2])
        numbers = [cell.value for cell in self.sheet[self.first - 1]]
        self.column_of = {number: index + 1 for index, number in enumerate(numbers) if number}

    def row_of(self, label):
        for row in range(self.first, self.sheet.max_row + 1):
            if self.sheet.cell(row, 1).value == label:
                return row
        raise KeyError(label)

    def set(self, row, number, value):
        """Put `value` in the row (a label, or a sheet row number) under the printed column number."""
        row = self.row_of(row) if isinstance(row, str) else row
        self.sheet.cell(row, self.column_of[number]).value = value
        return self

    def record(self, index, values):
        """Fill record `index` (0-based) of a list template: {column number: value}."""
        for number, value in values.items():
            self.set(self.first + index, number, value)
        return self

    def save(self):
        out = io.BytesIO()
        self.book.save(out)
        return out.getvalue()


def with_cached_value(content, formula, value):
    """The same workbook, with Excel's cached result `value` stored for the formula cell."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb"(<f>" + re.escape(formula.encode()) + rb"</f>)<v\s*/?>(</v>)?", rb"\1<v>" + value.encode() + rb"</v>", data)
            target.writestr(item, data)
    return out.getvalue()


def sheet_values(content):
    """{(row, col): value} of the first sheet of a workbook (read as a user would see it)."""
    sheet = load_workbook(io.BytesIO(content), data_only=True).worksheets[0]
    return {(c.row, c.column): c.value for row in sheet.iter_rows() for c in row if c.value is not None}


@pytest.fixture
def weasyprint():
    """WeasyPrint with its system libraries; a skip locally without them, a failure in CI."""
    try:
        import weasyprint as module
    except OSError as error:
        if os.environ.get("BAOCAO_REQUIRE_BROWSER"):
            pytest.fail(f"WeasyPrint cannot load its system libraries (Pango): {error}")
        pytest.skip(f"WeasyPrint's system libraries are missing: {error}")
    return module
