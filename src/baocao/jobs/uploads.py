"""Bounds on the work an uploaded .xlsx may cause, checked before openpyxl reads it
(docs/adr/0013-upload-work-bounds.md).

An .xlsx is a zip of XML. What costs a reader time and memory is not the upload's bytes but
what they expand to: the shared strings (openpyxl keeps every one in memory: 30 MB of tiny
strings in an 81 KB file took a minute and +270 MB), the rows and cells of the sheets, and any
other XML part it parses. `inspect_xlsx` looks at the file the way a reader would, without
parsing any of it:

1. the zip's directory: the file's size, the number of parts, the declared expanded size of
   every part and of the parts that matter (found through `[Content_Types].xml` and the
   workbook's relationships, as openpyxl finds them: a shared-strings part renamed `xl/s.xml`
   is still the shared strings);
2. each sheet's declared dimension (its first 4 KB): a sheet declaring 900,000 rows is refused
   at once;
3. one streaming pass over every part, whatever its name, inflating its raw deflate data
   itself (so a part whose zip header understates its size is caught, not believed) with a cap
   on every part and on the total, counting as it goes the shared strings (`<si>`), rows
   (`<row>`) and cells (`<c>`) of every part.

A file beyond any bound is refused with a Vietnamese message naming it (`UploadRefused`).
In a web request the streaming pass has a budget (`BAOCAO_UPLOAD_REQUEST_SCAN_MB`): a file
declaring more is not inflated there but sent to the task worker, which inspects it in full
before reading it. `runs_in_background` decides from the estimated work (cells and strings),
not from the upload's bytes."""
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from posixpath import dirname, join, normpath

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Defaults; each can be changed in settings (BAOCAO_UPLOAD_…).
MAX_EXPANDED_MB = 200  # every part of the file, unzipped
MAX_SHARED_STRINGS_MB = 32  # the shared-strings part(s), unzipped
MAX_SHARED_STRINGS = 500_000  # shared strings (<si> items) in the whole file
MAX_PART_MB = 16  # any other XML part (styles, workbook, relationships…), unzipped
MAX_ROWS = 200_000  # rows of one sheet
MAX_CELLS = 4_000_000  # cells of one sheet (declared rows x columns, or counted), and of the whole file
MAX_PARTS = 2_000  # files inside the zip
MAX_MANIFEST_KB = 1024  # [Content_Types].xml and relationship parts: read whole, so kept small
# What a web request may inflate to inspect a file; a file declaring more is inspected (and
# read) by the task worker.
REQUEST_SCAN_MB = 64
# Estimated work (cells with a value + shared strings) above which an upload is read by the task worker.
BACKGROUND_WORK = 20_000

CHUNK = 1 << 20
_DIMENSION = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?dimension\s+ref=\"(?:\$?[A-Z]+\$?\d+:)?\$?([A-Z]{1,3})\$?(\d{1,9})\"")
# The elements that cost a reader work, with any namespace prefix: shared strings, rows, cells,
# and the values of cells (<v>, <is>: a cell without one is an empty formatted cell).
_COUNTED = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?(si|row|c|v|is)[\s/>]")
_ELEMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,31}:)?(Override|Default|Relationship)\s([^>]*)>")
_ATTRIBUTE = re.compile(rb"([A-Za-z_][\w.:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")

NS_SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
SHARED_STRINGS_TYPE = NS_SML + "sharedStrings+xml"
SHEET_TYPES = {NS_SML + "worksheet+xml", "application/vnd.ms-excel.worksheet", NS_SML + "dialogsheet+xml",
               "application/vnd.ms-excel.macrosheet+xml", NS_SML + "chartsheet+xml"}
WORKBOOK_TYPES = {NS_SML + "sheet.main+xml", NS_SML + "template.main+xml", "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
                  "application/vnd.ms-excel.template.macroEnabled.main+xml"}
REL_SHARED_STRINGS = "/sharedStrings"
REL_SHEETS = ("/worksheet", "/chartsheet", "/dialogsheet", "/macrosheet", "/xlMacrosheet")
REL_DOCUMENT = "/officeDocument"


class UploadRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def limit(name, default):
    return getattr(settings, f"BAOCAO_UPLOAD_{name}", default)


def not_xlsx():
    return _("Tệp không phải là tệp Excel (.xlsx) hợp lệ. Tệp .xls cũ hãy mở bằng Excel và lưu lại dạng .xlsx.")


def _split_up():
    return _("Hãy chia số liệu thành nhiều tệp nhỏ hơn.")


@dataclass
class Part:
    name: str
    declared: int
    kind: str = "other"  # "strings", "sheet", "xml" (any other XML part) or "other" (pictures…)
    actual: int = 0
    strings: int = 0
    rows: int = 0
    cells: int = 0
    values: int = 0
    declared_rows: int = 0
    declared_cells: int = 0


@dataclass
class Inspection:
    expanded: int  # bytes of every part, unzipped (declared; equal to what was inflated when complete)
    sheet_bytes: int  # bytes of the worksheets' XML, unzipped
    rows: int  # the most rows of a sheet (counted when complete, else declared; 0 if unknown)
    cells: int = 0  # cells of every sheet (counted when complete, else declared rows x columns)
    strings: int = 0  # shared strings (counted; 0 when not complete)
    complete: bool = True  # every part was inflated and counted (False: left to the task worker)
    parts: list = field(default_factory=list, repr=False)
    values: int = 0  # cells holding a value (counted; empty formatted cells are not work)

    @property
    def work(self):
        """The estimated work of reading and checking the file (cells with a value + shared
        strings); None if unknown."""
        return self.values + self.strings if self.complete else None


def _column_number(letters):
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def _attributes(text):
    return {name.decode("ascii", "replace").split(":")[-1]: (double or single).decode("utf-8", "replace")
            for name, double, single in _ATTRIBUTE.findall(text)}


