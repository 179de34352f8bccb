"""Reading form definitions from a regime package: the YAML schema and its checks.

Each form is one file `regimes/<key>/forms/<name>.yaml`; `_shared.yaml` beside them
holds what several forms share (`defaults` for the header and signatures,
`enumerations`). The regime's own `regime.yaml` says, under `forms:`, which unit
types file which forms (a unit files the union over its unit-type tags).

Everything is checked before anything is stored, and every problem is reported at
once with its file and line: an unknown key or cell reference, a duplicate code, a
bad type, a formula that does not parse, computed cells that depend on each other.
The result is a normalised spec per form (plain JSON: defaults filled in, formulas
reprinted canonically) whose hash decides whether a form changed.
"""
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from baocao.regimes import REGIMES_DIR

from . import formula as f
from .spec import CycleError, GridSpec

GRID_TYPES = {"integer", "decimal", "money", "text"}
ROLLUPS = {"sum", "none"}
FIELD_TYPES = {"text", "integer", "decimal", "money", "area", "date", "year", "choice", "tick", "reference"}
ROW_KINDS = {"data", "heading", "total"}
ROW_SOURCES = {"child_unit"}
RULE_SCOPES = {"row", "column", "form"}
SEVERITIES = {"error", "warning"}
HEADER_KEYS = {
    "form_number", "issued_by", "receipt_dates", "period_wording", "period_label", "date_range",
    "reporting_unit_label", "reporting_unit", "receiving_unit_label", "receiving_unit", "value_unit", "place_date",
}
# Defaults per type: decimals, and bounds unless the definition says otherwise (`min: null` lifts one).
TYPE_DEFAULTS = {
    "integer": {"decimals": 0, "min": "0"},
    "decimal": {"decimals": 2},
    "money": {"decimals": 0, "min": "0", "unit": "đồng"},
    "area": {"decimals": 2, "min": "0", "unit": "m²"},
    "year": {"decimals": 0, "min": "1900", "max": "2100"},
}
RESERVED = f.KEYWORDS | set(f.FUNCTIONS)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self):
        return f"{self.file}:{self.line}: {self.message}"


