"""Importing the unit catalogue (danh mục đơn vị) from Excel or the command line.

All-or-nothing: every row is validated first and every problem is reported with its row;
only a clean file is applied, in one transaction. Importing the same file again changes
nothing; a file with new names or parents updates them (moving whole subtrees).
"""
import re
import zipfile
from xml.etree.ElementTree import ParseError
from types import SimpleNamespace
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from baocao.access import permissions, policy
from baocao.audit.services import event, record, record_many, record_read

from .models import CODE_PATTERN, Unit, UnitKind, UnitStatus, UnitType
from . import codes as unit_codes, tree
from .signals import units_created, units_renamed
from .text import clean_text, fold

# Header of each column, as printed in the template, and the field it fills.
COLUMNS = (
    ("code", "Mã đơn vị"),
    ("name", "Tên đơn vị"),
    ("parent_code", "Mã đơn vị cấp trên"),
    ("kind", "Loại đơn vị"),
    ("unit_types", "Loại hình đơn vị"),
    ("address", "Địa chỉ"),
    ("phone", "Điện thoại"),
    ("email", "Thư điện tử"),
)
# Contact columns are optional: a file without them, or an empty cell, leaves the stored
# contact as it is.
CONTACT_COLUMNS = ("address", "phone", "email")
REQUIRED_COLUMNS = ("code", "name", "parent_code", "kind")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROWS = 200_000
MAX_ERRORS = 1_000  # problems listed before the check stops (a file of bad rows is refused at once)
UPDATE_BATCH = 1000
# A catalogue row costs far more than a cell of a register (a unit, its accounts and audit
# events: a 5,406-row catalogue took 50 s): the task worker takes a catalogue from a tenth of
# the work a register import is read in the request with.
WORK_WEIGHT = 10
# Rows and shared strings a catalogue file may hold (jobs.uploads.inspect_xlsx).
BOUNDS = {"max_rows": MAX_ROWS + 1000, "max_strings": 500_000}


def background_work():
    """The estimated work (cells with a value + strings) above which a catalogue is imported by the task worker."""
    return settings.BAOCAO_BACKGROUND_WORK // WORK_WEIGHT


def kind_words():
    """{folded word: kind}: the internal key, the platform's label and the regime's label of
    each kind are all accepted ("Đơn vị kiểm kê", "don vi kiem ke", "reporting")."""
    words = {fold(value): value for value in UnitKind.values}
    words.update({fold(label): value for value, label in UnitKind.choices})
    words.update({fold(label): value for value, label in unit_codes.kind_labels().items()})
    words.update({fold("Đơn vị thực hiện kiểm kê"): UnitKind.REPORTING})
    return words


def allowed_kinds():
    """The kind labels a file may use, as the template and every error list them."""
    return list(unit_codes.kind_labels().values())


def type_words():
    """{folded word: unit type code}: the code or the name users see ("Đơn vị sự nghiệp công lập")."""
    words = {}
    for code, name in UnitType.objects.values_list("code", "name"):
        words.setdefault(fold(code), code)
        words.setdefault(fold(name), code)
    return words


def _match_types(pieces, type_of):
    """[(text, unit type or None)]: each piece separated by ';' is a code or a name; a piece
    that is neither is split at its commas, joining neighbours back while they form a name
    ("Bộ, cơ quan ngang Bộ, Đơn vị sự nghiệp công lập" is two types)."""
    found = []
    for piece in pieces:
        if fold(piece) in type_of:
            found.append((piece, type_of[fold(piece)]))
            continue
        parts = [p.strip() for p in piece.split(",") if p.strip()]
        start = 0
        while start < len(parts):
            for end in range(len(parts), start, -1):
                text = ", ".join(parts[start:end])
                if fold(text) in type_of:
                    found.append((text, type_of[fold(text)]))
                    start = end
                    break
            else:
                found.append((parts[start], None))
                start += 1
    return found


def allowed_types():
    return list(UnitType.objects.order_by("name").values_list("name", flat=True))