def _small_part(book, info):
    """The bytes of a manifest or relationship part, refused if it is not small."""
    if info.file_size > MAX_MANIFEST_KB * 1024:
        raise UploadRefused(_("Thành phần “%(part)s” của tệp lớn bất thường (%(n)d KB). Tệp không được đọc.")
                            % {"part": info.filename[:100], "n": info.file_size // 1024})
    with book.open(info) as stream:
        data = stream.read(MAX_MANIFEST_KB * 1024 + 1)
    if len(data) > MAX_MANIFEST_KB * 1024:
        raise UploadRefused(_("Tệp Excel bị hỏng: kích thước thật của thành phần “%(part)s” khác với kích thước ghi trong tệp.")
                            % {"part": info.filename[:100]})
    return data


def _relationships(book, infos, part_name):
    """[(type, target part name)] of a part's relationships."""
    rels = join(dirname(part_name), "_rels", part_name.rsplit("/", 1)[-1] + ".rels")
    info = infos.get(rels)
    if info is None:
        return []
    found = []
    for element, text in _ELEMENT.findall(_small_part(book, info)):
        if element != b"Relationship":
            continue
        attrs = _attributes(text)
        target, kind = attrs.get("Target", ""), attrs.get("Type", "")
        if not target or attrs.get("TargetMode") == "External":
            continue
        path = target[1:] if target.startswith("/") else normpath(join(dirname(part_name), target))
        found.append((kind, path.lstrip("/")))
    return found


def _classify(book, infos):
    """{part name: kind}: the shared strings and sheets as openpyxl finds them (content types
    and the workbook's relationships, whatever the parts are called), other XML parts."""
    overrides, defaults = {}, {}
    manifest = infos.get("[Content_Types].xml")
    if manifest is None:
        raise UploadRefused(not_xlsx())
    for element, text in _ELEMENT.findall(_small_part(book, manifest)):
        attrs = _attributes(text)
        if element == b"Override" and attrs.get("PartName"):
            overrides[attrs["PartName"].lstrip("/")] = attrs.get("ContentType", "")
        elif element == b"Default" and attrs.get("Extension"):
            defaults[attrs["Extension"].lower()] = attrs.get("ContentType", "")

    def content_type(name):
        return overrides.get(name) or defaults.get(name.rsplit(".", 1)[-1].lower() if "." in name else "", "")

    kinds = {}
    for name in infos:
        ct = content_type(name)
        if ct == SHARED_STRINGS_TYPE:
            kinds[name] = "strings"
        elif ct in SHEET_TYPES or (name.startswith("xl/worksheets/") and name.endswith(".xml")):
            kinds[name] = "sheet"
        elif "xml" in ct or name.lower().endswith((".xml", ".rels", ".vml")):
            kinds[name] = "xml"
    workbooks = {name for name, ct in overrides.items() if ct in WORKBOOK_TYPES}
    workbooks |= {target for kind, target in _relationships(book, infos, "") if kind.endswith(REL_DOCUMENT)}
    for workbook in workbooks:
        for kind, target in _relationships(book, infos, workbook):
            if target in infos:
                if kind.endswith(REL_SHARED_STRINGS):
                    kinds[target] = "strings"
                elif kind.endswith(REL_SHEETS):
                    kinds[target] = "sheet"
    return kinds


class _Counter:
    """Counts shared strings, rows and cells in a part's XML fed chunk by chunk (a tag cut
    between two chunks is counted once)."""

    def __init__(self, part):
        self.part, self.tail = part, b""

    def feed(self, chunk, final=False):
        data = self.tail + chunk
        cut = len(data) if final else data.rfind(b"<")
        if cut < 0 or len(data) - cut > 64:
            cut = len(data)
        for name in _COUNTED.findall(data, 0, cut):
            if name == b"c":
                self.part.cells += 1
            elif name == b"row":
                self.part.rows += 1
            elif name == b"si":
                self.part.strings += 1
            else:
                self.part.values += 1
        self.tail = data[cut:]


def _inflate(fileobj, info, cap, on_chunk):
    """Inflate one part from its raw data (not trusting the declared size), calling
    `on_chunk` with each piece; returns the bytes it expands to, stopping past `cap`."""
    if info.flag_bits & 0x1:
        raise UploadRefused(_("Tệp Excel có thành phần được mã hóa (đặt mật khẩu mở tệp): hãy bỏ mật khẩu rồi tải lên."))
    fileobj.seek(info.header_offset)
    header = fileobj.read(zipfile.sizeFileHeader)
    if len(header) != zipfile.sizeFileHeader:
        raise zipfile.BadZipFile("truncated local header")
    fields = struct.unpack(zipfile.structFileHeader, header)
    if fields[zipfile._FH_SIGNATURE] != zipfile.stringFileHeader:
        raise zipfile.BadZipFile("bad local header")
    fileobj.seek(fields[zipfile._FH_FILENAME_LENGTH] + fields[zipfile._FH_EXTRA_FIELD_LENGTH], 1)
    left = info.compress_size
    if info.compress_type == zipfile.ZIP_STORED:
        inflate = None
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        inflate = zlib.decompressobj(-15)
    else:
        raise UploadRefused(_("Tệp Excel được nén theo kiểu không hỗ trợ; hãy mở bằng Excel, lưu lại rồi tải lên."))
    total = 0
    while left > 0 or (inflate is not None and inflate.unconsumed_tail):
        if inflate is not None and inflate.unconsumed_tail:
            data = inflate.decompress(inflate.unconsumed_tail, CHUNK)
        else:
            raw = fileobj.read(min(CHUNK, left))
            if not raw:
                raise zipfile.BadZipFile("truncated part")
            left -= len(raw)
            data = inflate.decompress(raw, CHUNK) if inflate is not None else raw
        total += len(data)
        if total > cap:
            return total
        if data:
            on_chunk(data)
        if inflate is not None and inflate.eof:
            break
    return total


def inspect_xlsx(fileobj, size=None, *, max_rows=None, max_strings=None, scan_mb=None):
    """Inspection of an uploaded .xlsx, or UploadRefused saying which bound it breaks.

    `max_rows`, `max_strings`: the most rows a sheet, and shared strings the file, of this
    kind of upload may have (never more than BAOCAO_UPLOAD_MAX_ROWS and
    BAOCAO_UPLOAD_MAX_SHARED_STRINGS; openpyxl takes ~0.1 ms and ~130 bytes per shared string
    before the first cell is read). `scan_mb`: inflate at most this much (a web request); a file
    declaring more gives an Inspection with complete=False, to be inspected in full by the
    task worker (scan_mb=None). Leaves `fileobj` at its start."""
    max_mb = settings.BAOCAO_UPLOAD_MAX_MB
    if size is not None and size > max_mb * MB:
        raise UploadRefused(_("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": max_mb})
    max_rows = min(max_rows or limit("MAX_ROWS", MAX_ROWS), limit("MAX_ROWS", MAX_ROWS))
    max_cells = limit("MAX_CELLS", MAX_CELLS)
    max_expanded = limit("MAX_EXPANDED_MB", MAX_EXPANDED_MB) * MB
    max_strings_bytes = limit("MAX_SHARED_STRINGS_MB", MAX_SHARED_STRINGS_MB) * MB
    max_strings = min(max_strings or limit("MAX_SHARED_STRINGS", MAX_SHARED_STRINGS), limit("MAX_SHARED_STRINGS", MAX_SHARED_STRINGS))
    max_part = limit("MAX_PART_MB", MAX_PART_MB) * MB
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as book:
            infos = book.infolist()
            if len(infos) > limit("MAX_PARTS", MAX_PARTS):
                raise UploadRefused(_("Tệp có quá nhiều thành phần (%(n)d; tối đa %(max)d).") % {"n": len(infos), "max": limit("MAX_PARTS", MAX_PARTS)})
            by_name = {}
            for info in infos:
                if info.filename in by_name:
                    raise UploadRefused(_("Tệp Excel bị hỏng: thành phần “%(part)s” xuất hiện hai lần.") % {"part": info.filename[:100]})
                by_name[info.filename] = info
            kinds = _classify(book, by_name)
            parts = [Part(info.filename, info.file_size, kinds.get(info.filename, "other")) for info in infos]

            # 1. What the directory declares.
            expanded = sum(p.declared for p in parts)
            if expanded > max_expanded:
                raise UploadRefused(_("Tệp khi giải nén lớn %(n)d MB, vượt giới hạn %(max)d MB. %(hint)s")
                                    % {"n": expanded // MB, "max": max_expanded // MB, "hint": _split_up()})
            _check_strings_bytes(sum(p.declared for p in parts if p.kind == "strings"), max_strings_bytes)
            for part in parts:
                _check_part_bytes(part, part.declared, max_part)

            # 2. Each sheet's declared dimension.
            for part in parts:
                if part.kind != "sheet":
                    continue
                with book.open(by_name[part.name]) as stream:
                    head = stream.read(4096)
                match = _DIMENSION.search(head)
                if match:
                    part.declared_rows = int(match.group(2))
                    part.declared_cells = part.declared_rows * _column_number(match.group(1))
                    _check_sheet(part.declared_rows, part.declared_cells, max_rows, max_cells)

            def inspection(complete):
                sheets = [p for p in parts if p.kind == "sheet"]
                if complete:
                    rows, cells = max((p.rows for p in parts), default=0), sum(p.cells for p in parts)
                else:
                    rows = max((p.declared_rows for p in sheets), default=0)
                    cells = sum(p.declared_cells for p in sheets)
                return Inspection(expanded, sum(p.declared for p in sheets), rows, cells,
                                  sum(p.strings for p in parts) if complete else 0, complete, parts,
                                  sum(p.values for p in parts) if complete else 0)

            if scan_mb is not None and expanded > scan_mb * MB:
                return inspection(complete=False)

            # 3. Every part inflated from its raw data, counted, capped.
            total, strings = 0, 0
            for part in parts:
                info, counter = by_name[part.name], _Counter(part)
                counting = part.kind != "other" or part.name.lower().endswith(".xml")

                def on_chunk(data, part=part, counter=counter, before=strings):
                    if counting:
                        counter.feed(data)
                        _check_strings_count(before + part.strings, max_strings)  # stop at once, not at the part's end
                        _check_sheet(part.rows, part.cells, max_rows, max_cells, counted=True)

                part.actual = _inflate(fileobj, info, part.declared, on_chunk)
                if part.actual != part.declared:
                    raise UploadRefused(_("Tệp Excel bị hỏng hoặc bị sửa: thành phần “%(part)s” khi giải nén không đúng kích thước ghi "
                                          "trong tệp (%(declared)d byte).") % {"part": part.name[:100], "declared": part.declared})
                counter.feed(b"", final=True)
                total += part.actual
                strings += part.strings
                _check_strings_count(strings, max_strings)
                if part.strings and part.kind != "strings":
                    part.kind = "strings"  # shared-string items wherever they are count as shared strings
                    _check_strings_bytes(sum(p.actual for p in parts if p.kind == "strings"), max_strings_bytes)
                _check_sheet(part.rows, part.cells, max_rows, max_cells, counted=True)
            if sum(p.cells for p in parts) > max_cells:
                raise UploadRefused(_("Tệp có %(n)s ô, vượt giới hạn %(max)s ô. %(hint)s")
                                    % {"n": _vn(sum(p.cells for p in parts)), "max": _vn(max_cells), "hint": _split_up()})
            return inspection(complete=True)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, struct.error, OSError, EOFError, ValueError, NotImplementedError, KeyError):
        raise UploadRefused(not_xlsx()) from None
    finally:
        fileobj.seek(0)


def _vn(n):
    return f"{n:,}".replace(",", ".")


def _check_strings_bytes(n, max_bytes):
    if n > max_bytes:
        raise UploadRefused(_("Phần chữ của tệp khi giải nén lớn %(n)d MB, vượt giới hạn %(max)d MB. %(hint)s")
                            % {"n": n // MB, "max": max_bytes // MB, "hint": _split_up()})


def _check_strings_count(n, max_strings):
    if n > max_strings:
        raise UploadRefused(_("Tệp có hơn %(max)s chuỗi văn bản (ô chữ), vượt giới hạn. %(hint)s")
                            % {"max": _vn(max_strings), "hint": _split_up()})


def _check_part_bytes(part, n, max_bytes):
    if part.kind == "xml" and n > max_bytes:
        raise UploadRefused(_("Thành phần “%(part)s” của tệp khi giải nén lớn %(n)d MB, vượt giới hạn %(max)d MB.")
                            % {"part": part.name[:100], "n": n // MB, "max": max_bytes // MB})


def _check_sheet(rows, cells, max_rows, max_cells, counted=False):
    """Refuse a sheet beyond the bounds: as declared (its dimension), or as counted so far
    (counting stops at the bound, so the message says "more than")."""
    if rows > max_rows:
        if counted:
            raise UploadRefused(_("Trang tính có hơn %(max)d dòng, vượt giới hạn. Hãy chia số liệu thành nhiều tệp.") % {"max": max_rows})
        raise UploadRefused(_("Trang tính có %(n)d dòng, vượt giới hạn %(max)d dòng. Hãy chia số liệu thành nhiều tệp.")
                            % {"n": rows, "max": max_rows})
    if cells > max_cells:
        if counted:
            raise UploadRefused(_("Trang tính có hơn %(max)d ô, vượt giới hạn. Hãy chia số liệu thành nhiều tệp.") % {"max": max_cells})
        raise UploadRefused(_("Trang tính có %(n)d ô, vượt giới hạn %(max)d ô. Hãy chia số liệu thành nhiều tệp.")
                            % {"n": cells, "max": max_cells})


def inspect_upload(upload, *, max_rows=None, max_strings=None):
    """The inspection of a file uploaded in a web request: in full when it declares at most
    BAOCAO_UPLOAD_REQUEST_SCAN_MB, else only its directory (complete=False: the task worker
    inspects the rest)."""
    return inspect_xlsx(upload, upload.size, max_rows=max_rows, max_strings=max_strings,
                        scan_mb=limit("REQUEST_SCAN_MB", REQUEST_SCAN_MB))


def runs_in_background(inspection, work=None):
    """Whether an upload goes to the task worker rather than be read in the request: when its
    estimated work (cells with a value + shared strings) is above `work` (default
    BAOCAO_BACKGROUND_WORK, 20,000), or not known because the file was too large to inspect
    in the request."""
    threshold = work if work is not None else getattr(settings, "BAOCAO_BACKGROUND_WORK", BACKGROUND_WORK)
    return inspection.work is None or inspection.work > threshold
