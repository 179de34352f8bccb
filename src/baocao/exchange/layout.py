"""The printed layout of a report, described once for the Excel template, the Excel and
PDF exports and the Excel import, so that what is written is exactly what is read back.

A sheet is: the header block (form code, "Ban hành theo…", title, period, reporting and
receiving unit), the table's column header (several levels, with spans), the row of
printed column numbers "A", "(1)"…"(n)", the data rows, and, on a printed copy, the
footer (thuyết minh, "…, ngày … tháng … năm …", signature blocks).
"""
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from baocao.reports.services import grid_values, instances_for, record_values
from baocao.units.models import UnitKind

# A list form without its own signature blocks is signed like the registration forms.
DEFAULT_SIGNATURES = (
    {"title": "Người lập biểu", "hint": "(Ký, ghi rõ họ tên)"},
    {"title": "Thủ trưởng đơn vị", "hint": "(Ký, ghi rõ họ tên, đóng dấu)"},
)
# Provincial People's Committees are named "Ủy ban nhân dân tỉnh X": the place is "X".
_PROVINCE_PREFIX = re.compile(r"^(Ủy ban nhân dân|UBND)\s+(tỉnh|thành phố)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class HeadCell:
    """One cell of the table's column header, placed relative to the table's top-left."""

    label: str
    row: int
    col: int
    rowspan: int = 1
    colspan: int = 1


@dataclass(frozen=True)
class TableColumn:
    """A column of the table: the stub (row labels), the record number, or a value."""

    kind: str  # "stub", "index" or "value"
    number: str  # as printed under the header: "A", "(1)"…
    label: str
    code: str = ""
    type: str = "text"
    unit: str = ""
    decimals: int = 0
    min: object = None
    max: object = None
    required: bool = False
    choices: tuple = ()  # (key, label as shown) of a choice field
    width: float = 14


@dataclass
class Layout:
    report: object
    spec: object
    header: dict
    head: list
    head_height: int
    columns: list
    signatures: list
    rows: list = field(default_factory=list)  # grid: the rows as shown (groups expanded)

    @property
    def kind(self):
        return self.spec.kind

    @property
    def width(self):
        """Columns the sheet spans: the table, and at least one per signature block."""
        return max(len(self.columns), len(self.signatures), 2)

    def values(self):
        """Grid: {(row, col): value} as stored; list: the records as stored."""
        return grid_values(self.report) if self.kind == "grid" else record_values(self.report)


def sheet_title(form_code):
    """The data sheet's name: the form code without what Excel forbids in a sheet name."""
    return re.sub(r"[\[\]:*?/\\]", "_", form_code)[:31]


def choice_options(spec, enumeration):
    """(key, label) of an enumeration as shown in a drop-down: the exact label, preceded by
    its heading when it has one ("Hoạt động sự nghiệp › Kinh doanh")."""
    return tuple((c.key, f"{c.group} › {c.label}" if c.group else c.label) for c in spec.enumerations[enumeration])


def _fold(text):
    return " ".join(str(text).split()).casefold()


def choice_lookup(spec, enumeration):
    """{folded text: key}: a choice is recognised by its shown label, its bare label when no
    other choice shares it, or its key."""
    choices = spec.enumerations[enumeration]
    bare = {}
    for c in choices:
        bare.setdefault(_fold(c.label), []).append(c.key)
    lookup = {_fold(label): key for key, label in choice_options(spec, enumeration)}
    lookup.update({text: keys[0] for text, keys in bare.items() if len(keys) == 1})
    lookup.update({_fold(c.key): c.key for c in choices})
    return lookup


def fold_label(text):
    return _fold(text or "")


def place_name(unit):
    """The place written before the date: the province of the unit's nearest governing
    ancestor ("Ủy ban nhân dân tỉnh Hà Giang" gives "Hà Giang"); "" when not a province,
    and the signer writes it by hand."""
    governing = (
        type(unit).objects.filter(code__in=unit.ancestor_codes(), kind=UnitKind.GOVERNING).order_by("-depth").first()
    )
    match = _PROVINCE_PREFIX.match(governing.name) if governing else None
    if match:
        return governing.name[match.end() :]
    return ""


def date_line(place, today=None):
    """'Hà Giang, ngày 05 tháng 03 năm 2025' (the place left dotted when unknown)."""
    today = today or timezone.localdate()
    return _("%(place)s, ngày %(d)s tháng %(m)s năm %(y)s") % {
        "place": place or "…………", "d": f"{today.day:02d}", "m": f"{today.month:02d}", "y": today.year,
    }


def header_block(report, spec):
    """The lines of the header block: left (form), centre (title, period), right (units)."""
    header = getattr(spec, "header", None) or spec.data.get("header") or {}
    period, unit = report.period, report.unit
    left = [header.get("form_number") or _("Biểu số %(code)s") % {"code": spec.code}]
    if header.get("issued_by"):
        left.append(header["issued_by"])
    receipt = (header.get("receipt_dates") or {}).get(period.kind)
    if receipt:
        left.append(_("Ngày nhận báo cáo: %(date)s") % {"date": receipt})
    centre = [line for line in [header.get("period_wording")] if line]
    centre.append(f"{header.get('period_label') or _('Kỳ báo cáo')}: {period.header_name}")
    centre.append(
        _("(Từ ngày %(start)s đến ngày %(end)s)") % {"start": period.data_from.strftime("%d/%m/%Y"), "end": period.data_to.strftime("%d/%m/%Y")}
    )
    receiving = header.get("receiving_unit") or (unit.parent.name if unit.parent_id else "")
    right = [
        f"{header.get('reporting_unit_label') or _('Đơn vị báo cáo')}: {unit.name}",
        f"{header.get('receiving_unit_label') or _('Đơn vị nhận báo cáo')}: {receiving}",
    ]
    if header.get("value_unit"):
        right.append(header["value_unit"])
    return {"left": left, "title": spec.title.upper(), "centre": centre, "right": right}


def _with_unit(label, unit):
    return f"{label} ({unit})" if unit else label


def _grid_table(spec):
    levels = spec.header_rows()
    height = len(levels)
    stub = spec.stub or {}
    head = [HeadCell(stub.get("label", ""), 0, 0, height, 1)]
    columns = [TableColumn("stub", stub.get("number", "A"), stub.get("label", ""), width=42)]
    occupied = set()
    for level, cells in enumerate(levels):
        col = 1
        for cell in cells:
            while (level, col) in occupied:
                col += 1
            label = _with_unit(cell.label, cell.column.unit) if cell.column else cell.label
            head.append(HeadCell(label, level, col, cell.rowspan, cell.colspan))
            occupied.update((r, c) for r in range(level, level + cell.rowspan) for c in range(col, col + cell.colspan))
            col += cell.colspan
    for leaf in spec.leaves:
        columns.append(
            TableColumn("value", leaf.number, leaf.label, leaf.code, leaf.type, leaf.unit, leaf.decimals, leaf.min, leaf.max,
                        width=30 if leaf.type == "text" else 15)
        )
    return head, height, columns


def _list_table(spec):
    head = [HeadCell(_("STT"), 0, 0, 2, 1)]
    columns = [TableColumn("index", "A", _("STT"), width=7)]
    col = 1
    for group in spec.groups:
        fields_ = [spec.field(code) for code in group.fields]
        if len(fields_) == 1 and fold_label(fields_[0].label) == fold_label(group.label):
            head.append(HeadCell(_with_unit(fields_[0].label, fields_[0].unit), 0, col, 2, 1))
        else:
            head.append(HeadCell(group.label, 0, col, 1, len(fields_)))
            head += [HeadCell(_with_unit(fl.label, fl.unit), 1, col + i, 1, 1) for i, fl in enumerate(fields_)]
        for fl in fields_:
            columns.append(
                TableColumn("value", f"({col})", fl.label, fl.code, fl.type, fl.unit, fl.decimals, fl.min, fl.max, fl.required,
                            choice_options(spec, fl.enumeration) if fl.type == "choice" else (),
                            width=32 if fl.type == "text" else 16)
            )
            col += 1
    return head, 2, columns


def layout_for(report):
    spec = report.form.spec_object()
    if spec.kind == "grid":
        head, height, columns = _grid_table(spec)
        rows = spec.expand_rows(instances_for(report))
        signatures = list(spec.signatures) or list(DEFAULT_SIGNATURES)
    else:
        head, height, columns = _list_table(spec)
        rows = []
        signatures = list(spec.data.get("signatures") or DEFAULT_SIGNATURES)
    return Layout(report, spec, header_block(report, spec), head, height, columns, signatures, rows)


def row_label(row):
    """A grid row's label as printed in the stub: its number, then its label."""
    return f"{row.number} {row.label}".strip() if row.number else row.label
