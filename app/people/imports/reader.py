"""Reading the cells of an uploaded roster: .xlsx/.xlsm/.xls/.ods through python-calamine,
.csv/.txt through the csv module.

The bytes decide the format, not the name: bureaus rename files, and a .docx or a
photo of the sheet arrives as "名单.xlsx" often enough. Every refusal is a
RosterFileError whose message is a gettext msgid the admin can act on.

python-calamine lays a sheet out as a dense grid from its first to its last cell, and
a failed allocation in Rust aborts the whole process: a 2 KB .xlsx with values in A1
and XFD1048576 kills the server (tafia/calamine#693), a 1 KB .ods of repeated rows
asks for gigabytes (calamine#594). So the sheet XML inside a zip is scanned first,
streaming, and the file is refused as soon as its extent passes the limits. .xls is
not scanned (that needs an OLE reader): one Excel wrote holds at most 65,536 × 256
cells (0.5 GB for calamine), but a crafted one could claim more.
"""

from __future__ import annotations

import csv
import functools
import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import Any

from python_calamine import (
    CalamineError,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from app.i18n import N_

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
MAX_CELLS = 5_000_000
"""Rows × columns calamine may lay out for one workbook: 32 bytes each in Rust."""
MAX_UNZIPPED = 400 * 1024 * 1024
"""Sheet XML a zip may hold once inflated (a 40,000-person roster holds about 10 MB)."""

ZIP, OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # an encrypted .xlsx is OLE
DELIMITERS = ",\t;"


class RosterFileError(ValueError):
    """The file as a whole cannot be imported (same shape as cells.CellError)."""

    def __init__(self, message: str, **args: Any) -> None:
        super().__init__(message)
        self.message = message
        self.args_ = args


NOT_A_SPREADSHEET = N_(
    "This file is not a spreadsheet that can be read. "
    "Save it from Excel or WPS as .xlsx (or .csv) and upload it again."
)
EMPTY = N_("The file is empty: there is nothing in it to import.")


def _too_many_rows() -> RosterFileError:
    return RosterFileError(
        N_("The sheet has more than %(limit)s rows. Split the roster into smaller files."),
        limit=MAX_ROWS,
    )


def read_sheet(data: bytes, filename: str) -> list[list[Any]]:
    """The cells of the first non-empty sheet, row 0 being the sheet's first row (so
    row index + 1 is the line Excel shows). Empty cells are "" or None.

    `filename` is not trusted: the content decides, so a renamed file still reads.
    """
    del filename
    if not data:
        raise RosterFileError(EMPTY)
    if len(data) > MAX_BYTES:
        raise _too_large()
    if data.startswith(ZIP):
        _check_zip(data)
        rows = _read_workbook(data)
    elif data.startswith(OLE):
        if ENCRYPTED_PACKAGE in data:
            raise _password()
        rows = _read_workbook(data)
    else:
        rows = _read_text(data)
    if not any(_has_value(row) for row in rows):
        raise RosterFileError(EMPTY)
    return rows


def _too_large() -> RosterFileError:
    return RosterFileError(
        N_("The file is larger than %(limit)s MB. Split the roster into smaller files."),
        limit=MAX_BYTES // (1024 * 1024),
    )


def _password() -> RosterFileError:
    return RosterFileError(
        N_("The workbook is protected by a password. "
           "Open it, remove the password and save it again.")
    )  # fmt: skip


def _has_value(row: Iterable[Any]) -> bool:
    return any(cell is not None and str(cell).strip() for cell in row)


# --- workbooks ------------------------------------------------------------------------


def _read_workbook(data: bytes) -> list[list[Any]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except PasswordError as exc:
        raise _password() from exc
    except (CalamineError, ValueError, OSError) as exc:  # a .docx, a damaged file
        raise RosterFileError(NOT_A_SPREADSHEET) from exc
    with book:
        sheets = [
            (meta.visible != SheetVisibleEnum.Visible, index)
            for index, meta in enumerate(book.sheets_metadata)
            if meta.typ == SheetTypeEnum.WorkSheet
        ]
        for _hidden, index in sorted(sheets):  # a hidden helper sheet only if nothing else
            try:
                sheet = book.get_sheet_by_index(index)
            except PasswordError as exc:
                raise _password() from exc
            except CalamineError as exc:
                raise RosterFileError(NOT_A_SPREADSHEET) from exc
            if sheet.end is None:
                continue
            if sheet.end[0] + 1 > MAX_ROWS:  # .xls, which is not scanned beforehand
                raise _too_many_rows()
            rows = [list(row) for row in sheet.iter_rows()]
            if any(_has_value(row) for row in rows):
                return rows
    return []


def _check_zip(data: bytes) -> None:
    """Refuse a zip that is no spreadsheet, is encrypted, or would lay out too large a
    grid, before calamine is allowed near it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
            manifest = (
                archive.read("META-INF/manifest.xml") if "META-INF/manifest.xml" in names else b""
            )
            if b"encryption-data" in manifest:
                raise _password()
            _check_extent(archive, ["content.xml"], _ods_extent)
        elif "xl/workbook.xml" in names:
            _check_extent(archive, _xlsx_sheets(archive, names), _xlsx_extent)
        else:  # a .docx, .pptx, .apk, or any other zip
            raise RosterFileError(NOT_A_SPREADSHEET)
    except (zipfile.BadZipFile, zlib.error, KeyError, EOFError, OSError, RuntimeError,
            NotImplementedError) as exc:  # fmt: skip
        raise RosterFileError(NOT_A_SPREADSHEET) from exc


def _xlsx_sheets(archive: zipfile.ZipFile, names: set[str]) -> list[str]:
    """The parts calamine may read as sheets: those the workbook's relationships name
    (…/worksheet, …/dialogsheet, …/xlMacrosheet), and anything that looks like one."""
    found = {name for name in names if re.search(r"(?i)sheets?/[^/]+\.xml$", name)}
    rels = "xl/_rels/workbook.xml.rels"
    for relationship in re.findall(rb"<[^>]*Relationship\s[^>]*>", archive.read(rels)):
        kind = re.search(rb'Type="[^"]*sheet"', relationship, re.IGNORECASE)
        target = re.search(rb'Target="/?([^"]+)"', relationship)
        if kind and target:
            path = target.group(1).decode(errors="replace")
            found.add(path if path.startswith("xl/") else f"xl/{path}")
    return sorted(found & names)


def _check_extent(archive: zipfile.ZipFile, parts: list[str], extent: Any) -> None:
    if sum(archive.getinfo(part).file_size for part in parts) > MAX_UNZIPPED:
        raise _too_large()
    cells = 0
    for part in parts:
        with archive.open(part) as stream:
            for rows, columns, finished in extent(stream):
                if rows > MAX_ROWS:
                    raise _too_many_rows()
                if cells + finished + rows * columns > MAX_CELLS:
                    raise RosterFileError(
                        N_("The sheet is too large to import: its data spans %(rows)s rows "
                           "and %(columns)s columns. Delete the empty rows and columns around "
                           "the data, or split the roster into smaller files."),
                        rows=rows, columns=columns,
                    )  # fmt: skip
            cells += finished  # the last item: every sheet of the part


Extent = Iterator[tuple[int, int, int]]
"""(last row, last column) of the sheet being read, and the cells of the sheets before
it in the same part; last comes (0, 0, cells of all of them)."""


def _tags(stream: Any, pattern: re.Pattern[bytes]) -> Iterator[Any]:
    """The pattern's matches in an XML part, inflated 1 MB at a time."""
    rest = b""
    while chunk := stream.read(1 << 20):
        text = rest + chunk
        end = text.rfind(b">") + 1
        yield from pattern.findall(text, 0, end)
        rest = text[end:]


_XLSX_TAG = re.compile(
    rb'<(?:[\w.-]+:)?(row|c)(?=[\s/>])(?:[^>]*?\sr="([A-Z]{0,3})(\d*)")?[^>]*?(/?)>'
)


def _xlsx_extent(stream: Any) -> Extent:
    """Empty styled cells (`<c r="Z9" s="1"/>`) are skipped, as calamine skips them.
    `r` is optional in OOXML: a row or cell without it follows the previous one."""
    row = column = last_row = last_column = 0
    for name, letters, digits, closed in _tags(stream, _XLSX_TAG):
        if name == b"row":
            row, column = (int(digits) if digits else row + 1), 0
            continue
        if letters and digits:
            column, row = _column_number(letters), int(digits)
        else:
            column += 1
        if not closed and (row > last_row or column > last_column):
            last_row, last_column = max(last_row, row), max(last_column, column)
            yield last_row, last_column, 0
    yield 0, 0, last_row * last_column


@functools.lru_cache(maxsize=1024)
def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


_ODS_TAG = re.compile(
    rb"<(?:[\w.-]+:)?(table|table-row|table-cell|covered-table-cell)(?=[\s/>])([^>]*)>"
)


def _count(attrs: bytes, name: bytes) -> int:
    match = re.search(rb"[\s:]" + name + rb'="(\d+)"', attrs)
    return int(match.group(1)) if match else 1


def _ods_extent(stream: Any) -> Extent:
    """Each table once its repeated rows and cells are expanded, as calamine expands
    them; an empty repeat at the end (LibreOffice writes a million) costs nothing."""
    top = run = column = last_row = last_column = finished = 0
    for name, attrs in _tags(stream, _ODS_TAG):
        if name == b"table":
            finished += last_row * last_column
            top = run = column = last_row = last_column = 0
        elif name == b"table-row":
            top, run, column = top + run, _count(attrs, b"number-rows-repeated"), 0
        else:
            column += _count(attrs, b"number-columns-repeated")
            if not attrs.rstrip().endswith(b"/") or b"value-type" in attrs:
                last_row, last_column = max(last_row, top + run), max(last_column, column)
                yield last_row, last_column, finished
    yield 0, 0, finished + last_row * last_column


# --- text files --------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """UTF-16 with a BOM is Excel's "Unicode text"; Excel in China writes GBK CSV."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    else:
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not any(unicodedata.category(ch) == "Cc" and ch not in "\t\r\n" for ch in text[:65536]):
            return text
    raise RosterFileError(NOT_A_SPREADSHEET)


def _read_text(data: bytes) -> list[list[Any]]:
    text = _decode(data)
    if text.lstrip()[:1] == "<":  # a web page or XML saved as .xls by an office system
        raise RosterFileError(
            N_("This file is a web page or XML file, not a real spreadsheet. "
               "Open it in Excel or WPS and save it as .xlsx.")
        )  # fmt: skip
    sample = "\n".join(text.splitlines()[:50])
    delimiter = max(DELIMITERS, key=lambda d: (sample.count(d), -DELIMITERS.index(d)))
    rows: list[list[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= MAX_ROWS:
                raise _too_many_rows()
            rows.append(row)
    except csv.Error as exc:  # a field longer than 128 KB: no roster has one
        raise RosterFileError(NOT_A_SPREADSHEET) from exc
    return rows
