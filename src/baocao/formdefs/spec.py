"""Form specifications at run time: what data entry, imports, roll-ups and exports ask of a form.

A `FormDefinition` stores its normalised spec as JSON (see `schema.py` for what the
YAML may say and how it is checked); `build_spec(data)` turns that JSON into a
`GridSpec` or a `ListSpec`. Both answer in `Decimal`, never float, and both can hand
the browser the same formulas (`to_client_json()`, evaluated by formula.js).

Grid cells are keyed `(row_code, column_code)`. A row group declared "one row per
child unit" has instance rows coded `group/key` (`instance_code`), where `key` is,
say, the child unit's code; its total row sums them with `sum(group)`.
"""
import datetime
import math
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Context, Decimal, InvalidOperation

from django.utils.translation import gettext as _

from baocao.textbounds import TEXT_CELL

from . import formula as f
from .formula import CONTEXT, EvaluationError, evaluate, number, truth


@dataclass(frozen=True)
class RuleResult:
    """A broken rule or a bad value. `error` blocks submission; `warning` needs a note.

    `cells` are what the rule read, in reading order: `(row, column)` pairs in a grid,
    field codes in a list record.
    """

    code: str
    severity: str
    message: str
    cells: tuple = ()

    @property
    def blocking(self):
        return self.severity == "error"


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    message: str
    check: object  # formula AST
    each: str = "record"  # grids: "row", "column" or "form"
    rows: tuple | None = None
    columns: tuple | None = None
    provisional: bool = False
    unit_types: tuple = ()  # list rules: only for reports of units of one of these types

    def applies_to(self, unit_types):
        """Whether the rule holds for a report of a unit of `unit_types` (None: not known,
        so only the rules for every unit)."""
        return not self.unit_types or bool(unit_types and set(self.unit_types) & set(unit_types))


def _rules(data):
    return tuple(
        Rule(
            code=r["code"],
            severity=r["severity"],
            message=r["message"],
            check=f.parse(r["check"]),
            each=r.get("each", "record"),
            rows=tuple(r["rows"]) if r.get("rows") else None,
            columns=tuple(r["columns"]) if r.get("columns") else None,
            provisional=r.get("provisional", False),
            unit_types=tuple(r.get("unit_types") or ()),
        )
        for r in data
    )


def _bound(value):
    return None if value is None else Decimal(value)


def _judge(rule, resolve):
    """Whether `rule` holds; a rule that cannot be computed on these values is not judged."""
    try:
        return truth(evaluate(rule.check, resolve))
    except EvaluationError:
        return True


def _unique(items):
    return tuple(dict.fromkeys(items))


def _decimals_ok(value, decimals):
    return value == value.quantize(Decimal(1).scaleb(-decimals), context=Context(prec=60))


# The largest amount one cell may hold: 15 digits before the decimal point (under VND 10^15,
# a hundred times the largest unit's assets). Every path (page, Excel, API) checks it, so the
# database's DECIMAL(24, 6) (18 digits) has room for a form's computed totals, and SQLite,
# which keeps decimals as doubles, still holds every whole amount exactly.
MAX_WHOLE_DIGITS = 15
LARGEST = Decimal(10) ** MAX_WHOLE_DIGITS


def not_a_number():
    return _("Phải là một số (không nhận NaN, Infinity hay số vô hạn).")


def too_large(value):
    """The message for a number beyond the platform's bound (or not a finite number), or None."""
    if value is None:
        return None
    if not Decimal(value).is_finite():
        return not_a_number()
    if abs(value) >= LARGEST:
        return _("Số quá lớn: phần nguyên tối đa %(n)d chữ số.") % {"n": MAX_WHOLE_DIGITS}
    return None


