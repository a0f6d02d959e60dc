"""Streaming .xlsx reader: rows of one worksheet, one at a time, in flat memory.

calamine (and every reader that builds a sheet in memory) holds a whole worksheet at once: 1.7 GB for a
county's 成员 sheet of a million rows. This reader decompresses the sheet XML in chunks and turns each
`<row>` into a list of cell values as it goes; only the shared-string table (`xl/sharedStrings.xml`) is
kept whole, as Excel itself does.

Two paths give the same values:
- the fast path: one compiled regular expression per row for the cell shapes that Excel, WPS,
  LibreOffice, openpyxl, xlsxwriter and our own `xlsx_writer` write (`<c r= s= t=><f/><v>…</v></c>`,
  inline strings). Anything else in a row — a namespace prefix, rich text, an unknown attribute or child —
  is noticed (a catch-all alternative of the same expression), and that row goes to
- the exact path: the row parsed as XML with ElementTree.

Values follow calamine's conventions, so the importer sees the same cells whichever reader ran: text as
`str`, numbers as `float`, date-formatted numbers as `date`/`datetime`/`time`, booleans as `bool`,
elapsed-time formats ([h]:mm:ss) as `timedelta`, empty cells as "" (error cells as their text, e.g. "#N/A",
where calamine gives "").
"""

from __future__ import annotations

import codecs
import contextlib
import math
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from html import unescape
from typing import Any
from xml.etree import ElementTree as ET

from jingzhun.workbook.upload_limits import (
    METADATA_MAX_BYTES,
    LimitedStream,
    UploadLimitError,
    check_archive,
    member_max,
)

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
CHUNK = 1 << 20

# Built-in number formats that show dates or times (ECMA-376 §18.8.30, with the CJK ids Chinese Excel uses);
# 46 ([h]:mm:ss) shows elapsed time, a duration.
_BUILTIN_DATE_FORMATS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_BUILTIN_DURATION_FORMATS = {46}
_EXCEL_EPOCH = datetime(1899, 12, 30)
_MS_PER_DAY = 86_400_000

_ROW_NUMBER = re.compile(r"""^<(?:\w+:)?row\b[^>]*?\sr\s*=\s*["'](\d+)["']""")
_SHEET_DATA = re.compile(r"<(?:(\w+):)?sheetData\b[^>]*>")
_DIMENSION = re.compile(r"""<(?:\w+:)?dimension\s+ref\s*=\s*["'][A-Z]*\d*:?[A-Z]*(\d+)["']""")
_ROOT_NS = re.compile(r"""\sxmlns(?::(\w+))?\s*=\s*["']([^"']*)["']""")
# The cell shapes of common writers; group 8 is the catch-all that sends a row to the exact path.
_CELL = re.compile(
    r'<c r="([A-Z]{1,3})\d+"(?: s="(\d+)")?(?: t="(\w+)")?(?: s="(\d+)")?\s*'
    r"(?:/>|>(?:<f\b[^>]*?(?:/>|>[^<]*</f>))?"
    r'(?:<v>([^<]*)</v>|<v\s*/>|<is><t( xml:space="preserve")?>([^<]*)</t></is>)?</c>)'
    r"|(<[^>]*>|[^<]+)"
)
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_XML_WHITESPACE = " \t\n\r"


class XlsxError(Exception):
    """The file is not a readable workbook; the message is Chinese."""


class _Fallback(Exception):
    """A row the fast path does not cover."""


def _text(value: str, *, trim: bool = False) -> str:
    """XML character data as text: entities replaced; with `trim` (a <t> without xml:space="preserve"),
    leading and trailing whitespace dropped, as Excel and calamine do (a <t> of only whitespace is kept:
    Excel shows it, calamine drops it); then OOXML's _xHHHH_ escapes decoded."""
    if "&" in value:
        value = unescape(value)
    if trim:
        value = value.strip(_XML_WHITESPACE) or value
    if "_x" in value:
        value = _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value)
    return value


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + ord(ch) - 64
    return index - 1


_COLUMNS = {
    a + b: _column_index(a + b) for a in ("", *map(chr, range(65, 91))) for b in map(chr, range(65, 91))
}


