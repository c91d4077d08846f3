"""Uploaded CSV and XLSX tables, read within limits that are checked while reading.

An upload may be hostile: a 100 KB XLSX can unzip to gigabytes, declare a dimension of
A1:XFD1048576, hold a million rows, a row of a million cells, or one tag of 40 MB. openpyxl
is no help here even read-only: it builds each row as an element tree, reads the shared
strings and styles whole and trusts the declared dimension, so one hostile row costs as much
memory as it unzips to. So the zip's directory is checked before anything is unzipped, and
each XML part is fed to expat in chunks, with handlers that keep only what a table needs —
memory stays bounded by the limits below whatever the file says about itself. openpyxl
still lends its number-format and date rules, so cells read as they did through it.
"""

from __future__ import annotations

import codecs
import csv
import io
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH, from_excel, from_ISO8601

from portal.kit.errors import PortalError
from portal.kit.i18n import N_, _

MAX_COLUMNS = 50
MAX_CELL_CHARS = 1000
MAX_LINE_CHARS = 60_000  # one CSV record: 50 full cells and their quotes fit
# All kept cells together: bounds what one table costs to store, however often an XLSX
# repeats one shared string.
MAX_TEXT_CHARS = 2_000_000
MAX_UNZIPPED_BYTES = 50 * 2**20  # every member of an XLSX together, as declared
MAX_SHARED_STRINGS_BYTES = 10 * 2**20  # the one part kept in memory whole
MAX_MEMBERS = 1000

INVALID_XLSX = N_("不是有效的 Excel（.xlsx）文件")
_CHUNK = 64 * 1024
# expat holds a token (a tag, a comment) whole until it ends; no sheet has one this long.
_MAX_HELD_BYTES = 2**20
_SHEETS_LOOKED_AT = 256
_MAX_NUMBER_FORMATS = 1000  # Excel allows about 250 custom formats
_MAX_CELL_STYLES = 65_536  # Excel allows 64,000
_CELL_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?\d+")

Row = tuple[int, list[str]]


class UnreadableFile(PortalError):
    title = N_("无法读取该文件")


def read_rows(filename: str, content: bytes, *, max_data_rows: int) -> list[Row]:
    """The non-empty rows of a CSV or XLSX file, as (row number, [cell text, …]) without
    trailing empty cells: a header row and at most ``max_data_rows`` more."""
    table = _Table(max_data_rows)
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        _read_xlsx(content, table)
    elif lower.endswith((".csv", ".txt")):
        _read_csv(content, table)
    else:
        raise UnreadableFile(_("只支持 CSV（.csv）和 Excel（.xlsx）文件"))
    return table.rows


class _Table:
    """The rows kept so far; refuses as soon as one passes a limit."""

    def __init__(self, max_data_rows: int) -> None:
        self.rows: list[Row] = []
        self.max_data_rows = max_data_rows
        self.max_shared_strings = (max_data_rows + 1) * MAX_COLUMNS
        self.chars = 0

    def add(self, number: int, cells: list[str]) -> None:
        last = max((i for i, text in enumerate(cells) if text), default=-1)
        if last < 0:
            return
        if last >= MAX_COLUMNS:
            raise UnreadableFile(
                _("列数过多（最多 {MAX_COLUMNS} 列）").format(MAX_COLUMNS=MAX_COLUMNS)
            )
        if len(self.rows) > self.max_data_rows:  # the header and max_data_rows are in
            raise UnreadableFile(
                _("行数过多（最多 {max_data_rows} 行）").format(max_data_rows=self.max_data_rows)
            )
        kept = cells[: last + 1]
        self.chars += sum(map(len, kept))
        if self.chars > MAX_TEXT_CHARS:
            raise UnreadableFile(
                _("单元格文字合计过多（最多 {MAX_TEXT_CHARS:,} 个字符）").format(
                    MAX_TEXT_CHARS=MAX_TEXT_CHARS
                )
            )
        self.rows.append((number, kept))


def _too_long(row: int, column: int) -> UnreadableFile:
    return UnreadableFile(
        _("第 {row} 行第 {column} 列的内容过长（每格最多 {MAX_CELL_CHARS} 个字符）").format(
            row=row, column=column, MAX_CELL_CHARS=MAX_CELL_CHARS
        )
    )


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


# --- CSV ---------------------------------------------------------------------------------

# A line, cut after MAX_LINE_CHARS + 1 characters so that no line is held longer.
_LINE = re.compile(rf"[^\r\n]{{1,{MAX_LINE_CHARS + 1}}}(?:\r\n?|\n)?|\r\n?|\n")