_HEADER_BY_WORD = {fold(header): key for key, header in COLUMNS} | {key: key for key, _ in COLUMNS}


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based row in the sheet (0: the file as a whole)
    column: str
    value: str
    message: str
    code: str = ""  # "scope" for rows outside the importer's scope (audited)

    def __str__(self):
        where = _("Dòng %(row)d") % {"row": self.row} if self.row else _("Tệp")
        if self.column:
            where = _("%(where)s, cột %(column)s") % {"where": where, "column": self.column}
        value = f" ('{self.value}')" if self.value else ""
        return f"{where}{value}: {self.message}"


class CatalogueError(Exception):
    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class CatalogueRow:
    row: int
    code: str
    name: str
    parent_code: str
    kind: str
    unit_types: tuple = ()
    contact: dict = field(default_factory=dict)  # address / phone / email, as given in the file


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    details: list = field(default_factory=list)


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).strip()


def read_xlsx(fileobj, size=None, progress=None):
    """Rows of the first visible sheet of an .xlsx catalogue. Raises CatalogueError on a
    file that is too big, expands beyond the upload bounds, is not an xlsx, or lacks the
    required columns. `progress(done, total, stage)` is told how far the reading got."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from baocao.jobs.uploads import UploadRefused, inspect_xlsx

    try:
        inspection = inspect_xlsx(fileobj, size, **BOUNDS)
    except UploadRefused as refused:
        raise CatalogueError([RowError(0, "", "", refused.message)]) from None
    broken = (zipfile.BadZipFile, InvalidFileException, ParseError, KeyError, IndexError, EOFError, OSError, ValueError, TypeError)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except broken:
        raise CatalogueError([RowError(0, "", "", _("Tệp không phải là tệp Excel (.xlsx) hợp lệ."))]) from None
    try:
        return _read_rows(workbook, inspection, progress or (lambda *args, **kwargs: None))
    except broken:  # a sheet whose XML is damaged, met while reading it
        raise CatalogueError([RowError(0, "", "", _("Tệp Excel bị hỏng: không đọc được nội dung trang tính."))]) from None
    finally:
        workbook.close()


def _read_rows(workbook, inspection, progress):
    sheet = next((ws for ws in workbook.worksheets if ws.sheet_state == "visible"), None)
    if sheet is None:
        raise CatalogueError([RowError(0, "", "", _("Tệp không có trang tính nào."))])
    rows = sheet.iter_rows(values_only=True)
    header = next(rows, None) or ()
    positions = {}
    for index, title in enumerate(header):
        key = _HEADER_BY_WORD.get(fold(title))
        if key and key not in positions:
            positions[key] = index
    missing = [dict(COLUMNS)[key] for key in REQUIRED_COLUMNS if key not in positions]
    if missing:
        raise CatalogueError(
            [RowError(1, "", "", _("Thiếu cột: %(cols)s. Dòng đầu tiên phải là tiêu đề các cột.") % {"cols": ", ".join(missing)})]
        )
    parsed = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1000:  # blank rows count too: a sheet whose declared size lied
            raise CatalogueError([RowError(number, "", "", _("Tệp có quá %(n)d dòng.") % {"n": MAX_ROWS})])
        progress(number, inspection.rows or None, _("Đang đọc tệp…"))
        cells = {key: _cell_text(values[i]) if i < len(values) else "" for key, i in positions.items()}
        if not any(cells.values()):
            continue
        if len(parsed) >= MAX_ROWS:
            raise CatalogueError([RowError(number, "", "", _("Tệp có quá %(n)d dòng.") % {"n": MAX_ROWS})])
        parsed.append(
            CatalogueRow(
                row=number,
                code=cells.get("code", ""),
                name=cells.get("name", ""),
                parent_code=cells.get("parent_code", ""),
                kind=cells.get("kind", ""),
                unit_types=tuple(t.strip() for t in cells.get("unit_types", "").split(";") if t.strip()),
                contact={key: cells[key] for key in CONTACT_COLUMNS if cells.get(key)},
            )
        )
    return parsed


def success_message(summary):
    return _("Nhập danh mục thành công: %(c)d đơn vị mới, %(u)d đơn vị cập nhật, %(n)d không thay đổi.") % {
        "c": summary.created, "u": summary.updated, "n": summary.unchanged}


def audit_refusal(actor, request, filename, errors):
    """A refused catalogue file leaves its audit event (who, which file, the first problems)."""
    record_read("units.import_refused", actor=actor, request=request, after={"file": str(filename)[:200], "problems": len(errors)},
           note="; ".join(str(e) for e in errors[:5])[:500])


def _load_existing(codes):
    found = {}
    codes = list(codes)
    for start in range(0, len(codes), 900):
        for unit in Unit.objects.filter(code__in=codes[start : start + 900]):
            found[unit.code.lower()] = unit
    # Codes differing only by case from what is stored: one case-insensitive pass for the rest.
    rest = [c for c in codes if c.lower() not in found]
    for start in range(0, len(rest), 900):
        chunk = [c.lower() for c in rest[start : start + 900]]
        for unit in Unit.objects.alias(key=Lower("code")).filter(key__in=chunk):
            found[unit.code.lower()] = unit
    return found


def _codes_of(rows):
    return [r.code for r in rows if r.code] + [r.parent_code for r in rows if r.parent_code]


def _stopped(errors):
    """The first MAX_ERRORS problems, and a last line saying the check stopped there."""
    return sorted(errors[:MAX_ERRORS], key=lambda e: (e.row, e.column)) + [
        RowError(0, "", "", _("Đã dừng kiểm tra sau %(n)d lỗi: hãy sửa các lỗi trên rồi tải tệp lên lại.") % {"n": MAX_ERRORS})]


def validate(rows, actor=None, existing=None):
    """Every problem of `rows` against the database and the actor's scope; [] if none."""
    errors = []
    kind_of, parent_of, first_row = {}, {}, {}
    words, type_of = kind_words(), type_words()
    if existing is None:
        existing = _load_existing(_codes_of(rows))
    root = Unit.objects.filter(kind=UnitKind.ROOT).first()
    for r in rows:
        if len(errors) >= MAX_ERRORS:  # a sheet of bad rows: refused now, not after every row
            return _stopped(errors)
        key = r.code.lower()
        if not r.code:
            errors.append(RowError(r.row, "Mã đơn vị", "", _("Thiếu mã đơn vị.")))
            continue
        if not CODE_PATTERN.match(r.code):
            errors.append(RowError(r.row, "Mã đơn vị", r.code, _("Mã chỉ gồm chữ cái không dấu, chữ số, '_', '.', '-' (tối đa 40 ký tự).")))
            continue
        if key in first_row:
            errors.append(RowError(r.row, "Mã đơn vị", r.code, _("Trùng mã với dòng %(row)d.") % {"row": first_row[key]}))
            continue
        first_row[key] = r.row
        if not r.name:
            errors.append(RowError(r.row, "Tên đơn vị", "", _("Thiếu tên đơn vị.")))
        elif len(r.name) > 300:
            errors.append(RowError(r.row, "Tên đơn vị", r.name[:30] + "…", _("Tên đơn vị dài quá 300 ký tự.")))
        for field_name, limit in (("address", 300), ("phone", 50), ("email", 200)):
            value = r.contact.get(field_name, "")
            if len(value) > limit:
                errors.append(RowError(r.row, dict(COLUMNS)[field_name], value[:30] + "…", _("Dài quá %(n)d ký tự.") % {"n": limit}))
        if r.contact.get("email") and not _EMAIL.match(r.contact["email"]):
            errors.append(RowError(r.row, "Thư điện tử", r.contact["email"], _("Địa chỉ thư điện tử không hợp lệ.")))
        kind = words.get(fold(r.kind))
        if kind is None:
            allowed = "; ".join(allowed_kinds())
            message = _("Thiếu loại đơn vị" if not r.kind else "Loại đơn vị không hợp lệ")
            errors.append(RowError(r.row, "Loại đơn vị", r.kind, _("%(problem)s; dùng một trong: %(allowed)s.") % {"problem": message, "allowed": allowed}))
        kind_of[key] = kind
        if key not in existing:
            problem = unit_codes.code_problem(r.code, kind)
            if problem:
                errors.append(RowError(r.row, "Mã đơn vị", r.code, problem))
            elif kind not in (None, UnitKind.ROOT):
                problem = unit_codes.parent_problem(r.code, r.parent_code, root.code if root else "")
                if problem:
                    errors.append(RowError(r.row, "Mã đơn vị cấp trên", r.parent_code, problem))
        parent_of[key] = r.parent_code.lower()
        tags = []
        for tag, found in _match_types(r.unit_types, type_of):
            if found is None:
                errors.append(RowError(r.row, "Loại hình đơn vị", tag, _("Loại hình đơn vị không có trong danh mục; dùng một trong: %(allowed)s.")
                                       % {"allowed": "; ".join(allowed_types())}))
            else:
                tags.append(found)
        r.unit_types = tuple(dict.fromkeys(tags))

    by_key = {r.code.lower(): r for r in rows if r.code and first_row.get(r.code.lower()) == r.row}

    for key, r in by_key.items():
        if len(errors) >= MAX_ERRORS:
            return _stopped(errors)
        kind, parent_key = kind_of.get(key), parent_of[key]
        if kind == UnitKind.ROOT:
            if parent_key:
                errors.append(RowError(r.row, "Mã đơn vị cấp trên", r.parent_code, _("Đơn vị gốc không có đơn vị cấp trên.")))
            if root is None:
                root = existing.get(key) or Unit(code=r.code)  # the first root of the file is the root
            if root.code.lower() != key:
                errors.append(RowError(r.row, "Loại đơn vị", r.kind, _("Đã có đơn vị gốc %(code)s; cây đơn vị chỉ có một gốc.") % {"code": root.code}))
            continue
        if kind is not None and not parent_key:
            errors.append(RowError(r.row, "Mã đơn vị cấp trên", "", _("Thiếu mã đơn vị cấp trên.")))
            continue
        if parent_key and parent_key not in by_key and parent_key not in existing:
            errors.append(RowError(r.row, "Mã đơn vị cấp trên", r.parent_code, _("Không tìm thấy đơn vị cấp trên trong tệp hoặc trong danh mục.")))
        elif parent_key and kind is not None:
            # The tree's own rules (units.tree): never under a reporting unit or a retired one.
            stored = existing.get(parent_key)
            parent = SimpleNamespace(code=(by_key[parent_key].code if parent_key in by_key else stored.code),
                                     kind=kind_of.get(parent_key) or (stored.kind if stored else None),
                                     status=stored.status if stored is not None else UnitStatus.ACTIVE)
            problem = tree.parent_problem(parent) if parent.kind else ""
            if problem:
                errors.append(RowError(r.row, "Mã đơn vị cấp trên", r.parent_code, problem))

    # Cycles: follow each unit's parent chain, through the file where it says so and
    # through the stored tree elsewhere (whose ancestors we know from the loaded paths).
    db_parent = {}
    for unit in existing.values():
        codes = [c.lower() for c in unit.ancestor_codes()]
        for child, parent in zip(codes[1:], codes):
            db_parent.setdefault(child, parent)

    def parent_key_of(key):
        return parent_of[key] if key in by_key else db_parent.get(key, "")

    in_cycle = set()
    for key in by_key:
        if key in in_cycle:
            continue
        chain, current = [key], parent_key_of(key)
        while current and current not in chain:
            chain.append(current)
            current = parent_key_of(current)
        if current == key:
            in_cycle.update(chain)
            text = " → ".join(by_key[k].code if k in by_key else k for k in chain + [key])
            for k in chain:
                if k in by_key:
                    r = by_key[k]
                    errors.append(RowError(r.row, "Mã đơn vị cấp trên", r.parent_code, _("Tạo thành vòng lặp: %(chain)s.") % {"chain": text}))

    # Scope: an admin may only touch units in its subtree, and only attach new ones inside it.
    if actor is not None and not errors:
        for key, r in by_key.items():
            target = existing.get(key)
            parent = existing.get(parent_of[key])
            if target is not None and not policy.may(actor, permissions.UNIT_ADMINISTER, target):
                errors.append(RowError(r.row, "Mã đơn vị", r.code, _("Đơn vị nằm ngoài phạm vi quản lý của bạn."), "scope"))
            elif parent is not None and not policy.may(actor, permissions.UNIT_ADMINISTER, parent):
                errors.append(RowError(r.row, "Mã đơn vị cấp trên", r.parent_code, _("Đơn vị cấp trên nằm ngoài phạm vi quản lý của bạn."), "scope"))
            elif target is None and parent is None and parent_of[key] not in by_key:
                errors.append(RowError(r.row, "Mã đơn vị", r.code, _("Bạn không có quyền tạo đơn vị gốc."), "scope"))

    return sorted(errors, key=lambda e: (e.row, e.column))