class DefinitionError(Exception):
    """Form definitions that cannot be loaded; `problems` lists every one found."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --- YAML that remembers lines ---------------------------------------------------------


class _Map(dict):
    line = 0
    key_lines = None


class _Seq(list):
    line = 0
    item_lines = None


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key, self.line = key, line


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader, node):
    loader.flatten_mapping(node)
    result = _Map()
    result.line, result.key_lines = node.start_mark.line + 1, {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise _DuplicateKey(repr(key), key_node.start_mark.line + 1)
        if key in result:
            raise _DuplicateKey(key, key_node.start_mark.line + 1)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_seq(loader, node):
    result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    result.line, result.item_lines = node.start_mark.line + 1, [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)


def display_path(path):
    path = Path(path)
    try:
        return str(path.relative_to(REGIMES_DIR.parent.parent))
    except ValueError:
        return str(path)


def read_yaml(path, problems):
    """The YAML document at `path` with line numbers kept, or None (and a Problem)."""
    name = display_path(path)
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 (a SafeLoader)
    except _DuplicateKey as e:
        problems.append(Problem(name, e.line, f"duplicate key {e.key!r}"))
        return None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        problems.append(Problem(name, mark.line + 1 if mark else 1, f"not valid YAML: {e.problem or e}"))
        return None
    except (OSError, UnicodeDecodeError) as e:
        problems.append(Problem(name, 1, f"cannot read the file: {e}"))
        return None
    if not isinstance(data, _Map):
        problems.append(Problem(name, 1, "a definition must be a mapping of keys to values"))
        return None
    return data


# --- The checker -----------------------------------------------------------------------


def _line(container, key):
    if isinstance(container, _Map):
        return container.key_lines.get(key, container.line)
    if isinstance(container, _Seq) and isinstance(key, int) and key < len(container.item_lines):
        return container.item_lines[key]
    return getattr(container, "line", 1)


class _Reader:
    """Checks one file's values, collecting Problems with their lines."""

    def __init__(self, path, problems):
        self.file = display_path(path)
        self.problems = problems

    def error(self, line, message):
        self.problems.append(Problem(self.file, line, message))

    def mapping(self, container, key, what):
        value = container[key] if isinstance(container, _Seq) else container.get(key)
        if not isinstance(value, _Map):
            self.error(_line(container, key), f"{what} must be a mapping (key: value)")
            return None
        return value

    def sequence(self, container, key, what, required=True):
        value = container.get(key)
        if value is None and not required:
            return _Seq()
        if not isinstance(value, _Seq):
            self.error(_line(container, key), f"'{key}' of {what} must be a list")
            return _Seq()
        return value

    def keys(self, mapping, allowed, required, what):
        for key in mapping:
            if key not in allowed:
                self.error(_line(mapping, key), f"unknown key {key!r} in {what} (allowed: {', '.join(sorted(allowed))})")
        missing = [key for key in required if key not in mapping]
        for key in missing:
            self.error(mapping.line, f"{what} lacks {key!r}")
        return not missing

    def text(self, mapping, key, default=None):
        value = mapping.get(key)
        if key not in mapping or value is None:
            return default
        if not isinstance(value, str) or not value.strip():
            self.error(_line(mapping, key), f"{key!r} must be non-empty text, not {value!r}")
            return default
        return value

    def flag(self, mapping, key):
        value = mapping.get(key, False)
        if not isinstance(value, bool):
            self.error(_line(mapping, key), f"{key!r} must be true or false, not {value!r}")
            return False
        return value

    def count(self, mapping, key, default):
        value = mapping.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.error(_line(mapping, key), f"{key!r} must be a whole number ≥ 0, not {value!r}")
            return default
        return value

    def choice(self, mapping, key, allowed, default=None):
        value = mapping.get(key, default)
        if value not in allowed:
            self.error(_line(mapping, key), f"bad {key} {value!r} (expected one of: {', '.join(sorted(allowed))})")
            return default
        return value

    def code(self, mapping, key, what):
        value = mapping.get(key)
        if not isinstance(value, str) or not f.IDENTIFIER.match(value) or value in RESERVED:
            self.error(_line(mapping, key), f"bad {what} code {value!r}: use letters, digits and _, not starting with a digit, not a keyword")
            return None
        return value

    def bound(self, mapping, key, default):
        if key not in mapping:
            return default
        value = mapping[key]
        if value is None:
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            return str(Decimal(str(value)))
        except InvalidOperation:
            self.error(_line(mapping, key), f"{key!r} must be a number, not {value!r}")
            return default

    def formula(self, mapping, key, check_refs):
        """The canonical text of a formula, after checking its references; None if bad."""
        text = mapping.get(key)
        line = _line(mapping, key)
        if not isinstance(text, str):
            self.error(line, f"{key!r} must be a formula written as text, not {text!r}")
            return None
        try:
            node = f.parse(text)
        except f.FormulaError as e:
            self.error(line, f"{key} {text!r}: {e.message} at character {e.position + 1}")
            return None
        problems = list(check_refs(node))
        for problem in problems:
            self.error(line, f"{key} {text!r}: {problem}")
        return None if problems else f.unparse(node)

    def unique(self, seen, code, line, what):
        """Remember `code`; a second use is an error naming the first."""
        if code is None:
            return
        if code in seen:
            self.error(line, f"duplicate {what} code {code!r} (first used at line {seen[code]})")
        else:
            seen[code] = line


# --- Shared parts ----------------------------------------------------------------------


def _header(reader, data, defaults, code):
    header = dict(defaults.get("header", {}))
    given = data.get("header")
    if given is not None:
        if not isinstance(given, _Map):
            reader.error(_line(data, "header"), "header must be a mapping")
        else:
            reader.keys(given, HEADER_KEYS, (), "header")
            for key in given:
                if key == "receipt_dates":
                    dates = given[key]
                    if not isinstance(dates, _Map) or not all(isinstance(v, str) for v in dates.values()):
                        reader.error(_line(given, key), "receipt_dates must map a period type to its wording")
                    else:
                        header[key] = {str(k): v for k, v in dates.items()}
                elif key in HEADER_KEYS:
                    header[key] = reader.text(given, key)
    return {k: v.replace("{code}", code) if isinstance(v, str) else v for k, v in header.items()}


def _signatures(reader, data, defaults):
    if "signatures" not in data:
        return list(defaults.get("signatures", []))
    signatures = []
    for i, item in enumerate(reader.sequence(data, "signatures", "the form")):
        item = reader.mapping(data["signatures"], i, "a signature block")
        if item is not None and reader.keys(item, {"title", "hint"}, ("title",), "a signature block"):
            signatures.append({"title": reader.text(item, "title"), "hint": reader.text(item, "hint", "")})
    return signatures