def _read_csv(content: bytes, table: _Table) -> None:
    # Excel's "Unicode text" is UTF-16 with a byte-order mark.
    utf16 = content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    for encoding in ("utf-16",) if utf16 else ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise UnreadableFile(_("无法识别文件编码（请使用 UTF-8 或 GBK）"))
    if "\x00" in text:  # no text encoding we read puts NUL in a table; the database refuses it
        raise UnreadableFile(_("文件中含有空字符（NUL），无法识别编码，请另存为 UTF-8 编码的 CSV"))
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    record, record_chars = 0, 0

    def lines() -> Iterator[str]:
        # csv asks for lines one at a time, so a record is refused before it is held whole.
        nonlocal record_chars
        for match in _LINE.finditer(text):
            record_chars += match.end() - match.start()
            if record_chars > MAX_LINE_CHARS:
                raise UnreadableFile(
                    _("第 {value} 行过长（每行最多 {MAX_LINE_CHARS} 个字符）").format(
                        value=record + 1, MAX_LINE_CHARS=MAX_LINE_CHARS
                    )
                )
            yield match.group()

    try:
        for record, fields in enumerate(csv.reader(lines(), dialect), start=1):
            record_chars = 0
            for column, field in enumerate(fields[: MAX_COLUMNS + 1], start=1):
                if len(field) > MAX_CELL_CHARS:
                    raise _too_long(record, column)
            table.add(record, [field.strip() for field in fields])
    except csv.Error as exc:  # a stray quote, a field beyond csv's own limit
        raise UnreadableFile(
            _("第 {value} 行无法解析，请检查引号是否成对").format(value=record + 1)
        ) from exc


# --- XLSX --------------------------------------------------------------------------------