def _final_depths(rows, existing):
    """Depth of each file unit in the tree after the import, so parents are written first."""
    parent_of = {r.code.lower(): r.parent_code.lower() for r in rows}
    depth = {}

    def depth_of(key):
        if key in depth:
            return depth[key]
        parent = parent_of.get(key, "")
        if not parent:
            d = 0
        elif parent in parent_of:
            d = depth_of(parent) + 1
        else:
            d = existing[parent].depth + 1
        depth[key] = d
        return d

    for key in parent_of:
        depth_of(key)
    return depth


def import_catalogue(actor, rows, *, request=None):
    """Validate and apply a catalogue. Raises CatalogueError with every problem, saving nothing.

    The stored units are read once, inside the transaction that applies the file."""
    with transaction.atomic():
        tree.lock()
        existing = _load_existing(_codes_of(rows))
        if infer_parents(rows, existing):
            existing = _load_existing(_codes_of(rows))
        errors = validate(rows, actor, existing)
        if not errors:
            return _apply(actor, rows, request, existing)
    outside = [e for e in errors if e.code == "scope"]
    if outside:  # audited outside the transaction, so the refusal is kept
        record_read("scope.denied", actor=actor, request=request, note=("catalogue import: " + ", ".join(e.value for e in outside[:20]))[:500])
    raise CatalogueError(errors)