def _enumerations(reader, container, key):
    enumerations = {}
    given = container.get(key)
    if given is None:
        return enumerations
    if not isinstance(given, _Map):
        reader.error(_line(container, key), "enumerations must map a name to its list of choices")
        return enumerations
    for name, choices in given.items():
        line = _line(given, name)
        if not isinstance(name, str) or not f.IDENTIFIER.match(name):
            reader.error(line, f"bad enumeration name {name!r}")
            continue
        if not isinstance(choices, _Seq) or not choices:
            reader.error(line, f"enumeration {name!r} must be a non-empty list of choices")
            continue
        seen, items = {}, []
        for i, choice in enumerate(choices):
            choice = reader.mapping(choices, i, f"a choice of {name!r}")
            if choice is None or not reader.keys(choice, {"key", "label", "group"}, ("key", "label"), f"a choice of {name!r}"):
                continue
            key_ = reader.code(choice, "key", "choice")
            reader.unique(seen, key_, choice.line, f"choice (in {name!r})")
            item = {"key": key_, "label": reader.text(choice, "label")}
            if "group" in choice:
                item["group"] = reader.text(choice, "group")
            items.append(item)
        enumerations[name] = items
    return enumerations


def _rules(reader, data, check_refs_for, grid=None):
    """The form's rules; `grid` (its _GridNames) for a grid form, None for a list."""
    rules, seen = [], {}
    allowed = {"code", "check", "severity", "message", "provisional", "note"} | ({"each", "rows", "columns"} if grid else {"unit_types"})
    for i, _item in enumerate(reader.sequence(data, "rules", "the form", required=False)):
        item = reader.mapping(data["rules"], i, "a rule")
        if item is None or not reader.keys(item, allowed, ("code", "check", "message"), "a rule"):
            continue
        code = reader.code(item, "code", "rule")
        reader.unique(seen, code, item.line, "rule")
        rule = {
            "code": code,
            "severity": reader.choice(item, "severity", SEVERITIES, "error"),
            "message": reader.text(item, "message"),
            "provisional": reader.flag(item, "provisional"),
        }
        if not grid and "unit_types" in item:
            # A list rule that holds only for reports of units of these types (kiemke: a
            # public service unit has no Trụ sở làm việc area).
            rule["unit_types"] = [str(v) for v in reader.sequence(item, "unit_types", "a rule")]
        if grid:
            rule["each"] = reader.choice(item, "each", RULE_SCOPES, "row")
            for key, known in (("rows", grid.rows), ("columns", grid.columns)):
                if key in item:
                    rule[key] = [str(v) for v in reader.sequence(item, key, "a rule")]
                    for v in rule[key]:
                        if v not in known:
                            reader.error(_line(item, key), f"unknown {key[:-1]} {v!r} in the rule's {key}")
        rule["check"] = reader.formula(item, "check", check_refs_for(rule))
        rules.append(rule)
    return rules


# --- Grid forms ------------------------------------------------------------------------