def _read_xlsx(content: bytes, table: _Table) -> None:
    # Opening a zip makes an object of every entry of its directory; each entry starts
    # with this signature, so counting it bounds them before zipfile sees the file.
    if content.count(b"PK\x01\x02") > MAX_MEMBERS:
        raise UnreadableFile(
            _("压缩包内的文件过多（最多 {MAX_MEMBERS} 个）").format(MAX_MEMBERS=MAX_MEMBERS)
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            _Workbook(archive, table).read()
    except (
        zipfile.BadZipFile,  # also a member whose data does not match its declared size
        zlib.error,
        EOFError,
        KeyError,  # a part the file's relationships name is missing
        NotImplementedError,  # a compression method zipfile does not know
        RuntimeError,  # encrypted
        ValueError,
        IndexError,
        OverflowError,
        expat.ExpatError,
    ) as exc:
        raise UnreadableFile(INVALID_XLSX) from exc


def _local(name: str) -> str:
    return name[name.rfind(" ") + 1 :]  # expat gives "namespace local-name"


def _refuse_doctype(*_: Any) -> None:
    # No part of an XLSX has one; refusing it leaves no entity to expand.
    raise UnreadableFile(INVALID_XLSX)


def _rels_of(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def _part_name(source: str, target: str) -> str:
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


class _Workbook:
    """Finds the first worksheet, its shared strings and styles, and reads it into ``table``."""

    def __init__(self, archive: zipfile.ZipFile, table: _Table) -> None:
        self.archive = archive
        self.table = table
        self.sheet_ids: list[str] = []
        self.epoch = WINDOWS_EPOCH
        # Kept as UTF-8, never more than the part's own size: a str holding one emoji
        # takes four bytes for each of its characters.
        self.strings: list[bytes] = []
        self.string_parts: list[str] | None = None
        self.string_chars = 0
        self.in_phonetic = 0
        self.in_text = False
        self.custom_formats: dict[int, int] = {}
        self.in_cell_styles = False
        self.style_kinds = bytearray()  # cell style → _NUMBER, _DATE or _TIMEDELTA

    def read(self) -> None:
        members = self.archive.infolist()
        # zipfile never unzips more than a member declares (it checks the CRC at the end),
        # so the declared sizes bound what is unzipped.
        if sum(member.file_size for member in members) > MAX_UNZIPPED_BYTES:
            raise UnreadableFile(
                _("解压后的内容过大（最多 {value} MB）").format(value=MAX_UNZIPPED_BYTES // 2**20)
            )
        try:
            _found, parts = self._relationships("", types=("/officeDocument",))
            workbook = parts.get("/officeDocument", "xl/workbook.xml")
        except KeyError:  # no package relationships: where Excel puts it
            workbook = "xl/workbook.xml"
        self._parse(workbook, start=self._workbook_start)
        sheets, parts = self._relationships(
            workbook, types=("/styles", "/sharedStrings"), ids=set(self.sheet_ids)
        )
        # The first worksheet, as openpyxl's ``worksheets[0]`` (a chart sheet is no table).
        sheet = next(
            (
                sheets[i][1]
                for i in self.sheet_ids
                if sheets.get(i, ("", ""))[0].endswith("/worksheet")
            ),
            None,
        )
        if sheet is None:
            raise UnreadableFile(INVALID_XLSX)
        if styles := parts.get("/styles"):
            self._parse(styles, start=self._styles_start, end=self._styles_end)
        if strings := parts.get("/sharedStrings"):
            if self.archive.getinfo(strings).file_size > MAX_SHARED_STRINGS_BYTES:
                raise self._too_many_strings()
            self._parse(
                strings, start=self._strings_start, end=self._strings_end, text=self._strings_text
            )
        reader = _SheetReader(self)
        self._parse(sheet, start=reader.start, end=reader.end, text=reader.text)

    def _parse(self, name: str, *, start: Any, end: Any = None, text: Any = None) -> None:
        """Feeds one part to expat a chunk at a time; the handlers keep what they need."""
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartDoctypeDeclHandler = _refuse_doctype
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        fed = 0
        with self.archive.open(name) as part:
            while chunk := part.read(_CHUNK):
                parser.Parse(chunk, False)
                fed += len(chunk)
                if fed - parser.CurrentByteIndex > _MAX_HELD_BYTES:
                    raise UnreadableFile(INVALID_XLSX)
        parser.Parse(b"", True)

    def _relationships(
        self, source: str, *, types: tuple[str, ...], ids: set[str] | None = None
    ) -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
        """``source``'s related parts: {id: (type, part)} for ``ids``, and {type ending:
        part} for the first relationship of each type in ``types``."""
        by_id: dict[str, tuple[str, str]] = {}
        by_type: dict[str, str] = {}

        def start(name: str, attrs: dict[str, str]) -> None:
            if _local(name) != "Relationship" or attrs.get("TargetMode") == "External":
                return
            rid, kind = attrs.get("Id", ""), attrs.get("Type", "")
            part = _part_name(source, attrs.get("Target", ""))
            if ids is not None and rid in ids:
                by_id.setdefault(rid, (kind, part))
            for suffix in types:
                if kind.endswith(suffix):
                    by_type.setdefault(suffix, part)

        self._parse(_rels_of(source), start=start)
        return by_id, by_type

    def _workbook_start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
            self.epoch = MAC_EPOCH
        elif local == "sheet" and len(self.sheet_ids) < _SHEETS_LOOKED_AT:
            rid = next((v for k, v in attrs.items() if k.endswith("/relationships id")), None)
            if rid:
                self.sheet_ids.append(rid)

    # Styles: only which cell styles show a date or a duration.

    def _styles_start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "numFmt" and len(self.custom_formats) < _MAX_NUMBER_FORMATS:
            self.custom_formats[int(attrs.get("numFmtId", "0"))] = _format_kind(
                attrs.get("formatCode")
            )
        elif local == "cellXfs":
            self.in_cell_styles = True
        elif local == "xf" and self.in_cell_styles and len(self.style_kinds) < _MAX_CELL_STYLES:
            number_format = int(attrs.get("numFmtId", "0"))
            kind = self.custom_formats.get(number_format)
            if kind is None:
                kind = _format_kind(BUILTIN_FORMATS.get(number_format))
            self.style_kinds.append(kind)

    def _styles_end(self, name: str) -> None:
        if _local(name) == "cellXfs":
            self.in_cell_styles = False

    def style_kind(self, style: int) -> int:
        return self.style_kinds[style] if 0 <= style < len(self.style_kinds) else _NUMBER

    # Shared strings: each kept up to one character past the cell limit, which a cell
    # using it then reports.

    def _too_many_strings(self) -> UnreadableFile:
        return UnreadableFile(
            _("文件中的文字过多（共享字符串表最多 {value} MB、{max_shared_strings:,} 条）").format(
                value=MAX_SHARED_STRINGS_BYTES // 2**20,
                max_shared_strings=self.table.max_shared_strings,
            )
        )

    def _strings_start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "si":
            self.string_parts, self.string_chars = [], 0
        elif local == "rPh":  # the phonetic guide is not the text
            self.in_phonetic += 1
        elif local == "t" and self.string_parts is not None and not self.in_phonetic:
            self.in_text = True

    def _strings_text(self, data: str) -> None:
        if self.in_text and self.string_parts is not None:
            room = MAX_CELL_CHARS + 1 - self.string_chars
            if room > 0:
                self.string_parts.append(data[:room])
                self.string_chars += min(room, len(data))

    def _strings_end(self, name: str) -> None:
        local = _local(name)
        if local == "t":
            self.in_text = False
        elif local == "rPh":
            self.in_phonetic -= 1
        elif local == "si" and self.string_parts is not None:
            if len(self.strings) == self.table.max_shared_strings:
                raise self._too_many_strings()
            self.strings.append("".join(self.string_parts).encode())
            self.string_parts = None


_NUMBER, _DATE, _TIMEDELTA = 0, 1, 2


def _format_kind(code: str | None) -> int:
    if not is_date_format(code):
        return _NUMBER
    return _TIMEDELTA if is_timedelta_format(code) else _DATE


class _SheetReader:
    """Rows of a worksheet as they stream by. The declared dimension is never read: a row
    is its cells, a column their references, and a cell is kept only when it has text."""

    def __init__(self, workbook: _Workbook) -> None:
        self.workbook = workbook
        self.row = 0
        self.cells: dict[int, str] | None = None
        self.column = 0
        self.kind = ""
        self.style = 0
        self.in_cell = False
        self.in_inline = False
        self.in_phonetic = 0
        self.collecting = False
        self.parts: list[str] = []
        self.chars = 0

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "row":
            self.row = int(attrs["r"]) if "r" in attrs else self.row + 1
            self.cells, self.column = {}, 0
        elif local == "c" and self.cells is not None:
            ref = _CELL_REF.fullmatch(attrs.get("r", ""))
            self.column = column_index_from_string(ref.group(1).upper()) if ref else self.column + 1
            self.kind, self.style = attrs.get("t", "n"), int(attrs.get("s", "0"))
            self.in_cell, self.parts, self.chars = True, [], 0
        elif not self.in_cell:
            return
        elif local == "v":
            self.collecting = True
        elif local == "is":
            self.in_inline = True
        elif local == "rPh":
            self.in_phonetic += 1
        elif local == "t" and self.in_inline and not self.in_phonetic:
            self.collecting = True

    def text(self, data: str) -> None:
        if self.collecting:
            self.chars += len(data)
            if self.chars > MAX_CELL_CHARS:
                raise _too_long(self.row, self.column)
            self.parts.append(data)

    def end(self, name: str) -> None:
        local = _local(name)
        if local in ("v", "t"):
            self.collecting = False
        elif local == "rPh":
            self.in_phonetic -= 1
        elif local == "is":
            self.in_inline = False
        elif local == "c" and self.in_cell:
            self.in_cell = False
            text = self._value("".join(self.parts))
            if text and self.cells is not None:
                if len(text) > MAX_CELL_CHARS:
                    raise _too_long(self.row, self.column)
                if self.column > MAX_COLUMNS:
                    raise UnreadableFile(
                        _("列数过多（最多 {MAX_COLUMNS} 列）").format(MAX_COLUMNS=MAX_COLUMNS)
                    )
                self.cells[self.column] = text
        elif local == "row":
            self.finish()

    def finish(self) -> None:
        if self.cells:
            width = max(self.cells)
            self.workbook.table.add(self.row, [self.cells.get(c, "") for c in range(1, width + 1)])
        self.cells = None

    def _value(self, raw: str) -> str:
        """The cell's text as openpyxl (cached values) and then ``_cell_text`` gave it."""
        kind, raw = self.kind, raw.strip()
        if not raw:
            return ""
        if kind == "s":
            index = int(raw)
            if index < 0:
                raise IndexError(index)
            return self.workbook.strings[index].decode().strip()
        if kind == "b":
            return str(bool(int(raw)))
        if kind == "d":
            return _cell_text(from_ISO8601(raw))
        if kind != "n":  # inlineStr, str (a formula's text), e (an error such as #N/A)
            return raw
        number: float = float(raw) if any(c in raw for c in ".eE") else int(raw)
        style = self.workbook.style_kind(self.style)
        if style == _NUMBER:
            return _cell_text(number)
        try:
            return _cell_text(
                from_excel(number, self.workbook.epoch, timedelta=style == _TIMEDELTA)
            )
        except (OverflowError, ValueError):
            return "#VALUE!"  # a date style on a number no date has, as openpyxl says
