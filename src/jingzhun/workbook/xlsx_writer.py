"""A lean streaming xlsx writer for large workbooks (the registry export and the generator).

xlsxwriter costs ~15 µs a cell even in constant_memory mode; a registry of a million members holds ~26
million cells. This writer emits the few OOXML parts a workbook needs itself: cells are inline strings
(`t="inlineStr"`, no shared-string table to hold in memory) or numbers; identifier columns carry a style
with number format 49 (`@`, text) so Excel and WPS keep ID numbers as typed; the header row is styled and
frozen. Each sheet's rows are streamed to a temporary file as they come (sheets may be written
interleaved), and `close()` deflates them into the zip with a low compression level. Memory stays flat
however many rows are written.

Strings are XML-escaped, and characters XML 1.0 forbids (control characters other than tab, newline and
carriage return; lone surrogates; U+FFFE/U+FFFF) are dropped, since no reader would open the file otherwise.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import IO, Any, NamedTuple

from jingzhun.workbook.columns import TEXT_COLUMNS, Sheet

COMPRESS_LEVEL = 1  # deflate level 1: 2.7× faster than the default 6 on sheet XML, the file ~25% larger
FLUSH_ROWS = 2000
MAX_SHAPES = 4096
COPY_CHUNK = 1 << 20
STYLE_TEXT = 1
STYLE_HEADER = 2

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# a row whose strings hold none of these needs no escaping and no xml:space="preserve"; any other row
# takes the per-cell path
_ROW_SPECIAL = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff \t\n]")
_EDGE_SPACE = (" ", "\t", "\n", "&#13;")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def xml_text(value: str, /) -> str:
    """`value` as XML character data: escaped, characters illegal in XML 1.0 removed."""
    if _SPECIAL.search(value) is None:
        return value
    return _ILLEGAL.sub("", value).translate(_ESCAPES)


def column_letter(*, index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "{sheets}</Types>"
)
SHEET_CONTENT_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{n}.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
    '<Relationship Id="rIdStyles" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>'
)
SHEET_REL = (
    '<Relationship Id="rId{n}" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet{n}.xml"/>'
)
STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFF2DCDB"/><bgColor indexed="64"/>'
    "</patternFill></fill></fills>"
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom>'
    "<diagonal/></border></borders>"
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<dimension ref="{ref}"/><sheetViews><sheetView {selected}workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
    '<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
)
SHEET_TAIL = (
    '</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
    "</worksheet>"
)


class Shape(NamedTuple):
    """A row template for `%`: `pick([row_number, *values])` gives its arguments in order."""

    template: str
    pick: Callable[[Sequence[Any]], Any]
    strings: Callable[[Sequence[Any]], Any] | None  # picks the string values
    string_count: int  # how many
    numbers: Callable[[Sequence[Any]], Any] | None  # picks float/Decimal values (twice: never a scalar)

    def fits(self, values: Sequence[Any]) -> bool:
        """No string needs escaping or space preservation, every number is finite."""
        if self.numbers is not None and not all(map(math.isfinite, self.numbers(values))):
            return False
        if self.strings is None:
            return True
        joined = self.strings(values) if self.string_count == 1 else "".join(self.strings(values))
        return _ROW_SPECIAL.search(joined) is None


_UNKNOWN: Any = object()


class FastSheet:
    """One worksheet: `row(values)` appends a row; strings, numbers, booleans (是/否), dates (ISO)."""

    def __init__(
        self, *, name: str, headers: Sequence[str], text_columns: Sequence[bool], widths: Sequence[float]
    ):
        self.name = name
        self.width = len(headers)
        self.next_row = 2
        self._file: IO[bytes] = tempfile.TemporaryFile(prefix="jingzhun-xlsx-")  # noqa: SIM115 - closed in close()
        self._buffer: list[str] = []
        self._shapes: dict[tuple[Any, ...], Shape | None] = {}
        letters = [column_letter(index=i) for i in range(self.width)]
        # per column: the text before the row number, and the text after it for a string / a number cell
        styles = [f' s="{STYLE_TEXT}"' if text else "" for text in text_columns]
        col_style = f' style="{STYLE_TEXT}"'
        self._cells = [
            (f'<c r="{letter}', f'" t="inlineStr"{style}><is>', f'"{style}><v>')
            for letter, style in zip(letters, styles, strict=True)
        ]
        self._cols = "".join(
            f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"{col_style if text else ""}/>'
            for i, (w, text) in enumerate(zip(widths, text_columns, strict=True))
        )
        header = "".join(
            f'<c r="{letter}1" t="inlineStr" s="{STYLE_HEADER}"><is><t>{xml_text(h)}</t></is></c>'
            for letter, h in zip(letters, headers, strict=True)
        )
        self._buffer.append(f'<row r="1">{header}</row>')
        self._last_letter = letters[-1] if letters else "A"

    def row(self, values: Sequence[Any]) -> None:
        """Append a row. Rows of the same shape (which cells are text, numbers or empty) share one
        template, so a plain row costs one `%` format rather than a Python step per cell."""
        number = self.next_row
        self.next_row += 1
        key = (*map(type, values), *map(bool, values))
        shape = self._shapes.get(key, _UNKNOWN)
        if shape is _UNKNOWN:
            shape = self._shape(values)
            if len(self._shapes) < MAX_SHAPES:
                self._shapes[key] = shape
        if shape is not None and shape.fits(values):
            # the row number as text: `%` converts it once, not once for every cell that repeats it
            self._buffer.append(shape.template % shape.pick([str(number), *values]))
        else:
            self._buffer.append(self._row_slowly(str(number), values))
        if len(self._buffer) >= FLUSH_ROWS:
            self._flush()

    def _shape(self, values: Sequence[Any]) -> Shape | None:
        """The template of rows like `values`, or None when a cell needs the per-cell path."""
        parts = ['<row r="%s">']
        args = [0]
        strings: list[int] = []
        numbers: list[int] = []
        for i, ((head, as_text, as_number), value) in enumerate(zip(self._cells, values, strict=False)):
            kind = type(value)
            if value is None or (kind is str and not value):
                continue
            if kind is str:
                strings.append(i)
                parts.append(f"{head}%s{as_text}<t>%s</t></is></c>")
            elif kind is int:
                parts.append(f"{head}%s{as_number}%s</v></c>")
            elif kind is float or kind is Decimal:
                numbers.append(i)
                parts.append(f"{head}%s{as_number}{'%r' if kind is float else '%s'}</v></c>")
            elif kind is date:
                parts.append(f"{head}%s{as_text}<t>%s</t></is></c>")
            else:
                return None
            args += [0, i + 1]
        parts.append("</row>")
        return Shape(
            template="".join(parts),
            pick=itemgetter(*args),
            strings=itemgetter(*strings) if strings else None,
            string_count=len(strings),
            numbers=itemgetter(*numbers, *numbers) if numbers else None,
        )

    def _row_slowly(self, r: str, values: Sequence[Any]) -> str:
        out = ['<row r="', r, '">']
        append = out.append
        for (head, as_text, as_number), value in zip(self._cells, values, strict=False):
            if value is None or value == "":
                continue
            kind = type(value)
            if kind is bool:
                value = "是" if value else "否"
            elif isinstance(value, Decimal | int | float):  # Decimal, subclasses (IntEnum …)
                number = int(value) if isinstance(value, int) else float(value)
                if math.isfinite(number):
                    append(f"{head}{r}{as_number}{number!r}</v></c>")
                    continue
                value = str(value)
            elif isinstance(value, date):
                value = value.isoformat()
            elif kind is not str:
                value = str(value)
            value = xml_text(value)
            if value:
                # a leading or trailing \r is written as &#13;: it needs "preserve" as much as a space does
                edge = value.startswith(_EDGE_SPACE) or value.endswith(_EDGE_SPACE)
                space = ' xml:space="preserve"' if edge else ""
                append(f"{head}{r}{as_text}<t{space}>{value}</t></is></c>")
        append("</row>")
        return "".join(out)

    def _flush(self) -> None:
        if self._buffer:
            self._file.write("".join(self._buffer).encode("utf-8"))
            self._buffer.clear()

    def write_into(self, *, archive: zipfile.ZipFile, entry: str, selected: bool) -> None:
        self._flush()
        size = self._file.tell()
        self._file.seek(0)
        head = SHEET_HEAD.format(
            ref=f"A1:{self._last_letter}{self.next_row - 1}",
            selected='tabSelected="1" ' if selected else "",
            cols=self._cols,
        ).encode("utf-8")
        with archive.open(entry, "w", force_zip64=size > (1 << 31)) as dst:
            dst.write(head)
            shutil.copyfileobj(self._file, dst, COPY_CHUNK)
            dst.write(SHEET_TAIL.encode("utf-8"))

    def close(self) -> None:
        self._file.close()


class FastBook:
    """An xlsx being written: `sheet(...)` adds sheets in order, `close()` writes the file."""

    def __init__(self, path: str, *, compresslevel: int = COMPRESS_LEVEL):
        self.path = path
        self.compresslevel = compresslevel
        self.sheets: list[FastSheet] = []
        self.closed = False

    def add_sheet(
        self, *, name: str, headers: Sequence[str], text_columns: Sequence[bool], widths: Sequence[float]
    ) -> FastSheet:
        sheet = FastSheet(name=name, headers=headers, text_columns=text_columns, widths=widths)
        self.sheets.append(sheet)
        return sheet

    def sheet(self, sheet: Sheet) -> FastSheet:
        """A sheet of the registry workbook: its headers, ID/code columns as text."""
        text = [spec.name in TEXT_COLUMNS for spec in sheet.specs]
        widths = [
            22 if t else max(8, len(spec.label) * 2 + 2) for spec, t in zip(sheet.specs, text, strict=True)
        ]
        return self.add_sheet(name=sheet.name, headers=sheet.headers, text_columns=text, widths=widths)

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        try:
            with zipfile.ZipFile(
                self.path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=self.compresslevel
            ) as archive:
                numbers = range(1, len(self.sheets) + 1)
                archive.writestr(
                    "[Content_Types].xml",
                    CONTENT_TYPES.format(sheets="".join(SHEET_CONTENT_TYPE.format(n=n) for n in numbers)),
                )
                archive.writestr("_rels/.rels", ROOT_RELS)
                archive.writestr(
                    "xl/workbook.xml",
                    WORKBOOK.format(
                        sheets="".join(
                            f'<sheet name="{xml_text(s.name).replace(chr(34), "&quot;")}" sheetId="{n}" r:id="rId{n}"/>'
                            for n, s in zip(numbers, self.sheets, strict=True)
                        )
                    ),
                )
                archive.writestr(
                    "xl/_rels/workbook.xml.rels",
                    WORKBOOK_RELS.format(rels="".join(SHEET_REL.format(n=n) for n in numbers)),
                )
                archive.writestr("xl/styles.xml", STYLES)
                for n, sheet in zip(numbers, self.sheets, strict=True):
                    sheet.write_into(archive=archive, entry=f"xl/worksheets/sheet{n}.xml", selected=n == 1)
        finally:
            for sheet in self.sheets:
                sheet.close()