class _GridNames:
    """The names a grid's formulas may use, to check references before building the spec."""

    def __init__(self):
        self.columns = {}  # code -> type
        self.column_order = []
        self.rows = {}  # code -> kind ("data", "total", "heading", "group")
        self.row_order = []

    def kind(self, name):
        if name in self.columns:
            return "col"
        return "group" if self.rows.get(name) == "group" else ("row" if name in self.rows else None)

    def check(self, node, bare):
        """Problems with the references of `node`; `bare` is what a bare name may be:
        "col" (a column of the current row), "row" (a row of the current column) or None."""
        yield from self._walk(node, bare, False)

    def _walk(self, node, bare, aggregated):
        if isinstance(node, f.Ref):
            yield from self._ref(node, bare, aggregated)
        elif isinstance(node, f.Range):
            yield from self._range(node, bare)
        elif isinstance(node, f.Unary):
            yield from self._walk(node.operand, bare, False)
        elif isinstance(node, f.Binary):
            yield from self._walk(node.left, bare, False)
            yield from self._walk(node.right, bare, False)
        elif isinstance(node, f.Call):
            for arg in node.args:
                yield from self._walk(arg, bare, node.name in f.AGGREGATES)

    def _ref(self, ref, bare, aggregated):
        if ref.member:
            if self.rows.get(ref.name) not in ("data", "total"):
                yield f"unknown cell reference {ref}: {ref.name!r} is not a data or total row"
            elif ref.member not in self.columns:
                yield f"unknown cell reference {ref}: {ref.member!r} is not a column"
            elif self.columns[ref.member] == "text":
                yield f"bad type: column {ref.member!r} holds text and cannot be computed with"
            return
        kind = self.kind(ref.name)
        if kind is None:
            yield f"unknown cell reference {ref.name!r}"
        elif kind == "col" and bare != "col":
            yield f"{ref.name!r} is a column; here name a row, or a cell as row.column"
        elif kind in ("row", "group") and bare != "row":
            yield f"{ref.name!r} is a row; here name a column, or a cell as row.column"
        elif kind == "col" and self.columns[ref.name] == "text":
            yield f"bad type: column {ref.name!r} holds text and cannot be computed with"
        elif kind == "row" and self.rows[ref.name] == "heading":
            yield f"row {ref.name!r} is a heading and has no cells"
        elif kind == "group" and not aggregated:
            yield f"{ref.name!r} is a group of rows: use sum({ref.name})"

    def _range(self, node, bare):
        start, end = self.kind(node.start.name), self.kind(node.end.name)
        if node.start.member or node.end.member or start is None or end is None:
            yield f"unknown range {node.start}:{node.end}: a range joins two columns or two rows"
            return
        if start == "col" and end == "col" and bare == "col":
            order = self.column_order
        elif start != "col" and end != "col" and bare == "row":
            order = self.row_order
        else:
            yield f"bad range {node.start}:{node.end}: here a range joins two {'columns' if bare == 'col' else 'rows'}"
            return
        if order.index(node.start.name) > order.index(node.end.name):
            yield f"bad range {node.start}:{node.end}: {node.start.name!r} comes after {node.end.name!r}"
        if order is self.column_order:
            for name in order[order.index(node.start.name) : order.index(node.end.name) + 1]:
                if self.columns[name] == "text":
                    yield f"bad type: range {node.start}:{node.end} takes in text column {name!r}"