def _namespaces(head: str) -> str:
    """The namespace declarations of the <worksheet> start tag, to parse one row on its own."""
    root = re.search(r"<(?:\w+:)?worksheet\b[^>]*>", head)
    if root is None:
        return f'xmlns="{MAIN_NS}"'
    return " ".join(f'xmlns{":" + p if p else ""}="{u}"' for p, u in _ROOT_NS.findall(root.group(0)))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _date_format_kind(code: str) -> str:
    """What a custom format code shows: "date" when it has d, m, y, h or s outside quotes, escapes and
    [colour/condition] brackets; "duration" when an elapsed-time bracket ([h], [mm], [ss]) comes first;
    "" otherwise. Only the first section (the format of positive numbers) counts, as in calamine."""
    i, n = 0, len(code)
    while i < n:
        ch = code[i]
        if ch == ";":
            return ""
        if ch == '"':
            end = code.find('"', i + 1)
            i = n if end < 0 else end + 1
            continue
        if ch in "\\_*":
            i += 2
            continue
        if ch == "[":
            end = code.find("]", i + 1)
            inner = code[i + 1 : end if end >= 0 else n].lower()
            if inner and inner[0] in "hms" and inner.strip(inner[0]) == "":
                return "duration"
            i = n if end < 0 else end + 1
            continue
        if ch.lower() in "dmyhs":
            return "date"
        i += 1
    return ""


