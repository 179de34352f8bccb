"""Printouts: the official declaration and summary layouts a regime declares in
`regimes/<key>/printouts/*.yaml` (kiemke: 04a/04b/04c-ĐK/TSC from a unit's registers, 08a
from the consolidation of a unit's subtree), out to Excel and PDF.

A printout never stores anything: it reads the registers (`scope: unit`) or the roll-up
totals of received reports (`scope: subtree`) and lays them out column by column as the
YAML says. Money columns are printed in nghìn đồng (the stored values are in đồng).
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from baocao import regimes
from baocao.reports.formatting import vn_number

THOUSAND = Decimal(1000)
RECEIVED = 3  # the roll-up bucket of approved / received reports (docs/adr/0005)


@lru_cache(maxsize=None)
def _load(regime_key):
    folder = Path(regimes.__file__).resolve().parent / regime_key / "printouts"
    found = {}
    for path in sorted(folder.glob("*.yaml")) if folder.exists() else ():
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found[path.stem] = data
    return found


def available():
    """{slug: spec} of the current regime ("04a": {...})."""
    return _load(regimes.current().key)


def spec_for(slug):
    return available().get(slug)


@dataclass
class Sheet:
    form_number: str
    title: str
    unit: object
    period: object
    parts: list  # [{"title", "head": [[(label, colspan, rowspan)]], "rows": [[text]], "numbers": [...]}]
    notes: list


def _head(columns):
    """Two header rows from columns with an optional `group`: group cells span their
    columns, ungrouped columns span both rows."""
    top, bottom = [], []
    index = 0
    while index < len(columns):
        group = columns[index].get("group")
        if not group:
            top.append((columns[index]["label"], 1, 2))
            index += 1
            continue
        span = 0
        while index + span < len(columns) and columns[index + span].get("group") == group:
            bottom.append((columns[index + span]["label"], 1, 1))
            span += 1
        top.append((group, span, 1))
        index += span
    return [top, bottom] if bottom else [[(label, 1, 1) for label, _c, _r in top]]


def _amount(value, money):
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except ArithmeticError:
        return str(value)
    if money:
        return vn_number((number / THOUSAND).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return vn_number(number, 2)


def _cell(column, data, spec):
    if "tick" in column:
        return "x" if data.get(column["tick"]["field"]) == column["tick"]["is"] else ""
    if "join" in column:
        return ", ".join(str(data[f]) for f in column["join"] if data.get(f))
    if "sum" in column:
        total = sum((Decimal(str(data[f])) for f in column["sum"] if data.get(f) not in (None, "")), Decimal(0))
        return _amount(total, column.get("money")) if total else ""
    code = column["field"]
    value = data.get(code)
    field = spec._fields.get(code)
    if field is not None and field.type == "choice" and value:
        return spec.choice_label(code, value) or value
    if field is not None and field.type in ("integer", "decimal", "money", "area"):
        return _amount(value, column.get("money") or field.type == "money")
    return "" if value is None else str(value)


def unit_sheet(spec, unit, period):
    """A declaration layout (04a, 04b, 04c) from `unit`'s registers in `period`."""
    from baocao.reports.models import Report

    parts = []
    for section in spec["sections"]:
        report = Report.objects.filter(unit=unit, period=period, form_code=section["source"], exempt=False).select_related("form").first()
        columns = section["columns"]
        rows = []
        if report is not None:
            form = report.form.spec_object()
            for number, data in enumerate(report.records.order_by("position").values_list("data", flat=True), start=1):
                rows.append([str(number)] + [_cell(c, data, form) for c in columns])
        parts.append({"title": section.get("title", ""), "head": _head(columns), "columns": columns, "rows": rows,
                      "numbers": [f"({n})" for n in range(1, len(columns) + 1)], "empty": report is None})
    notes = [_("ĐVT cho: Diện tích đất là: Mét vuông; Diện tích nhà là: Mét vuông; Số lượng là: Cái, Khuôn viên; Giá trị là: Nghìn đồng")]
    return Sheet(spec["form_number"], spec["title"], unit, period, parts, notes)


def _totals(period, units, form_code):
    """{unit id: {(row, column): Decimal}} of received reports over each unit's subtree."""
    from baocao.reports.models import RollupTotal

    found = {}
    ids = [u.pk for u in units]
    for start in range(0, len(ids), 900):
        query = RollupTotal.objects.filter(period=period, bucket=RECEIVED, unit_id__in=ids[start : start + 900], cell__form_code=form_code)
        for unit_id, row, column, number in query.values_list("unit_id", "cell__row_code", "cell__column_code", "number"):
            found.setdefault(unit_id, {})[(row, column)] = number
    return found


def _summary_rows(spec, values):
    rows = []
    for row in spec["rows"]:
        cells = []
        for column in spec["columns"]:
            codes = column.get("sum") or [column["cell"]]
            row_codes = row.get("sum") or [row["code"]]
            total = sum((values.get((r, c), Decimal(0)) for r in row_codes for c in codes), Decimal(0))
            cells.append(_amount(total, column.get("money")) if total else "")
        rows.append([row["label"]] + cells)
    return rows