def _grid(reader, data, defaults, code, deferred):
    names, seen = _GridNames(), {}
    lines = {}  # ("row"|"col", code) -> line of its formula

    def column(container, index):
        node = reader.mapping(container, index, "a column")
        if node is None:
            return None
        if "children" in node:
            if not reader.keys(node, {"label", "children", "provisional", "note"}, ("label", "children"), "a column heading"):
                return None
            children = [column(node["children"], i) for i in range(len(reader.sequence(node, "children", "a column heading")))]
            return {"label": reader.text(node, "label"), "children": [c for c in children if c], "provisional": reader.flag(node, "provisional")}
        allowed = {"code", "number", "label", "type", "unit", "decimals", "min", "max", "formula", "provisional", "note", "rollup"}
        if not reader.keys(node, allowed, ("code", "label", "type"), "a column"):
            return None
        type_ = reader.choice(node, "type", GRID_TYPES)
        code_ = reader.code(node, "code", "column")
        reader.unique(seen, code_, node.line, "row or column")
        defaults = TYPE_DEFAULTS.get(type_, {})
        leaf = {
            "code": code_,
            "number": reader.text(node, "number", f"({len(names.column_order) + 1})"),
            "label": reader.text(node, "label"),
            "type": type_,
            "unit": reader.text(node, "unit", defaults.get("unit", "")),
            "provisional": reader.flag(node, "provisional"),
        }
        # How a roll-up over units treats the column: summed (the default), or not at all
        # (a rate, a date, a figure that means nothing added up). Computed cells are
        # always recomputed from the summed ones (docs/adr/0005).
        if reader.choice(node, "rollup", ROLLUPS, "sum") == "none":
            leaf["rollup"] = "none"
        if type_ != "text":
            leaf["decimals"] = reader.count(node, "decimals", defaults.get("decimals", 0))
            leaf["min"], leaf["max"] = reader.bound(node, "min", defaults.get("min")), reader.bound(node, "max", None)
        if code_:
            names.columns[code_] = type_
            names.column_order.append(code_)
        if "formula" in node:
            formulas.append((leaf, node, "bare_col"))
            lines[("col", code_)] = _line(node, "formula")
        return leaf

    formulas = []  # checked once every name is known
    columns = [column(data.get("columns"), i) for i in range(len(reader.sequence(data, "columns", "a grid form")))]
    if not any(columns):
        reader.error(_line(data, "columns"), "a grid form needs at least one column")

    rows = []
    for i, _item in enumerate(reader.sequence(data, "rows", "a grid form")):
        node = reader.mapping(data["rows"], i, "a row")
        if node is None:
            continue
        if "group" in node:
            if not reader.keys(node, {"group", "label", "number", "indent", "per", "provisional", "note", "prefill"}, ("group", "label", "per"), "a row group"):
                continue
            code_ = reader.code(node, "group", "row group")
            row = {"group": code_, "label": reader.text(node, "label"), "number": reader.text(node, "number", ""),
                   "indent": reader.count(node, "indent", 0), "per": reader.choice(node, "per", ROW_SOURCES),
                   "provisional": reader.flag(node, "provisional")}
            # Each child's row can be taken from that child's approved report on another
            # form (12b's practice rows from each practice's 12a): {form: code, row: code}.
            prefill = reader.mapping(node, "prefill", "prefill") if "prefill" in node else None
            if prefill is not None and reader.keys(prefill, {"form", "row"}, ("form", "row"), "prefill"):
                row["prefill"] = {"form": reader.text(prefill, "form"), "row": reader.text(prefill, "row")}
                deferred.append(("prefill", reader.file, prefill.line, (code, row["prefill"]["form"], row["prefill"]["row"])))
            kind = "group"
        else:
            allowed = {"code", "number", "label", "indent", "kind", "formula", "disabled", "provisional", "note"}
            if not reader.keys(node, allowed, ("code", "label"), "a row"):
                continue
            code_ = reader.code(node, "code", "row")
            kind = reader.choice(node, "kind", ROW_KINDS, "data")
            row = {"code": code_, "number": reader.text(node, "number", ""), "label": reader.text(node, "label"),
                   "indent": reader.count(node, "indent", 0), "kind": kind, "provisional": reader.flag(node, "provisional")}
            if "disabled" in node:
                row["disabled"] = [str(v) for v in reader.sequence(node, "disabled", "a row")]
                for v in row["disabled"]:
                    if v not in names.columns:
                        reader.error(_line(node, "disabled"), f"unknown column {v!r} in disabled")
            if "formula" in node:
                if kind == "heading":
                    reader.error(_line(node, "formula"), "a heading row has no cells to compute")
                formulas.append((row, node, "bare_row"))
                lines[("row", code_)] = _line(node, "formula")
            elif kind == "total":
                reader.error(node.line, f"total row {code_!r} needs a formula, e.g. sum(first_row:last_row)")
        reader.unique(seen, code_, node.line, "row or column")
        if code_:
            names.rows[code_] = kind
            names.row_order.append(code_)
        rows.append(row)

    for target, node, context in formulas:
        bare = "col" if context == "bare_col" else "row"
        target["formula"] = reader.formula(node, "formula", lambda n, bare=bare: names.check(n, bare))

    def rule_refs(rule):
        bare = {"row": "col", "column": "row", "form": None}[rule.get("each", "row")]
        return lambda node: names.check(node, bare)

    rules = _rules(reader, data, rule_refs, grid=names)
    stub = data.get("stub") or {}
    spec = {
        "code": code,
        "kind": "grid",
        "header": _header(reader, data, defaults, code),
        "signatures": _signatures(reader, data, defaults),
        "stub": {"label": str(stub.get("label", "")), "number": str(stub.get("number", "A"))},
        "columns": [c for c in columns if c],
        "rows": rows,
        "rules": rules,
        "footer_fields": _footer_fields(reader, data),
    }
    if not reader.problems:
        try:
            GridSpec({**spec, "title": ""})
        except CycleError as e:
            row_code, column_code = e.cells[0]
            line = lines.get(("row", row_code)) or lines.get(("col", column_code)) or data.line
            reader.error(line, f"cyclic formula: the computed cells {e} depend on each other")
    return spec


def _footer_fields(reader, data):
    fields_, seen = [], {}
    for i, _item in enumerate(reader.sequence(data, "footer_fields", "the form", required=False)):
        node = reader.mapping(data["footer_fields"], i, "a footer field")
        if node is None or not reader.keys(node, {"code", "label", "type"}, ("code", "label", "type"), "a footer field"):
            continue
        code = reader.code(node, "code", "footer field")
        reader.unique(seen, code, node.line, "footer field")
        fields_.append({"code": code, "label": reader.text(node, "label"), "type": reader.choice(node, "type", GRID_TYPES)})
    return fields_


# --- List forms ------------------------------------------------------------------------