class XlsxBook:
    """An open .xlsx: sheet names, shared strings and date styles; `rows(name)` streams one sheet."""

    def __init__(self, path: str):
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise XlsxError(f"文件已损坏，无法打开：{exc}") from exc
        try:
            # the zip directory first: a part that would inflate past its limit is refused unread
            check_archive(self.zip, small={n for n in self.zip.NameToInfo if _parsed_whole(n)})
            self.sheets = self._sheet_paths()
            self.shared = self._shared_strings()
            self.date_styles, self.duration_styles = self._date_styles()
        except UploadLimitError as exc:
            self.zip.close()
            raise XlsxError(str(exc)) from exc
        except (KeyError, ET.ParseError, ValueError, zipfile.BadZipFile, zlib.error, EOFError) as exc:
            self.zip.close()
            raise XlsxError(f"无法读取 Excel 文件：{exc}") from exc

    # --- workbook parts ---------------------------------------------------------------------------
    def _open(self, name: str, limit: int | None = None) -> LimitedStream:
        """A member, inflated with a count: never more than its limit, whatever its directory entry says."""
        return LimitedStream(self.zip.open(name), member_max() if limit is None else limit, name)

    def _part(self, name: str) -> bytes | None:
        """A part parsed whole (workbook, styles, relationships): at most METADATA_MAX_BYTES inflated."""
        if name not in self.zip.NameToInfo:
            return None
        with self._open(name, METADATA_MAX_BYTES) as fh:
            return fh.read()

    def _workbook_path(self) -> str:
        rels = self._part("_rels/.rels")
        if rels is not None:
            for rel in ET.fromstring(rels):
                if _local(rel.get("Type", "")) == "officeDocument" or rel.get("Type", "").endswith(
                    "/officeDocument"
                ):
                    return rel.get("Target", "xl/workbook.xml").lstrip("/")
        return "xl/workbook.xml"

    def _sheet_paths(self) -> dict[str, str]:
        workbook_path = self._workbook_path()
        data = self._part(workbook_path)
        if data is None:
            raise KeyError(workbook_path)
        root = ET.fromstring(data)
        base = posixpath.dirname(workbook_path)
        rels_path = posixpath.join(base, "_rels", posixpath.basename(workbook_path) + ".rels")
        targets: dict[str, str] = {}
        rels = self._part(rels_path)
        if rels is not None:
            for rel in ET.fromstring(rels):
                target = rel.get("Target", "")
                full = (
                    target.lstrip("/")
                    if target.startswith("/")
                    else posixpath.normpath(posixpath.join(base, target))
                )
                targets[rel.get("Id", "")] = full
        self.date1904 = False
        sheets: dict[str, str] = {}
        for element in root.iter():
            name = _local(element.tag)
            if name == "workbookPr" and element.get("date1904") in ("1", "true"):
                self.date1904 = True
            if name != "sheet":
                continue
            rid = element.get(f"{{{REL_NS}}}id") or element.get(f"{{{STRICT_REL_NS}}}id") or ""
            path = targets.get(rid)
            if path and path in self.zip.NameToInfo:
                sheets[element.get("name", "")] = path
        return sheets

    def _shared_strings(self) -> list[str]:
        path = next((n for n in self.zip.namelist() if n.lower().endswith("sharedstrings.xml")), None)
        if path is None:
            return []
        strings: list[str] = []
        with self._open(path) as fh:
            for _, element in ET.iterparse(fh, events=("end",)):
                if _local(element.tag) == "si":
                    strings.append(_text_of(element))
                    element.clear()
        return strings

    def _date_styles(self) -> tuple[frozenset[str], frozenset[str]]:
        """Style indexes (the `s` attribute, as text) whose number format is a date or a time, and those
        of them whose format is an elapsed time (a duration)."""
        data = self._part("xl/styles.xml")
        if data is None:
            return frozenset(), frozenset()
        root = ET.fromstring(data)
        custom: dict[int, str] = {}
        cell_xfs: list[int] = []
        for element in root.iter():
            name = _local(element.tag)
            if name == "numFmt":
                custom[int(element.get("numFmtId", "0"))] = element.get("formatCode", "")
            elif name == "cellXfs":
                cell_xfs = [int(xf.get("numFmtId", "0")) for xf in element if _local(xf.tag) == "xf"]
        dates, durations = set(), set()
        for index, fmt in enumerate(cell_xfs):
            code = custom.get(fmt)
            if code is not None:
                kind = _date_format_kind(code)
            elif fmt in _BUILTIN_DATE_FORMATS:
                kind = "duration" if fmt in _BUILTIN_DURATION_FORMATS else "date"
            else:
                kind = ""
            if kind:
                dates.add(str(index))
                if kind == "duration":
                    durations.add(str(index))
        return frozenset(dates), frozenset(durations)

    # --- values -----------------------------------------------------------------------------------
    def _number(self, raw: str, style: str) -> Any:
        if raw == "":
            return ""
        number = float(raw)
        if style and style in self.date_styles:
            return self._date(number, duration=style in self.duration_styles)
        return number

    def _date(self, serial: float, *, duration: bool) -> Any:
        """calamine's conversion: to the millisecond; a serial below 1 is a time of day, a whole one a date;
        serials before 60 are a day later (Excel counts a 29 February 1900 that never was). A serial no date
        can hold (negative, past year 9999, not finite) stays a number."""
        try:
            if duration:
                return timedelta(milliseconds=math.floor(serial * _MS_PER_DAY + 0.5))
            if serial < 0:
                return serial
            shifted = serial + 1462 if self.date1904 else serial
            if shifted < 60:
                shifted += 1
            moment = _EXCEL_EPOCH + timedelta(milliseconds=math.floor(shifted * _MS_PER_DAY + 0.5))
        except (OverflowError, ValueError):
            return serial
        if serial < 1:
            return moment.time()
        return moment.date() if serial == int(serial) else moment

    def _value(self, kind: str, style: str, raw: str) -> Any:
        if kind == "" or kind == "n":
            return self._number(raw, style)
        if kind == "s":
            return self.shared[int(raw)] if raw != "" else ""
        if kind == "b":
            return raw.strip() in ("1", "true")
        if kind == "d":
            return _iso_date(raw)
        return _text(raw)  # str (formula text), e (error), inlineStr read as text

    # --- rows -------------------------------------------------------------------------------------
    def rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        """(row number as Excel shows it, cells by column from A) for each <row> of `sheet`; a damaged
        sheet raises XlsxError (with the rows before the damage already given)."""
        try:
            yield from self._rows(sheet)
        except UploadLimitError as exc:
            raise XlsxError(str(exc)) from exc
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            UnicodeDecodeError,
            ET.ParseError,
            ValueError,
            IndexError,
        ) as exc:
            raise XlsxError(f"工作表“{sheet}”无法读取（文件可能已损坏）：{exc}") from exc

    def _rows(self, sheet: str) -> Iterator[tuple[int, list[Any]]]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        number = 0
        with self._open(self.sheets[sheet]) as fh:
            buffer = head = ""
            prefix = namespaces = close = end_token = ""
            done = ended = False
            while not done:
                chunk = fh.read(CHUNK)
                done = not chunk
                buffer += decoder.decode(chunk, final=done)
                if not close:
                    head, buffer = head + buffer, ""  # the <sheetData> tag may straddle two chunks
                    found = _SHEET_DATA.search(head)
                    if found is None:
                        continue
                    if found.group(0).endswith("/>"):  # <sheetData/>: no rows
                        return
                    prefix = f"{found.group(1)}:" if found.group(1) else ""
                    namespaces = _namespaces(head[: found.start()])
                    close, end_token = f"</{prefix}row>", f"</{prefix}sheetData>"
                    buffer = head[found.end() :]
                end = buffer.find(end_token)
                if end >= 0:
                    buffer, done, ended = buffer[:end], True, True
                parts = buffer.split(close)
                buffer = parts.pop()  # an incomplete row, kept for the next chunk
                for part in parts:
                    opening = part.rfind(f"<{prefix}row")
                    if opening < 0:
                        raise XlsxError(f"工作表“{sheet}”的格式不正确（文件可能已损坏）")
                    number += part.count(f"<{prefix}row", 0, opening)  # empty <row/>s before it
                    text = part[opening:]
                    found_number = _ROW_NUMBER.match(text)
                    number = int(found_number.group(1)) if found_number else number + 1
                    yield number, self._row(text, close, prefix, namespaces)
            if not close:  # no <sheetData> at all: a sheet without cells (a chart sheet), or a cut one
                ET.fromstring(head.lstrip("\ufeff"))
            elif not ended or re.search(rf"<{prefix}row\b(?:[^>]*[^/])?>", buffer):
                raise XlsxError(f"工作表“{sheet}”的内容不完整（文件可能已损坏）")

    def _row(self, text: str, close: str, prefix: str, namespaces: str) -> list[Any]:
        if not prefix:
            with contextlib.suppress(_Fallback):  # a shape the fast path does not cover: parse it exactly
                return self._fast_row(text[text.index(">") + 1 :])
        return self._exact_row(text + close, namespaces)

    def _fast_row(self, inner: str) -> list[Any]:
        cells: list[Any] = []
        append = cells.append
        columns = _COLUMNS
        shared = self.shared
        date_styles = self.date_styles
        size = 0
        for letters, s1, kind, s2, raw, preserve, inline, other in _CELL.findall(inner):
            if other:
                if other.isspace():
                    continue
                raise _Fallback
            index = columns.get(letters, -1)
            if index != size:
                if index < 0:
                    index = _column_index(letters)
                if index < size:
                    raise _Fallback  # cells out of order: let the exact path place them
                cells.extend([""] * (index - size))
                size = index
            if inline or kind == "inlineStr":  # calamine reads an <is> whatever the t attribute says
                if "&" in inline or "_x" in inline:
                    inline = _text(inline, trim=not preserve)
                elif not preserve:
                    inline = inline.strip(_XML_WHITESPACE) or inline
                append(inline)
            elif kind == "s":
                append(shared[int(raw)] if raw else "")
            elif (kind == "" or kind == "n") and (s1 or s2) not in date_styles:
                append(float(raw) if raw else "")
            else:
                append(self._value(kind, s1 or s2, raw))
            size += 1
        return cells

    def _exact_row(self, text: str, namespaces: str) -> list[Any]:
        wrapper = ET.fromstring(f"<w {namespaces}>{text}</w>")
        cells: list[Any] = []
        for row in wrapper:
            for cell in row:
                if _local(cell.tag) != "c":
                    continue
                ref = cell.get("r")
                index = _column_index(ref.rstrip("0123456789").upper()) if ref else len(cells)
                while len(cells) <= index:
                    cells.append("")
                kind = cell.get("t", "")
                inline = next((c for c in cell if _local(c.tag) == "is"), None)
                if inline is not None or kind == "inlineStr":
                    cells[index] = _text_of(inline) if inline is not None else ""
                    continue
                v = next((c for c in cell if _local(c.tag) == "v"), None)
                raw = (v.text or "") if v is not None else ""
                if kind in ("str", "e"):  # ElementTree has unescaped the XML entities already
                    cells[index] = (
                        _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), raw) if "_x" in raw else raw
                    )
                else:
                    cells[index] = self._value(kind, cell.get("s", ""), raw)
        return cells

    def dimension_rows(self, sheet: str) -> int:
        """The last row of the sheet's <dimension> (for progress), 0 when the sheet does not say."""
        try:
            with self.zip.open(self.sheets[sheet]) as fh:
                head = fh.read(4096).decode("utf-8", "ignore")
        except (zipfile.BadZipFile, zlib.error, EOFError):
            return 0  # damaged: rows() says so
        match = _DIMENSION.search(head)
        return int(match.group(1)) if match else 0

    def close(self) -> None:
        self.zip.close()


