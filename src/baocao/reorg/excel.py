"""The Excel list of a wave of reorganisations (danh sách sắp xếp): reading an uploaded .xlsx
into the rows `operations.apply_list` takes, and writing the empty template.

The file is bounded before openpyxl reads it (`jobs.uploads.inspect_xlsx`: size, expansion of
every part, shared strings, rows and cells, with at most MAX_ROWS + 1000 rows a sheet) and
while reading it (MAX_ROWS rows with content); a file that is not an
.xlsx, is damaged, or lacks a column is refused as a whole with a Vietnamese message.
Cells are read as text: numeric codes keep their digits ("046"), dates typed as Excel dates
become dd/mm/yyyy.
"""
import datetime
import zipfile
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

from baocao.units.text import clean_text, fold

from .operations import COLUMNS

# A wave of mergers for a whole province is a few hundred rows; the list is applied inside
# one request, so it is bounded well below the catalogue import's.
MAX_ROWS = 2000
# Each row is a tree operation, previewed then applied: the task worker reads a list from a
# twentieth of the work a register import is read in the request with (~125 rows of 8 columns).
WORK_WEIGHT = 20
# Rows (blank ones too) and shared strings a list file may hold (jobs.uploads.inspect_xlsx).
BOUNDS = {"max_rows": MAX_ROWS + 1001, "max_strings": 20_000}


def background_work():
    """The estimated work (cells with a value + strings) above which the list is read by the task worker."""
    from django.conf import settings

    return settings.BAOCAO_BACKGROUND_WORK // WORK_WEIGHT
REQUIRED = ("operation", "old_codes", "new_code", "new_name", "parent_code", "decision_number", "decision_date", "decision_issuer")
HEADERS = dict(COLUMNS)
_HEADER_BY_WORD = {fold(header): key for key, header in COLUMNS} | {key: key for key, _header in COLUMNS}
# What an operation may be called in the list (the service folds them: accents and case do not matter).
OPERATION_NAMES = ("Hợp nhất", "Sáp nhập", "Chuyển", "Đổi tên", "Giải thể", "Thành lập")


class ListFileError(Exception):
    """The file as a whole cannot be read: not an .xlsx, too large, damaged, missing columns."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _text(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return clean_text(str(value)).strip()[:1000]


def read_list(fileobj, size=None):
    """[{row, operation, old_codes, new_code, new_name, parent_code, decision_number,
    decision_date, decision_issuer}] of the first visible sheet, blank rows skipped."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    from baocao.jobs.uploads import UploadRefused, inspect_xlsx

    try:
        inspect_xlsx(fileobj, size, **BOUNDS)
    except UploadRefused as refused:
        raise ListFileError(refused.message) from None
    broken = (zipfile.BadZipFile, InvalidFileException, ParseError, KeyError, IndexError, EOFError, OSError, ValueError, TypeError, AttributeError)
    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except broken:
        raise ListFileError(_("Tệp không phải là tệp Excel (.xlsx) hợp lệ.")) from None
    try:
        return _rows(workbook)
    except broken:
        raise ListFileError(_("Tệp Excel bị hỏng: không đọc được nội dung trang tính.")) from None
    finally:
        workbook.close()


def _rows(workbook):
    sheet = next((ws for ws in workbook.worksheets if ws.sheet_state == "visible"), None)
    if sheet is None:
        raise ListFileError(_("Tệp không có trang tính nào."))
    values = sheet.iter_rows(values_only=True)
    header = next(values, None) or ()
    positions = {}
    for index, title in enumerate(header):
        key = _HEADER_BY_WORD.get(fold(_text(title)))
        if key and key not in positions:
            positions[key] = index
    missing = [HEADERS[key] for key in REQUIRED if key not in positions]
    if missing:
        raise ListFileError(_("Thiếu cột: %(cols)s. Dòng đầu tiên phải là tiêu đề các cột như trong tệp mẫu.") % {"cols": ", ".join(missing)})
    rows = []
    for number, cells in enumerate(values, start=2):
        if number > MAX_ROWS + 1000:  # blank rows count too: a sheet whose declared size lied
            raise ListFileError(_("Danh sách có quá %(n)d dòng: hãy chia thành nhiều tệp.") % {"n": MAX_ROWS})
        row = {key: _text(cells[i]) if i < len(cells) else "" for key, i in positions.items()}
        if not any(row.values()):
            continue
        if len(rows) >= MAX_ROWS:
            raise ListFileError(_("Danh sách có quá %(n)d dòng: hãy chia thành nhiều tệp.") % {"n": MAX_ROWS})
        rows.append({"row": number, **row})
    if not rows:
        raise ListFileError(_("Danh sách không có dòng nào (ngoài dòng tiêu đề)."))
    return rows


def missing_decisions(rows):
    """[(row, message)] of rows without the decision that orders them (number and date)."""
    problems = []
    for row in rows:
        missing = [HEADERS[key] for key in ("decision_number", "decision_date") if not row.get(key)]
        if missing:
            problems.append((row["row"], _("Thiếu %(cols)s.") % {"cols": ", ".join(missing)}))
    return problems


def template_workbook():
    """The empty list with its headers, and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Danh sách sắp xếp"
    sheet.append([header for _key, header in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCDEFGH", (14, 34, 18, 40, 20, 20, 18, 36)):
        sheet.column_dimensions[letter].width = width
        # Codes and dates as text: Excel keeps the leading zeros of "046".
        for row in range(2, 202):
            sheet[f"{letter}{row}"].number_format = "@"
    guide = workbook.create_sheet("Hướng dẫn")
    guide.append(["Cột", "Nội dung"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for header, text in (
        (HEADERS["operation"], "Một trong: " + ", ".join(OPERATION_NAMES) + "."),
        (HEADERS["old_codes"], "Mã các đơn vị cũ, cách nhau bằng dấu phẩy (Hợp nhất, Sáp nhập); một mã (Chuyển, Đổi tên, Giải thể)."),
        (HEADERS["new_code"], "Hợp nhất: mã đơn vị mới (hoặc mã đơn vị có sẵn nhận sáp nhập); Thành lập: mã đơn vị mới; Giải thể: mã đơn vị kế thừa (nếu có)."),
        (HEADERS["new_name"], "Tên đơn vị mới (Hợp nhất vào đơn vị mới, Thành lập) hoặc tên mới (Đổi tên)."),
        (HEADERS["parent_code"], "Đơn vị cấp trên của đơn vị mới (Hợp nhất, Thành lập) hoặc nơi chuyển đến (Chuyển)."),
        (HEADERS["decision_number"], "Số quyết định sắp xếp, ví dụ 1234/QĐ-UBND (bắt buộc)."),
        (HEADERS["decision_date"], "Ngày quyết định theo dạng dd/mm/yyyy, ví dụ 30/06/2025 (bắt buộc)."),
        (HEADERS["decision_issuer"], "Cơ quan ban hành quyết định."),
    ):
        guide.append([header, text])
    guide.append([])
    guide.append(["Ví dụ", "Hợp nhất | X001, X002 | X010 | Xã Hợp Nhất | H01 | 1234/QĐ-UBND | 30/06/2025 | Ủy ban nhân dân tỉnh"])
    guide.append(["", "Các dòng được áp dụng theo thứ tự; nếu có dòng lỗi thì không dòng nào được áp dụng."])
    guide.column_dimensions["A"].width = 22
    guide.column_dimensions["B"].width = 110
    return workbook