def summary_sheet(spec, unit, period):
    """08a over `unit`'s subtree in three parts: tổng hợp chung; theo loại hình đơn vị; theo
    từng đơn vị trực thuộc."""
    from baocao.units.models import Unit, UnitType

    form_code = spec["source"]
    children = list(unit.children.active().order_by("code")) if hasattr(unit.children, "active") else list(unit.children.order_by("code"))
    filers = list(Unit.objects.subtree(unit).filter(kind__in=regimes.current().filing_kinds).prefetch_related("unit_types"))
    own = _totals(period, [unit] + children + filers, form_code)
    columns = [{"label": c["label"], "group": c.get("group")} for c in spec["columns"]]
    head = _head([{"label": _("Tài sản")}] + columns)
    numbers = [f"({n})" for n in range(1, len(columns) + 2)]

    def part(title, blocks):
        rows = []
        for label, values in blocks:
            if label:
                rows.append({"heading": label})
            rows.extend({"cells": cells} for cells in _summary_rows(spec, values))
        return {"title": title, "head": head, "numbers": numbers, "rows": rows, "summary": True}

    by_type = {}
    names = dict(UnitType.objects.values_list("code", "name"))
    for filer in filers:
        tags = sorted(t.code for t in filer.unit_types.all())
        key = tags[0] if tags else ""
        bucket = by_type.setdefault(key, {})
        for cell, number in own.get(filer.pk, {}).items():
            bucket[cell] = bucket.get(cell, Decimal(0)) + number
    parts = [
        part(_("Phần 1. Tổng hợp chung"), [(_("Tổng cộng"), own.get(unit.pk, {}))]),
        part(_("Phần 2. Chi tiết theo loại hình đơn vị"),
             [(names.get(key, _("Chưa phân loại")), values) for key, values in sorted(by_type.items(), key=lambda kv: names.get(kv[0], kv[0]))]),
        part(_("Phần 3. Chi tiết theo từng đơn vị"), [(child.label, own.get(child.pk, {})) for child in children]),
    ]
    notes = [spec.get("source_line", "")]
    return Sheet(spec["form_number"], spec["title"], unit, period, parts, [n for n in notes if n])


def sheet_for(spec, unit, period):
    return summary_sheet(spec, unit, period) if spec.get("scope") == "subtree" else unit_sheet(spec, unit, period)


def to_xlsx(sheet):
    """The printout as an .xlsx (bytes), one worksheet, the header block then each part."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    book = Workbook()
    ws = book.active
    ws.title = sheet.form_number.replace("/", "-")[:31]
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    row = 0

    def line(values, bold=False, framed=False):
        nonlocal row
        row += 1
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row, col, value)
            if bold:
                cell.font = Font(bold=True)
            if framed:
                cell.border = border

    moment = sheet.period.data_from.strftime("%d/%m/%Y")
    line([sheet.form_number], bold=True)
    line([_("Cơ quan, tổ chức, đơn vị: %(unit)s") % {"unit": sheet.unit.label}])
    line([sheet.title], bold=True)
    line([_("%(name)s — Thời điểm kiểm kê: 0 giờ ngày %(day)s") % {"name": sheet.period.name, "day": moment}])
    for note in sheet.notes:
        line([note])
    for part in sheet.parts:
        row += 1  # a blank line between parts
        if part["title"]:
            line([part["title"]], bold=True)
        stub = [] if part.get("summary") else [("STT", 1, len(part["head"]))]
        first = row + 1
        for level, header in enumerate(part["head"]):
            at = first + level
            col = 1
            for label, colspan, rowspan in (stub if level == 0 else []) + header:
                while any(ws.cell(at, col).coordinate in merged for merged in ws.merged_cells.ranges):
                    col += 1
                cell = ws.cell(at, col, label)
                cell.alignment, cell.font = centre, Font(bold=True)
                if colspan > 1 or rowspan > 1:
                    ws.merge_cells(start_row=at, start_column=col, end_row=at + rowspan - 1, end_column=col + colspan - 1)
                for r in range(at, at + rowspan):
                    for c in range(col, col + colspan):
                        ws.cell(r, c).border = border
                col += colspan
        row = first + len(part["head"]) - 1
        line((["A"] if not part.get("summary") else []) + part["numbers"], framed=True)
        for item in part["rows"]:
            if isinstance(item, dict) and "heading" in item:
                line([item["heading"]], bold=True)
            else:
                line(item["cells"] if isinstance(item, dict) else item, framed=True)
        if not part["rows"]:
            line([_("Không có tài sản.")])
    ws.column_dimensions["A"].width = 30
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_html(sheet, today=None):
    from django.template.loader import render_to_string

    return render_to_string("exchange/printout.html", {"sheet": sheet, "landscape": True})


def to_pdf(sheet):
    from weasyprint import HTML

    return HTML(string=to_html(sheet)).write_pdf()