def _list(reader, data, shared, code, deferred):
    enumerations = dict(shared["enumerations"])
    enumerations.update(_enumerations(reader, data, "enumerations"))
    fields_, seen, used = {}, {}, {}
    groups = []
    for i, _item in enumerate(reader.sequence(data, "groups", "a list form")):
        group = reader.mapping(data["groups"], i, "a field group")
        if group is None or not reader.keys(group, {"code", "label", "fields", "provisional", "note"}, ("code", "label", "fields"), "a field group"):
            continue
        group_code = reader.code(group, "code", "field group")
        reader.unique(seen, group_code, group.line, "group or field")
        items = []
        for j, _field in enumerate(reader.sequence(group, "fields", "a field group")):
            item = _field_spec(reader, group["fields"], j, enumerations, used, deferred)
            if item:
                reader.unique(seen, item["code"], group["fields"].item_lines[j], "group or field")
                fields_[item["code"]] = item
                items.append(item)
        groups.append({"code": group_code, "label": reader.text(group, "label"), "fields": items, "provisional": reader.flag(group, "provisional")})
    order = list(fields_)

    def check_refs(node):
        for ref in f.references(node):
            for end in (ref.start, ref.end) if isinstance(ref, f.Range) else (ref,):
                if end.member or end.name not in fields_:
                    yield f"unknown field {str(end)!r}"
                elif fields_[end.name]["type"] == "date":
                    yield f"bad type: field {end.name!r} is a date; formulas work on numbers, text and choices"
            if isinstance(ref, f.Range) and ref.start.name in fields_ and ref.end.name in fields_:
                if order.index(ref.start.name) > order.index(ref.end.name):
                    yield f"bad range {ref.start}:{ref.end}: {ref.start.name!r} comes after {ref.end.name!r}"

    key = data.get("key")
    if key is not None and key not in fields_:
        reader.error(_line(data, "key"), f"key {key!r} is not a field")
    spec = {
        "code": code,
        "kind": "list",
        "key": key,
        "groups": groups,
        "enumerations": {name: enumerations[name] for name in used},
        "rules": _rules(reader, data, lambda rule: check_refs),
    }
    if "summary" in data:
        spec["summary"] = _summary(reader, data, fields_, enumerations, check_refs, deferred)
    if "header" in data:
        spec["header"] = _header(reader, data, shared["defaults"], code)
    if "signatures" in data:
        spec["signatures"] = _signatures(reader, data, shared["defaults"])
    return spec


def _field_spec(reader, container, index, enumerations, used, deferred):
    node = reader.mapping(container, index, "a field")
    allowed = {"code", "label", "type", "required", "min", "max", "decimals", "max_length", "enumeration", "form", "unique", "unit", "provisional", "note"}
    if node is None or not reader.keys(node, allowed, ("code", "label", "type"), "a field"):
        return None
    type_ = reader.choice(node, "type", FIELD_TYPES)
    item = {"code": reader.code(node, "code", "field"), "label": reader.text(node, "label"), "type": type_,
            "required": reader.flag(node, "required"), "unique": reader.flag(node, "unique"), "provisional": reader.flag(node, "provisional")}
    defaults = TYPE_DEFAULTS.get(type_, {})
    if type_ in TYPE_DEFAULTS:
        item["decimals"] = reader.count(node, "decimals", defaults["decimals"])
        item["min"], item["max"] = reader.bound(node, "min", defaults.get("min")), reader.bound(node, "max", defaults.get("max"))
        item["unit"] = reader.text(node, "unit", defaults.get("unit", ""))
    if type_ == "text" and "max_length" in node:
        item["max_length"] = reader.count(node, "max_length", None)
    if type_ == "choice":
        name = node.get("enumeration")
        if name not in enumerations:
            reader.error(_line(node, "enumeration"), f"choice field {item['code']!r} needs a known enumeration, not {name!r}")
        else:
            item["enumeration"] = name
            used[name] = True
    if type_ == "reference":
        item["form"] = reader.text(node, "form")
        deferred.append(("reference", reader.file, _line(node, "form"), item["form"]))
    for key in ("enumeration", "form", "max_length", "decimals", "min", "max", "unit"):
        if key in node and key not in item:
            reader.error(_line(node, key), f"{key!r} does not apply to a {type_} field")
    return item if item["code"] else None