def _parsed_whole(name: str) -> bool:
    """Parts read into memory and parsed at once (not streamed): all but worksheets and shared strings."""
    return name.lower().endswith((".rels", "workbook.xml", "styles.xml"))


def _text_of(element: Any) -> str:
    """The text of a shared or inline string: its <t>, or its rich-text runs' <t>s, without phonetic
    (<rPh>) runs; each <t> trimmed as `_text` says. ElementTree has already unescaped XML entities;
    OOXML's own _xHHHH_ escapes remain."""
    parts: list[str] = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(_trimmed(child))
        elif name == "r":
            parts.extend(_trimmed(t) for t in child if _local(t.tag) == "t")
    value = "".join(parts)
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), value) if "_x" in value else value


def _trimmed(t: Any) -> str:
    text: str = t.text or ""
    return text if t.get(_XML_SPACE) == "preserve" else text.strip(_XML_WHITESPACE) or text


def _iso_date(raw: str) -> Any:
    """A t="d" cell (ISO 8601) as calamine gives it: a datetime, a date or a time; text it cannot read
    (or one with a time zone) stays text."""
    try:
        if "T" in raw:
            moment = datetime.fromisoformat(raw)
            return moment if moment.tzinfo is None else raw
        return time.fromisoformat(raw) if ":" in raw else date.fromisoformat(raw)
    except ValueError:
        return raw