def infer_parents(rows, existing):
    """Rows without a parent code keep a stored unit's parent, or get the one their code
    implies (the code minus its last segment; the root for a top-level code) when the
    regime has a code grammar. The number of rows given a parent."""
    words = kind_words()
    root_code = None
    inferred = 0
    for r in rows:
        if r.parent_code or not r.code or words.get(fold(r.kind)) == UnitKind.ROOT:
            continue
        stored = existing.get(r.code.lower())
        if stored is not None:
            ancestors = stored.ancestor_codes()
            if len(ancestors) > 1:
                r.parent_code = ancestors[-2]
                inferred += 1
            continue
        implied = unit_codes.implied_parent(r.code)
        if implied is None:
            continue
        if not implied:
            if root_code is None:
                root = Unit.objects.filter(kind=UnitKind.ROOT).only("code").first()
                file_root = next((x.code for x in rows if words.get(fold(x.kind)) == UnitKind.ROOT and x.code), "")
                root_code = root.code if root else file_root
            implied = root_code
        if implied:
            r.parent_code = implied
            inferred += 1
    return inferred


UPDATED_FIELDS = ("name", "kind", "search_text", *CONTACT_COLUMNS, "updated_at")


def _write_updates(units):
    """The changed units, one statement per batch. PostgreSQL: UPDATE … FROM (VALUES …), a
    join the planner runs in one pass (Django's bulk_update builds a CASE per column, which
    costs seconds per thousand rows to plan); elsewhere bulk_update."""
    from django.db import connection

    if connection.vendor != "postgresql":
        Unit.objects.bulk_update(units, list(UPDATED_FIELDS), batch_size=UPDATE_BATCH)
        return
    table = Unit._meta.db_table
    columns = [Unit._meta.get_field(name).column for name in UPDATED_FIELDS]
    assign = ", ".join(f'"{c}" = v."{c}"' for c in columns)
    types = {"updated_at": "timestamptz"}
    with connection.cursor() as cursor:
        for start in range(0, len(units), UPDATE_BATCH):
            batch = units[start : start + UPDATE_BATCH]
            cast = ", ".join(["%s::bigint"] + [f"%s::{types.get(name, 'text')}" for name in UPDATED_FIELDS])
            values = ", ".join(f"({cast})" for _unit in batch)
            params = [value for unit in batch for value in (unit.pk, *(getattr(unit, name) for name in UPDATED_FIELDS))]
            names = ", ".join(['"id"'] + [f'"{c}"' for c in columns])
            cursor.execute(f'UPDATE "{table}" AS u SET {assign} FROM (VALUES {values}) AS v({names}) WHERE u."id" = v."id"', params)