def _summary(reader, data, fields_, enumerations, check_refs, deferred):
    summary = reader.mapping(data, "summary", "summary")
    if summary is None or not reader.keys(summary, {"into", "cells"}, ("into", "cells"), "summary"):
        return {}
    into = reader.text(summary, "into")
    cells = []
    for i, _item in enumerate(reader.sequence(summary, "cells", "summary")):
        node = reader.mapping(summary["cells"], i, "a summary cell")
        if node is None or not reader.keys(node, {"row", "col", "count", "sum", "where"}, ("row", "col"), "a summary cell"):
            continue
        if ("count" in node) == ("sum" in node):
            reader.error(node.line, "a summary cell either counts records (count: true) or sums a formula (sum: …)")
            continue
        cell = {"row": _target(reader, node, "row", fields_, enumerations), "col": _target(reader, node, "col", fields_, enumerations)}
        if "count" in node:
            cell["count"] = reader.flag(node, "count")
        else:
            cell["sum"] = reader.formula(node, "sum", check_refs)
        if "where" in node:
            cell["where"] = reader.formula(node, "where", check_refs)
        deferred.append(("summary", reader.file, node.line, (into, cell["row"], cell["col"])))
        cells.append(cell)
    deferred.append(("summary_into", reader.file, _line(summary, "into"), into))
    return {"into": into, "cells": cells}


def _target(reader, node, key, fields_, enumerations):
    """A summary cell's row or column: a code, or {by: choice field, map: {choice: code or null}}."""
    value = node[key]
    if isinstance(value, str):
        return value
    if not isinstance(value, _Map) or set(value) != {"by", "map"} or not isinstance(value["map"], _Map):
        reader.error(_line(node, key), f"{key} must be a code, or {{by: choice field, map: {{choice: code}}}}")
        return None
    by = value["by"]
    if fields_.get(by, {}).get("type") != "choice":
        reader.error(_line(value, "by"), f"{by!r} is not a choice field of this form")
        return None
    keys = {c["key"] for c in enumerations[fields_[by]["enumeration"]]}
    mapping = value["map"]
    for choice in set(mapping) - keys:
        reader.error(_line(mapping, choice), f"{choice!r} is not a choice of {by!r}")
    for choice in sorted(keys - set(mapping)):
        reader.error(mapping.line, f"the map of {by!r} lacks choice {choice!r} (map it to null to leave it out)")
    return {"by": by, "map": {str(k): v for k, v in mapping.items()}}


# --- Files and regimes -----------------------------------------------------------------


