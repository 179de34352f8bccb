"""Bounds on what an uploaded .xlsx may expand to, checked before openpyxl reads it.

An .xlsx is a zip of XML: a 448 KB file can hold 200 MB of shared strings (openpyxl keeps
them all in memory) and a 4 MB sheet can hold 900,000 rows. `inspect_xlsx` reads only the
zip's directory and the first bytes of each sheet, and refuses, naming the limit, a file
that is too large, expands too much, has too many shared strings, or declares too many
rows or cells. Readers still stop at `max_rows` while reading, for files whose declared
size lies."""
import re
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

MB = 1024 * 1024
# Defaults; each can be changed in settings (BAOCAO_UPLOAD_…).
MAX_EXPANDED_MB = 200  # every part of the file, unzipped
MAX_SHARED_STRINGS_MB = 32  # the text of all text cells, unzipped
MAX_ROWS = 200_000  # rows of one sheet
MAX_CELLS = 4_000_000  # rows x columns of one sheet
MAX_PARTS = 2_000  # files inside the zip
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]+\d+:)?([A-Z]+)(\d+)\"")


class UploadRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def limit(name, default):
    return getattr(settings, f"BAOCAO_UPLOAD_{name}", default)


@dataclass
class Inspection:
    expanded: int  # bytes of every part, unzipped
    sheet_bytes: int  # bytes of the worksheets' XML, unzipped
    rows: int  # the largest declared row count of a sheet (0 if none declared)


def _column_number(letters):
    number = 0
    for letter in letters.decode():
        number = number * 26 + ord(letter) - 64
    return number


def inspect_xlsx(fileobj, size=None):
    """Inspection of an uploaded .xlsx, or UploadRefused saying which bound it breaks.
    Leaves `fileobj` at its start."""
    max_mb = settings.BAOCAO_UPLOAD_MAX_MB
    if size is not None and size > max_mb * MB:
        raise UploadRefused(_("Tệp quá lớn: tối đa %(mb)d MB.") % {"mb": max_mb})
    try:
        fileobj.seek(0)
        with zipfile.ZipFile(fileobj) as book:
            parts = book.infolist()
            if len(parts) > limit("MAX_PARTS", MAX_PARTS):
                raise UploadRefused(_("Tệp có quá nhiều thành phần (%(n)d; tối đa %(max)d).") % {"n": len(parts), "max": limit("MAX_PARTS", MAX_PARTS)})
            expanded = sum(p.file_size for p in parts)
            if expanded > limit("MAX_EXPANDED_MB", MAX_EXPANDED_MB) * MB:
                raise UploadRefused(
                    _("Tệp khi giải nén lớn %(n)d MB, vượt giới hạn %(max)d MB. Hãy chia số liệu thành nhiều tệp nhỏ hơn.")
                    % {"n": expanded // MB, "max": limit("MAX_EXPANDED_MB", MAX_EXPANDED_MB)}
                )
            strings = sum(p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml"))
            if strings > limit("MAX_SHARED_STRINGS_MB", MAX_SHARED_STRINGS_MB) * MB:
                raise UploadRefused(
                    _("Phần chữ của tệp khi giải nén lớn %(n)d MB, vượt giới hạn %(max)d MB. Hãy chia số liệu thành nhiều tệp nhỏ hơn.")
                    % {"n": strings // MB, "max": limit("MAX_SHARED_STRINGS_MB", MAX_SHARED_STRINGS_MB)}
                )
            sheets = [p for p in parts if p.filename.startswith("xl/worksheets/") and p.filename.endswith(".xml")]
            rows = 0
            for part in sheets:
                with book.open(part) as stream:
                    head = stream.read(4096)
                match = _DIMENSION.search(head)
                if not match:
                    continue
                sheet_rows, columns = int(match.group(2)), _column_number(match.group(1))
                rows = max(rows, sheet_rows)
                if sheet_rows > limit("MAX_ROWS", MAX_ROWS):
                    raise UploadRefused(
                        _("Trang tính có %(n)d dòng, vượt giới hạn %(max)d dòng. Hãy chia số liệu thành nhiều tệp.")
                        % {"n": sheet_rows, "max": limit("MAX_ROWS", MAX_ROWS)}
                    )
                if sheet_rows * columns > limit("MAX_CELLS", MAX_CELLS):
                    raise UploadRefused(
                        _("Trang tính có %(n)d ô, vượt giới hạn %(max)d ô. Hãy chia số liệu thành nhiều tệp.")
                        % {"n": sheet_rows * columns, "max": limit("MAX_CELLS", MAX_CELLS)}
                    )
            return Inspection(expanded, sum(p.file_size for p in sheets), rows)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError, KeyError):
        raise UploadRefused(_("Tệp không phải là tệp Excel (.xlsx) hợp lệ. Tệp .xls cũ hãy mở bằng Excel và lưu lại dạng .xlsx.")) from None
    finally:
        fileobj.seek(0)


def runs_in_background(size, inspection):
    """Whether an upload is large enough to go to the task worker rather than be read in the
    request (compressed size, or how much sheet XML it expands to)."""
    threshold = settings.BAOCAO_BACKGROUND_IMPORT_KB * 1024
    return size > threshold or inspection.sheet_bytes > 32 * threshold