def _apply(actor, rows, request, existing):
    words = kind_words()
    depth = _final_depths(rows, existing)
    summary = ImportSummary()
    events = []
    created_ids = []
    to_update = []  # changed units, written in one statement per batch (not one per unit)
    moves = []  # (code, old parent, new parent, units moved), for the reorganisation record
    types_to_set = {}
    renamed = []
    # The stored unit types of the units in the file, in one pass rather than one query each.
    types_of = {}
    ids = [unit.pk for unit in existing.values()]
    for start in range(0, len(ids), 900):
        pairs = Unit.unit_types.through.objects.filter(unit_id__in=ids[start : start + 900]).values_list("unit_id", "unittype_id")
        for unit_id, code in pairs:
            types_of.setdefault(unit_id, set()).add(code)

    def note(action, unit, before, after):
        events.append(event(action, actor=actor, request=request, unit=unit, obj=unit, before=before, after=after))

    for level in sorted(set(depth.values())):
        new_units = []
        for r in (r for r in rows if depth[r.code.lower()] == level):
            key = r.code.lower()
            kind = words[fold(r.kind)]
            parent = existing.get(r.parent_code.lower()) if r.parent_code else None
            unit = existing.get(key)
            if unit is None:
                unit = Unit(code=r.code, name=r.name, kind=kind, parent=parent, search_text=Unit.search_text_for(r.code, r.name), **r.contact)
                unit.path = Unit.path_for(parent, unit.code)
                unit.depth = level
                new_units.append((unit, r))
                continue
            codes = unit.ancestor_codes()  # the parent's code from the path: no query per unit
            before = {"name": unit.name, "kind": unit.kind, "parent": codes[-2] if len(codes) > 1 else ""}
            old_types = types_of.get(unit.pk, set())
            moved = (unit.parent_id or None) != (parent.pk if parent else None)
            contact = {key: value for key, value in r.contact.items() if getattr(unit, key) != value}
            changed = moved or unit.name != r.name or unit.kind != kind or bool(contact)
            if moved:
                old_path = unit.path
                moves.append(tree.catalogue_move(actor, unit, parent))  # the whole subtree, checked, the apps above told
                unit.path, unit.depth = Unit.path_for(parent, unit.code), parent.depth + 1
                unit.parent, unit._stored_parent_id = parent, parent.pk
                for other in existing.values():  # keep cached paths of the moved subtree current
                    if other.path.startswith(old_path) and other is not unit:
                        other.path = unit.path + other.path[len(old_path) :]
                        other.depth = other.path.count("/") - 2
            if unit.name != r.name:
                renamed.append(unit.pk)
            if changed:
                unit.name, unit.kind = r.name, kind
                for key, value in contact.items():
                    before[key] = getattr(unit, key)
                    setattr(unit, key, value)
                unit.search_text = Unit.search_text_for(unit.code, r.name)
                unit.updated_at = timezone.now()
                to_update.append(unit)
            if old_types != set(r.unit_types):
                types_to_set[unit.pk] = (unit, r.unit_types)
                changed = True
            if changed:
                summary.updated += 1
                note("unit.updated", unit, before | {"unit_types": sorted(old_types)}, {"name": unit.name, "kind": kind, "parent": r.parent_code, "unit_types": sorted(r.unit_types)})
            else:
                summary.unchanged += 1
        Unit.objects.bulk_create([u for u, _ in new_units], batch_size=1000)
        for unit, r in new_units:
            existing[unit.code.lower()] = unit
            if r.unit_types:
                types_to_set[unit.pk] = (unit, r.unit_types)
            summary.created += 1
            created_ids.append(unit.pk)
            note("unit.created", unit, None, {"name": unit.name, "kind": unit.kind, "parent": r.parent_code, "unit_types": sorted(r.unit_types)})

    _write_updates(to_update)
    Through = Unit.unit_types.through
    if types_to_set:
        ids = list(types_to_set)
        for start in range(0, len(ids), 900):
            Through.objects.filter(unit_id__in=ids[start : start + 900]).delete()
        Through.objects.bulk_create(
            [Through(unit_id=pk, unittype_id=tag) for pk, (_, tags) in types_to_set.items() for tag in set(tags)], batch_size=1000
        )
    record_many(events)
    tree.record_catalogue(actor, created=[u.code for u in existing.values() if u.pk in set(created_ids)], moved=moves,
                          note=_("Nhập danh mục đơn vị từ Excel"), request=request)
    if created_ids:  # with their unit types set: the apps above give them their obligations
        units_created.send(sender=Unit, unit_ids=created_ids)
    if renamed:
        units_renamed.send(sender=Unit, unit_ids=renamed)
    record(
        "units.imported",
        actor=actor,
        request=request,
        after={"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged},
    )
    return summary


def template_workbook():
    """The catalogue template: the header row, a drop-down of the unit kinds users see, and a
    second sheet listing every allowed value of the kind and unit-type columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh mục đơn vị"
    sheet.append([header for _key, header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", (16, 50, 20, 34, 34, 40, 16, 28)):
        sheet.column_dimensions[letter].width = width
    kinds, types = allowed_kinds(), allowed_types()
    values = workbook.create_sheet("Giá trị hợp lệ")
    values.append([_("Loại đơn vị"), _("Loại hình đơn vị (nhiều loại hình cách nhau bởi dấu chấm phẩy)")])
    for cell in values[1]:
        cell.font = Font(bold=True)
    for index in range(max(len(kinds), len(types))):
        values.append([kinds[index] if index < len(kinds) else None, types[index] if index < len(types) else None])
    values.column_dimensions["A"].width = 48
    values.column_dimensions["B"].width = 60
    rule = unit_codes.code_rule()
    if rule:
        values.append([])
        values.append([_("Mã đơn vị"), rule])
        values.append([_("Mã đơn vị cấp trên"), _("Để trống thì lấy theo mã đơn vị (bỏ 3 ký tự cuối).")])
    if kinds:
        column = "D"
        check = DataValidation(type="list", formula1=f"='Giá trị hợp lệ'!$A$2:$A${len(kinds) + 1}", allow_blank=True,
                               showErrorMessage=True, errorTitle=_("Loại đơn vị"),
                               error=(_("Chọn một trong: %(allowed)s.") % {"allowed": "; ".join(kinds)})[:250])
        check.add(f"{column}2:{column}{MAX_ROWS + 1}")
        sheet.add_data_validation(check)
    return workbook