@dataclass
class ParsedForm:
    path: str
    code: str
    kind: str
    title: str
    provisional: bool
    spec: dict
    line: int

    @property
    def content_hash(self):
        canonical = json.dumps(self.spec, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass
class RegimeForms:
    key: str
    forms: list
    assignment: dict = field(default_factory=dict)  # unit type -> tuple of form codes


def parse_form(path, shared, problems, deferred):
    """The ParsedForm of one file, or None; its problems go to `problems`."""
    data = read_yaml(path, problems)
    if data is None:
        return None
    reader = _Reader(path, [])
    common = {"code", "kind", "title", "provisional", "source", "note"}
    kind = reader.choice(data, "kind", {"grid", "list"})
    allowed = common | (
        {"header", "signatures", "stub", "columns", "rows", "rules", "footer_fields"}
        if kind == "grid"
        else {"key", "enumerations", "groups", "rules", "summary", "header", "signatures"}
    )
    if kind:
        reader.keys(data, allowed, ("code", "kind", "title"), "a form")
    code = reader.text(data, "code")
    title = reader.text(data, "title")
    if kind and code:
        spec = _grid(reader, data, shared["defaults"], code, deferred) if kind == "grid" else _list(reader, data, shared, code, deferred)
        spec.update(title=title, provisional=reader.flag(data, "provisional"), source=reader.text(data, "source", ""))
    problems.extend(reader.problems)
    if reader.problems or not (kind and code):
        return None
    return ParsedForm(display_path(path), code, kind, title, spec["provisional"], spec, _line(data, "code"))


def _shared(directory, problems):
    path = directory / "_shared.yaml"
    empty = {"defaults": {}, "enumerations": {}}
    if not path.exists():
        return empty
    data = read_yaml(path, problems)
    if data is None:
        return empty
    reader = _Reader(path, problems)
    reader.keys(data, {"defaults", "enumerations"}, (), "_shared.yaml")
    defaults = {}
    if "defaults" in data:
        given = reader.mapping(data, "defaults", "defaults")
        if given is not None:
            reader.keys(given, {"header", "signatures"}, (), "defaults")
            defaults["header"] = _header(reader, given, {}, "{code}")
            defaults["signatures"] = _signatures(reader, given, {}) if "signatures" in given else []
    return {"defaults": defaults, "enumerations": _enumerations(reader, data, "enumerations")}


def _cross_check(forms, deferred, problems):
    """Checks that need every form: references between registers and summaries into grids."""
    by_code = {form.code: form for form in forms}
    grids = {}
    for kind, file, line, payload in deferred:
        if kind == "reference":
            target = by_code.get(payload)
            if target is None or target.kind != "list":
                problems.append(Problem(file, line, f"a reference field must name a list form of this regime, not {payload!r}"))
        elif kind == "summary_into":
            target = by_code.get(payload)
            if target is None or target.kind != "grid":
                problems.append(Problem(file, line, f"summary into {payload!r}: no grid form with that code in this regime"))
        elif kind == "prefill":
            form_code, source, row = payload
            target = by_code.get(source)
            if target is None or target.kind != "grid":
                problems.append(Problem(file, line, f"prefill from {source!r}: no grid form with that code in this regime"))
            elif row not in {r.get("code") for r in target.spec["rows"]}:
                problems.append(Problem(file, line, f"prefill from {source!r}: it has no row {row!r}"))
        elif kind == "summary":
            into, row, col = payload
            target = by_code.get(into)
            if target is None or target.kind != "grid" or row is None or col is None:
                continue
            grid = grids.setdefault(into, GridSpec(target.spec))
            rows = [row] if isinstance(row, str) else [v for v in row["map"].values() if v]
            cols = [col] if isinstance(col, str) else [v for v in col["map"].values() if v]
            for r in rows:
                for c in cols:
                    try:
                        cell = grid.cell(r, c)
                    except KeyError:
                        problems.append(Problem(file, line, f"unknown cell reference {r}.{c} in {into}"))
                        continue
                    if cell.disabled or cell.computed:
                        problems.append(Problem(file, line, f"cell {r}.{c} of {into} is {'computed' if cell.computed else 'not applicable'}; a summary cannot fill it"))


def _assignment(path, codes, problems):
    """regime.yaml's `forms:` section: {unit type: [form codes]}. Form codes are only
    checked when every form file loaded (`codes` is None otherwise)."""
    data = read_yaml(path, problems)
    if data is None:
        return {}
    reader = _Reader(path, problems)
    unit_types = data.get("unit_types") or {}
    given = data.get("forms")
    if given is None:
        return {}
    if not isinstance(given, _Map):
        reader.error(_line(data, "forms"), "forms must map a unit type to the list of form codes it files")
        return {}
    assignment = {}
    for unit_type, form_codes in given.items():
        line = _line(given, unit_type)
        if unit_type not in unit_types:
            reader.error(line, f"unknown unit type {unit_type!r} (not in unit_types)")
        if not isinstance(form_codes, _Seq):
            reader.error(line, f"the forms of {unit_type!r} must be a list of form codes")
            continue
        seen = {}
        for i, code in enumerate(form_codes):
            if codes is not None and code not in codes:
                reader.error(form_codes.item_lines[i], f"unknown form {code!r} for unit type {unit_type!r}")
            reader.unique(seen, code, form_codes.item_lines[i], "form")
        assignment[unit_type] = tuple(form_codes)
    return assignment


def read_regime(key, root=REGIMES_DIR):
    """Every form of regime `key` (from root/<key>/forms/) and its assignment to unit types.

    Raises DefinitionError with every problem found; nothing partial is returned.
    """
    directory = Path(root) / key
    problems, deferred, forms, seen = [], [], [], {}
    shared = _shared(directory / "forms", problems)
    for path in sorted((directory / "forms").glob("*.yaml")):
        if path.name.startswith("_"):
            continue
        form = parse_form(path, shared, problems, deferred)
        if form is None:
            continue
        if form.code in seen:
            problems.append(Problem(form.path, form.line, f"duplicate form code {form.code!r} (also in {seen[form.code]})"))
            continue
        seen[form.code] = form.path
        forms.append(form)
    if not problems:
        _cross_check(forms, deferred, problems)
    assignment = _assignment(directory / "regime.yaml", None if problems else set(seen), problems)
    if problems:
        raise DefinitionError(problems)
    return RegimeForms(key, forms, assignment)