def _number_problems(value, decimals, low, high):
    """Vietnamese messages for a number that breaks its type or bounds."""
    message = too_large(value)
    if message:
        return [("max", message)]
    problems = []
    if decimals == 0 and value != value.to_integral_value():
        problems.append(("type", _("Phải là số nguyên.")))
    elif decimals and not _decimals_ok(value, decimals):
        problems.append(("decimals", _("Tối đa %(n)d chữ số thập phân.") % {"n": decimals}))
    if low is not None and value < low:
        problems.append(("min", _("Không được nhỏ hơn %(min)s.") % {"min": low}))
    if high is not None and value > high:
        problems.append(("max", _("Không được lớn hơn %(max)s.") % {"max": high}))
    return problems


_VN_NUMBER = re.compile(r"^[-+]?\d{1,3}(\.\d{3})+(,\d+)?$|^[-+]?\d+(,\d+)?$")


def parse_number(value):
    """A Decimal from what a user typed: `1.234.567,5` (Vietnamese), `1234567.5` or a number.

    A lone dot followed by exactly three digits (`1.234`) is read the Vietnamese way, as
    a thousands separator. Returns None for blank; raises ValueError for anything else.
    """
    if value is None or isinstance(value, bool):
        if value is None:
            return None
        raise ValueError(value)
    if isinstance(value, float):  # a number cell of a workbook: 1e400 in the file reads as inf
        if not math.isfinite(value):
            raise ValueError(value)
        return Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValueError(value)
        return Decimal(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if _VN_NUMBER.match(text):
        text = text.replace(".", "").replace(",", ".")
    try:
        result = Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None
    if not result.is_finite():
        raise ValueError(value)
    return result


# --- Grids -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A leaf of the column tree: one column of numbers (or text) as printed, "(1)"…"(n)"."""

    code: str
    number: str
    label: str
    path: tuple  # labels of the headings above it, outermost first
    type: str  # integer, decimal, money, text
    unit: str
    decimals: int
    min: Decimal | None
    max: Decimal | None
    formula: object | None
    provisional: bool = False
    rollup: str = "sum"  # or "none": a roll-up over units leaves it out


@dataclass(frozen=True)
class Heading:
    label: str
    children: tuple
    provisional: bool = False


@dataclass(frozen=True)
class HeaderCell:
    """One cell of the printed multi-level column header; `column` is set on leaves."""

    label: str
    colspan: int
    rowspan: int
    column: Column | None = None


@dataclass(frozen=True)
class Row:
    code: str
    number: str
    label: str
    indent: int
    kind: str  # data, heading, total
    formula: object | None = None
    disabled: frozenset = frozenset()
    group: str | None = None  # set on the instance rows of a RowGroup
    provisional: bool = False


@dataclass(frozen=True)
class RowGroup:
    """A run of rows decided when the report is made: one per child unit (`per`)."""

    code: str
    number: str
    label: str
    indent: int
    per: str
    provisional: bool = False
    kind: str = "group"
    prefill: dict | None = None  # {"form": code, "row": code}: each child's row from its approved report


@dataclass(frozen=True)
class Cell:
    row: Row
    column: Column
    disabled: bool
    formula: object | None

    @property
    def computed(self):
        return self.formula is not None


class CycleError(ValueError):
    """Computed cells that depend on each other; `cells` is the loop, as template cells."""

    def __init__(self, cells):
        self.cells = cells
        super().__init__(" -> ".join(f"{r}.{c}" for r, c in cells))


class _GridContext:
    """Values of one report as the formulas see them; mirrors gridContext in formula.js."""

    def __init__(self, spec, values, instances):
        self.spec = spec
        self.values = values
        self.rows = spec.concrete_rows(values, instances)
        self.touched = None

    def get(self, row, column):
        if self.touched is not None:
            self.touched.append((row, column))
        if self.spec.is_disabled(row, column):
            return None
        return self.values.get((row, column))

    def span(self, start, end):
        """Concrete rows from declared row `start` to `end`, groups expanded, headings left out."""
        inside, codes = False, []
        for row in self.spec.rows:
            inside = inside or row.code == start
            if inside and row.kind != "heading":
                codes += [r.code for r in self.rows if r.code == row.code or r.group == row.code]
            if row.code == end:
                inside = False
        return codes

    def resolver(self, row, column):
        spec = self.spec

        def resolve(node):
            if isinstance(node, f.Range):
                if spec.classify(node.start) == "col":
                    start, end = spec.column_index(node.start.name), spec.column_index(node.end.name)
                    return [self.get(row, c.code) for c in spec.leaves[start : end + 1]]
                return [self.get(r, column) for r in self.span(node.start.name, node.end.name)]
            kind = spec.classify(node)
            if kind == "col":
                return self.get(row, node.name)
            if kind == "row":
                return self.get(node.name, column)
            if kind == "cell":
                return self.get(node.name, node.member)
            return [self.get(r, column) for r in self.span(node.name, node.name)]

        return resolve

    def judge(self, rule, row, column):
        self.touched = []
        holds = _judge(rule, self.resolver(row, column))
        cells, self.touched = _unique(self.touched), None
        return holds, cells


class GridSpec:
    """A grid form: fixed rows (and row groups) × a tree of columns, computed cells, rules."""

    kind = "grid"

    def __init__(self, data):
        self.data = data
        self.code = data["code"]
        self.title = data["title"]
        self.provisional = data.get("provisional", False)
        self.header = data.get("header", {})
        self.signatures = data.get("signatures", [])
        self.stub = data.get("stub", {})
        self.footer_fields = data.get("footer_fields", [])
        leaves = []
        self.column_tree = tuple(self._column(node, (), leaves) for node in data["columns"])
        self.leaves = tuple(leaves)
        self.rows = tuple(self._row(r) for r in data["rows"])
        self.rules = _rules(data.get("rules", []))
        self._columns = {c.code: c for c in self.leaves}
        self._column_index = {c.code: i for i, c in enumerate(self.leaves)}
        self._rows = {r.code: r for r in self.rows}
        self.formulas = self._computation_order()

    @staticmethod
    def _column(node, path, leaves):
        if "children" in node:
            return Heading(
                node["label"],
                tuple(GridSpec._column(child, path + (node["label"],), leaves) for child in node["children"]),
                node.get("provisional", False),
            )
        column = Column(
            code=node["code"],
            number=node["number"],
            label=node["label"],
            path=path,
            type=node["type"],
            unit=node.get("unit", ""),
            decimals=node.get("decimals", 0),
            min=_bound(node.get("min")),
            max=_bound(node.get("max")),
            formula=f.parse(node["formula"]) if node.get("formula") else None,
            provisional=node.get("provisional", False),
            rollup=node.get("rollup", "sum"),
        )
        leaves.append(column)
        return column

    @staticmethod
    def _row(data):
        if "group" in data:
            return RowGroup(data["group"], data.get("number", ""), data["label"], data.get("indent", 0), data["per"],
                            data.get("provisional", False), prefill=data.get("prefill"))
        return Row(
            code=data["code"],
            number=data.get("number", ""),
            label=data["label"],
            indent=data.get("indent", 0),
            kind=data.get("kind", "data"),
            formula=f.parse(data["formula"]) if data.get("formula") else None,
            disabled=frozenset(data.get("disabled", ())),
            provisional=data.get("provisional", False),
        )

    # -- structure --

    def column(self, code):
        return self._columns[code]

    def column_index(self, code):
        return self._column_index[code]

    def classify(self, ref):
        """What a name means here: "col", "row", "group", or "cell" for `row.col`."""
        if ref.member:
            return "cell"
        if ref.name in self._columns:
            return "col"
        row = self._rows.get(ref.name)
        if row is None:
            raise KeyError(ref.name)
        return "group" if isinstance(row, RowGroup) else "row"

    @staticmethod
    def instance_code(group, key):
        return f"{group}/{key}"

    def row(self, code):
        """The row with this code; an instance code `group/key` gives that group's row."""
        if code in self._rows:
            return self._rows[code]
        group, _, key = code.partition("/")
        template = self._rows.get(group)
        if not isinstance(template, RowGroup) or not key:
            raise KeyError(code)
        return Row(code, "", key, template.indent, "data", group=group, provisional=template.provisional)

    def expand_rows(self, instances):
        """The rows to show: groups replaced by one row per `(key, label)` in `instances[group]`."""
        rows = []
        for row in self.rows:
            if isinstance(row, RowGroup):
                for key, label in instances.get(row.code, ()):
                    rows.append(Row(self.instance_code(row.code, key), "", label, row.indent, "data", group=row.code, provisional=row.provisional))
            else:
                rows.append(row)
        return rows

    def concrete_rows(self, values, instances=None):
        """Declared rows with each group replaced by its instances: from `instances`
        ({group: [key, …]}) or else from the row codes found in `values`."""
        rows = []
        for row in self.rows:
            if not isinstance(row, RowGroup):
                rows.append(row)
                continue
            if instances and row.code in instances:
                keys = instances[row.code]
            else:
                prefix = row.code + "/"
                keys = sorted({r[len(prefix) :] for r, _ in values if r.startswith(prefix)})
            rows += [self.row(self.instance_code(row.code, key)) for key in keys]
        return rows

    def storage_cells(self):
        """Every (row or group code, column code) that can hold a value, in printed order:
        the cells of the cell catalogue (formdefs.FormCell). A group's instance rows share
        its cells and are told apart by the instance."""
        return [
            (row.code, column.code)
            for row in self.rows
            if row.kind != "heading"
            for column in self.leaves
            if column.code not in self.disabled_columns(row)
        ]

    def rolls_up(self, row_code, column_code):
        """Whether a roll-up over units sums this cell (of a fixed row or a group): entered
        numeric cells of a column that does not opt out. Computed cells are recomputed
        from the summed ones instead (docs/adr/0005)."""
        row, column = self._rows[row_code], self._columns[column_code]
        if column.type == "text" or column.rollup == "none" or column.code in self.disabled_columns(row):
            return False
        return self._template_formula(row, column) is None

    def disabled_columns(self, row):
        """Columns that do not apply to `row`: those it lists, and text columns of a total row."""
        if row.kind == "heading":
            return {c.code for c in self.leaves}
        if isinstance(row, RowGroup):
            return set()
        texts = {c.code for c in self.leaves if c.type == "text"} if row.kind == "total" else set()
        return set(row.disabled) | texts

    def is_disabled(self, row_code, column_code):
        try:
            row = self.row(row_code)
        except KeyError:
            return True
        template = self._rows[row.group] if row.group else row
        return column_code not in self._columns or column_code in self.disabled_columns(template)

    def _template_formula(self, row, column):
        if column.code in self.disabled_columns(row) or column.type == "text":
            return None
        # A row formula (a total row) wins over a column formula; on linear forms they agree.
        row_formula = row.formula if isinstance(row, Row) else None
        return row_formula if row_formula is not None else column.formula

    def cell(self, row_code, column_code):
        row, column = self.row(row_code), self.column(column_code)
        if isinstance(row, RowGroup):
            raise KeyError(f"{row_code} is a row group; its cells are those of its instance rows")
        template = self._rows[row.group] if row.group else row
        disabled = column_code in self.disabled_columns(template)
        return Cell(row, column, disabled, None if disabled else self._template_formula(template, column))

    def header_rows(self):
        """The column header as printed: a list of header rows of HeaderCells, with spans."""
        def depth(node):
            return 1 + max(map(depth, node.children)) if isinstance(node, Heading) else 1

        def width(node):
            return sum(map(width, node.children)) if isinstance(node, Heading) else 1

        levels = max(map(depth, self.column_tree))
        rows = [[] for _ in range(levels)]

        def place(node, level):
            if isinstance(node, Heading):
                rows[level].append(HeaderCell(node.label, width(node), 1))
                for child in node.children:
                    place(child, level + 1)
            else:
                rows[level].append(HeaderCell(node.label, 1, levels - level, node))

        for node in self.column_tree:
            place(node, 0)
        return rows

    # -- computation --

    def _dependencies(self, row, column, formula):
        for ref in f.references(formula):
            if isinstance(ref, f.Range):
                if self.classify(ref.start) == "col":
                    start, end = self._column_index[ref.start.name], self._column_index[ref.end.name]
                    yield from ((row.code, c.code) for c in self.leaves[start : end + 1])
                else:
                    codes = [r.code for r in self.rows]
                    start, end = codes.index(ref.start.name), codes.index(ref.end.name)
                    yield from ((r.code, column.code) for r in self.rows[start : end + 1] if r.kind != "heading")
                continue
            kind = self.classify(ref)
            if kind == "col":
                yield row.code, ref.name
            elif kind == "cell":
                yield ref.name, ref.member
            else:
                yield ref.name, column.code

    def _computation_order(self):
        """Computed template cells, each after every computed cell it reads. Raises CycleError."""
        formulas = {}
        for row in self.rows:
            if row.kind == "heading":
                continue
            for column in self.leaves:
                formula = self._template_formula(row, column)
                if formula is not None:
                    formulas[(row.code, column.code)] = formula
        order, state = [], {}

        def visit(cell, trail):
            if state.get(cell) == "done":
                return
            if state.get(cell) == "visiting":
                raise CycleError(trail[trail.index(cell) :] + [cell])
            state[cell] = "visiting"
            row, column = self._rows[cell[0]], self._columns[cell[1]]
            for dependency in self._dependencies(row, column, formulas[cell]):
                if dependency in formulas:
                    visit(dependency, trail + [cell])
            state[cell] = "done"
            order.append((cell[0], cell[1], formulas[cell]))

        for cell in formulas:
            visit(cell, [])
        return tuple(order)

    def compute(self, values, instances=None):
        """A copy of `values` ({(row, col): Decimal}) with every computed cell filled in.

        A blank counts as 0; a formula that cannot be computed (division by zero) leaves
        its cell blank (None).
        """
        out = dict(values)
        context = _GridContext(self, out, instances)
        for row_code, column_code, formula in self.formulas:
            for row in context.rows:
                if row.code != row_code and row.group != row_code:
                    continue
                try:
                    result = number(evaluate(formula, context.resolver(row.code, column_code)))
                except EvaluationError:
                    result = None
                out[(row.code, column_code)] = result
        return out

    def _entry_problems(self, values):
        problems = []
        for (row_code, column_code), value in values.items():
            cell_key = ((row_code, column_code),)
            if value is None or value == "":
                continue
            try:
                cell = self.cell(row_code, column_code)
            except KeyError:
                problems.append(RuleResult("cell_unknown", "error", _("Ô không có trong biểu."), cell_key))
                continue
            if cell.disabled:
                problems.append(RuleResult("cell_disabled", "error", _("Ô này không áp dụng cho dòng này; không được nhập số liệu."), cell_key))
                continue
            if cell.computed:
                continue
            column = cell.column
            if column.type == "text":
                if not isinstance(value, str):
                    problems.append(RuleResult("cell_type", "error", _("Phải là văn bản."), cell_key))
                elif len(value) > TEXT_CELL:
                    problems.append(RuleResult("cell_max", "error", _("Tối đa %(n)d ký tự.") % {"n": TEXT_CELL}, cell_key))
                continue
            if isinstance(value, bool) or not isinstance(value, (int, Decimal)) or not Decimal(value).is_finite():
                problems.append(RuleResult("cell_type", "error", _("Phải là số."), cell_key))
                continue
            for code, message in _number_problems(Decimal(value), column.decimals, column.min, column.max):
                problems.append(RuleResult(f"cell_{code}", "error", message, cell_key))
        return problems

    def check(self, values, instances=None):
        """Every problem of a report's values: bad entries (type, bounds, a value in a cell
        that does not apply), then, on the computed values, every broken rule."""
        results = self._entry_problems(values)
        context = _GridContext(self, self.compute(values, instances), instances)
        for rule in self.rules:
            if rule.each == "form":
                targets = [(None, None)]
            elif rule.each == "row":
                targets = [
                    (row.code, None)
                    for row in context.rows
                    if row.kind != "heading" and (rule.rows is None or row.code in rule.rows or row.group in rule.rows)
                ]
            else:
                targets = [(None, c.code) for c in self.leaves if c.type != "text" and (rule.columns is None or c.code in rule.columns)]
            for row, column in targets:
                holds, cells = context.judge(rule, row, column)
                if not holds:
                    results.append(RuleResult(rule.code, rule.severity, rule.message, cells))
        return results

    # -- browser --

    def to_client_json(self):
        def rule(r):
            data = {"code": r.code, "severity": r.severity, "message": r.message, "each": r.each, "f": f.to_json(r.check, self.classify)}
            data["rows"] = list(r.rows) if r.rows else None
            data["columns"] = list(r.columns) if r.columns else None
            return data

        return {
            "kind": "grid",
            "code": self.code,
            "title": self.title,
            "columns": [
                {"code": c.code, "number": c.number, "label": c.label, "type": c.type, "unit": c.unit, "decimals": c.decimals,
                 "min": None if c.min is None else str(c.min), "max": None if c.max is None else str(c.max)}
                for c in self.leaves
            ],
            "rows": [
                {"code": r.code, "number": r.number, "label": r.label, "indent": r.indent, "kind": r.kind,
                 "group": isinstance(r, RowGroup), "disabled": sorted(self.disabled_columns(r))}
                for r in self.rows
            ],
            "formulas": [{"row": r, "col": c, "f": f.to_json(formula, self.classify)} for r, c, formula in self.formulas],
            "rules": [rule(r) for r in self.rules],
        }


# --- Lists -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    group: str | None = None  # a heading over several choices, e.g. "Hoạt động sự nghiệp"


@dataclass(frozen=True)
class Field:
    code: str
    label: str
    type: str  # text, integer, decimal, money, area, date, year, choice, tick, reference
    group: str
    required: bool = False
    min: Decimal | None = None
    max: Decimal | None = None
    decimals: int = 0
    max_length: int | None = None
    enumeration: str | None = None
    form: str | None = None  # the list form a reference points into
    unique: bool = False
    unit: str = ""
    provisional: bool = False


@dataclass(frozen=True)
class FieldGroup:
    code: str
    label: str
    fields: tuple
    provisional: bool = False


@dataclass(frozen=True)
class SummaryCell:
    """Records counted, or a formula summed, into one cell (or a choice-mapped cell) of a grid."""

    row: object  # a row code, or {"by": field, "map": {choice: row code or None}}
    col: object
    count: bool
    sum: object | None
    where: object | None


@dataclass
class RecordCheck:
    errors: dict = field(default_factory=dict)  # field code -> [messages]
    rules: list = field(default_factory=list)  # RuleResult

    @property
    def ok(self):
        """Nothing that blocks submission (warnings only need a note)."""
        return not self.errors and not any(r.blocking for r in self.rules)

    def add(self, field_code, message):
        self.errors.setdefault(field_code, []).append(message)


class ListSpec:
    """A register of records with typed fields, per-record rules and a summary into a grid."""

    kind = "list"

    def __init__(self, data):
        self.data = data
        self.code = data["code"]
        self.title = data["title"]
        self.provisional = data.get("provisional", False)
        self.key = data.get("key")
        self.enumerations = {
            name: tuple(Choice(c["key"], c["label"], c.get("group")) for c in choices) for name, choices in data.get("enumerations", {}).items()
        }
        fields, groups = [], []
        for group in data["groups"]:
            codes = []
            for item in group["fields"]:
                fields.append(
                    Field(
                        code=item["code"], label=item["label"], type=item["type"], group=group["code"],
                        required=item.get("required", False), min=_bound(item.get("min")), max=_bound(item.get("max")),
                        decimals=item.get("decimals", 0), max_length=item.get("max_length"), enumeration=item.get("enumeration"),
                        form=item.get("form"), unique=item.get("unique", False), unit=item.get("unit", ""),
                        provisional=item.get("provisional", False),
                    )
                )
                codes.append(item["code"])
            groups.append(FieldGroup(group["code"], group["label"], tuple(codes), group.get("provisional", False)))
        self.fields = tuple(fields)
        self.groups = tuple(groups)
        self._fields = {fl.code: fl for fl in self.fields}
        self._order = [fl.code for fl in self.fields]
        self.rules = _rules(data.get("rules", []))
        summary = data.get("summary") or {}
        self.summary_into = summary.get("into")
        self.summary_cells = tuple(
            SummaryCell(
                row=cell["row"], col=cell["col"], count=cell.get("count", False),
                sum=f.parse(cell["sum"]) if cell.get("sum") else None,
                where=f.parse(cell["where"]) if cell.get("where") else None,
            )
            for cell in summary.get("cells", [])
        )

    def field(self, code):
        return self._fields[code]

    def choice_label(self, field_code, key):
        return next((c.label for c in self.enumerations[self.field(field_code).enumeration] if c.key == key), None)

    def classify(self, ref):
        if ref.member or ref.name not in self._fields:
            raise KeyError(str(ref))
        return "field"

    # -- records --

    def _clean(self, fl, value):
        """(clean value, message or None) for one field."""
        if isinstance(value, str):
            value = value.strip()
        if value is None or value == "":
            if fl.type == "tick":
                return False, None
            return None, (_("Bắt buộc nhập.") if fl.required else None)
        if fl.type in ("text", "reference"):
            text = unicodedata.normalize("NFC", str(value))  # one spelling of each letter: duplicates are found
            longest = min(fl.max_length or TEXT_CELL, TEXT_CELL)  # the platform's bound when the form sets none
            if len(text) > longest:
                return text, _("Tối đa %(n)d ký tự.") % {"n": longest}
            return text, None
        if fl.type == "choice":
            keys = {c.key for c in self.enumerations[fl.enumeration]}
            return (value, None) if value in keys else (None, _("Giá trị không có trong danh mục."))
        if fl.type == "tick":
            if isinstance(value, bool):
                return value, None
            return (True, None) if str(value).lower() == "x" else (None, _("Chỉ được đánh dấu (x) hoặc để trống."))
        if fl.type == "date":
            return self._clean_date(value)
        try:
            amount = parse_number(value)
        except ValueError:
            return None, _("Phải là số.")
        problems = _number_problems(amount, fl.decimals, fl.min, fl.max)
        return amount, (problems[0][1] if problems else None)

    @staticmethod
    def _clean_date(value):
        if isinstance(value, datetime.datetime):
            return value.date(), None
        if isinstance(value, datetime.date):
            return value, None
        for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return datetime.datetime.strptime(str(value), pattern).date(), None
            except ValueError:
                pass
        return None, _("Ngày không hợp lệ (định dạng dd/mm/yyyy).")

    def clean_record(self, record):
        """({field: clean value}, {field: [messages]}): numbers become Decimal (Vietnamese
        input such as `1.234.567,5` is accepted), dates `date`, ticks bool; bad values None."""
        values, errors = {}, {}
        for fl in self.fields:
            values[fl.code], message = self._clean(fl, record.get(fl.code))
            if message:
                errors[fl.code] = [message]
        return values, errors

    def _resolver(self, values, touched=None):
        def value(code):
            if touched is not None:
                touched.append(code)
            return values.get(code)

        def resolve(node):
            if isinstance(node, f.Range):
                start, end = self._order.index(node.start.name), self._order.index(node.end.name)
                return [value(code) for code in self._order[start : end + 1]]
            return value(node.name)

        return resolve

    def validate_record(self, record, known_keys=None, unit_types=None):
        """A RecordCheck: messages per field (required, type, bounds, enumeration, and, if
        `known_keys` ({form code: set of keys}) is given, references) and broken rules
        (those for the unit's types too when `unit_types` is given)."""
        values, errors = self.clean_record(record)
        check = RecordCheck(errors)
        if known_keys is not None:
            for fl in self.fields:
                if fl.type == "reference" and values.get(fl.code) and values[fl.code] not in known_keys.get(fl.form, ()):
                    check.add(fl.code, _("Không tìm thấy bản ghi được tham chiếu."))
        for rule in self.rules:
            if not rule.applies_to(unit_types):
                continue
            touched = []
            if not _judge(rule, self._resolver(values, touched)):
                check.rules.append(RuleResult(rule.code, rule.severity, rule.message, _unique(touched)))
        return check

    def forbidden_choices(self, field_code, unit_types):
        """{choice key: message} of the choices of `field_code` that a blocking rule for these
        unit types refuses whatever else the record says (a rule that reads this field alone:
        a usage status a kind of unit never uses). The entry form disables them, with why."""
        fl = self.field(field_code)
        out = {}
        for rule in self.rules:
            if rule.severity != "error" or not rule.applies_to(unit_types):
                continue
            if {ref.name for ref in f.references(rule.check) if isinstance(ref, f.Ref)} != {field_code}:
                continue
            for choice in self.enumerations.get(fl.enumeration, ()):
                if not _judge(rule, self._resolver({field_code: choice.key})):
                    out.setdefault(choice.key, rule.message)
        return out

    def validate_records(self, records, known_keys=None, unit_types=None):
        """A RecordCheck per record, plus duplicates of `unique` fields across the records."""
        checks = [self.validate_record(record, known_keys, unit_types) for record in records]
        for fl in self.fields:
            if not fl.unique:
                continue
            first = {}
            for number_, (record, check) in enumerate(zip(records, checks), start=1):
                value, _message = self._clean(fl, record.get(fl.code))
                if value is None:
                    continue
                seen = str(value).casefold()
                if seen in first:
                    check.add(fl.code, _("Trùng với bản ghi số %(n)d.") % {"n": first[seen]})
                else:
                    first[seen] = number_
        return checks

    def summarise(self, records):
        """{(row, col): Decimal} of the summary grid, over these records. Only cells some
        record reaches appear; records are taken as cleaned (bad values count as blank)."""
        totals = {}
        for record in records:
            values, _errors = self.clean_record(record)
            resolve = self._resolver(values)
            for cell in self.summary_cells:
                try:
                    if cell.where is not None and not truth(evaluate(cell.where, resolve)):
                        continue
                    amount = Decimal(1) if cell.count else number(evaluate(cell.sum, resolve))
                except EvaluationError:
                    continue
                row, col = self._target(cell.row, values), self._target(cell.col, values)
                if row is not None and col is not None:
                    totals[(row, col)] = CONTEXT.add(totals.get((row, col), Decimal(0)), amount)
        return totals

    @staticmethod
    def _target(target, values):
        if isinstance(target, str):
            return target
        return target["map"].get(values.get(target["by"]))

    # -- browser --

    def to_client_json(self, unit_types=None):
        return {
            "kind": "list",
            "code": self.code,
            "title": self.title,
            "fields": [
                {"code": fl.code, "label": fl.label, "type": fl.type, "group": fl.group, "required": fl.required,
                 "min": None if fl.min is None else str(fl.min), "max": None if fl.max is None else str(fl.max),
                 "decimals": fl.decimals, "max_length": fl.max_length, "enumeration": fl.enumeration, "form": fl.form}
                for fl in self.fields
            ],
            "enumerations": {name: [{"key": c.key, "label": c.label, "group": c.group} for c in choices] for name, choices in self.enumerations.items()},
            "rules": [{"code": r.code, "severity": r.severity, "message": r.message, "f": f.to_json(r.check, self.classify)}
                      for r in self.rules if r.applies_to(unit_types)],
        }


def build_spec(data):
    """The GridSpec or ListSpec for a normalised spec (FormDefinition.spec)."""
    return GridSpec(data) if data["kind"] == "grid" else ListSpec(data)
