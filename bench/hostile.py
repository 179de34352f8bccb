"""Hostile .xlsx files (issue 22): built from a real workbook by rewriting its zip, so each
one is what an attacker would upload to a given form. Used by tests/jobs/test_upload_bounds.py
and bench/upload_bench.py.

- `renamed_strings(content, strings)`: the shared-strings part renamed `xl/s.xml`, its
  content-type override and relationship pointing to it, holding `strings` tiny strings;
- `tiny_strings(content, megabytes)`: `<si><t>ab</t></si>` repeated to that many MB;
- `lying_sizes(content, megabytes)`: a part whose zip headers declare 1 KB but which expands
  to that many MB;
- `numbers(content, sentinel, text)`: a number cell's XML value replaced (`1e400`, `NaN`);
- `many_rows(content, rows, columns)`: the first sheet with that many rows appended.
"""
import io
import re
import struct
import zipfile

TINY = b"<si><t>ab</t></si>"


def parts(content):
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return {info.filename: book.read(info) for info in book.infolist()}


def build(items):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in items.items():
            book.writestr(name, data)
    return out.getvalue()


def _strings_part(items):
    for name in items:
        if name.lower().endswith("sharedstrings.xml"):
            return name
    return None


def _with_strings(items, extra):
    """The shared-strings part with `extra` tiny strings appended after the real ones (the
    sheet's references stay valid); a workbook without one gets one, with its override and
    relationship."""
    name = _strings_part(items)
    if name is None:
        name = "xl/sharedStrings.xml"
        items[name] = b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"></sst>'
        items["[Content_Types].xml"] = items["[Content_Types].xml"].replace(
            b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            b'spreadsheetml.sharedStrings+xml"/></Types>')
        items["xl/_rels/workbook.xml.rels"] = items["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            b'sharedStrings" Target="sharedStrings.xml"/></Relationships>')
    xml = items[name]
    xml = re.sub(rb'\s(count|uniqueCount)="\d+"', b"", xml)
    end = xml.rindex(b"</")
    items[name] = xml[:end] + TINY * extra + xml[end:]
    return name


def tiny_strings(content, megabytes):
    items = parts(content)
    _with_strings(items, megabytes * 1024 * 1024 // len(TINY))
    return build(items)


def renamed_strings(content, strings):
    items = parts(content)
    name = _with_strings(items, strings)
    items["xl/s.xml"] = items.pop(name)
    old = name.split("/", 1)[1].encode()
    items["[Content_Types].xml"] = items["[Content_Types].xml"].replace(b"/" + name.encode(), b"/xl/s.xml")
    items["xl/_rels/workbook.xml.rels"] = items["xl/_rels/workbook.xml.rels"].replace(b'"' + old + b'"', b'"s.xml"').replace(
        b'"/' + name.encode() + b'"', b'"/xl/s.xml"')
    return build(items)


def lying_sizes(content, megabytes):
    """A workbook with one more part, `xl/media/pad.xml`, whose central directory and local
    header say 1,024 bytes although it inflates to `megabytes` MB."""
    items = parts(content)
    items["xl/media/pad.xml"] = b"<pad>" + b" " * (megabytes * 1024 * 1024) + b"</pad>"
    data = bytearray(build(items))
    book = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = book.getinfo("xl/media/pad.xml")
    struct.pack_into("<L", data, info.header_offset + 22, 1024)  # local header: uncompressed size
    position = book.start_dir
    while True:  # the central directory entry of that part
        name_length, = struct.unpack_from("<H", data, position + 28)
        if data[position + 46 : position + 46 + name_length] == b"xl/media/pad.xml":
            struct.pack_into("<L", data, position + 24, 1024)
            break
        extra, comment = struct.unpack_from("<HH", data, position + 30)
        position += 46 + name_length + extra + comment
    return bytes(data)


def numbers(content, sentinel, text):
    """Every number cell whose value is `sentinel` (e.g. 987654) given the value `text` in the
    sheet's XML (b"1e400", b"NaN"), as a hand-edited file would hold it."""
    items = parts(content)
    found = False
    for name in list(items):
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            new = re.sub(rb"<v>" + str(sentinel).encode() + rb"(?:\.0)?</v>", b"<v>" + text + b"</v>", items[name])
            found |= new != items[name]
            items[name] = new
    assert found, "the sentinel value is not in any sheet"
    return build(items)


def many_rows(content, rows, columns=8):
    """The first sheet with `rows` rows of `columns` number cells appended after its own."""
    items = parts(content)
    name = sorted(n for n in items if n.startswith("xl/worksheets/sheet") and n.endswith(".xml"))[0]
    xml = items[name]
    xml = re.sub(rb"<dimension[^>]*/>", b"", xml)
    last = max([int(n) for n in re.findall(rb'<row r="(\d+)"', xml)] or [0])
    letters = [chr(65 + i) for i in range(columns)]
    body = b"".join(
        b'<row r="%d">' % r + b"".join(b'<c r="%s%d"><v>%d</v></c>' % (c.encode(), r, r) for c in letters) + b"</row>"
        for r in range(last + 1, last + 1 + rows)
    )
    if b"<sheetData/>" in xml:
        xml = xml.replace(b"<sheetData/>", b"<sheetData>" + body + b"</sheetData>")
    else:
        xml = xml.replace(b"</sheetData>", body + b"</sheetData>")
    items[name] = xml
    return build(items)
