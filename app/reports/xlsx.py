"""Workbooks written row by row in constant memory: xlsxwriter keeps each sheet's rows
in a temporary file, not in RAM, so 40,000 rows cost a few megabytes. (Its
`in_memory` option turns that off — the web-process exports had both, so they held
every cell in RAM.) Rows must be written top to bottom, as these builders do.

Numbers use Excel's General format, which writes 3, 2.5 and -1 as people do."""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_LIMIT = 31
NOT_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


class Book:
    """One .xlsx being written; `content()` closes it and returns its bytes."""

    def __init__(self) -> None:
        self._buffer = io.BytesIO()
        self._tmp = tempfile.TemporaryDirectory(prefix="redstar-xlsx-")
        self.book = xlsxwriter.Workbook(
            self._buffer, {"constant_memory": True, "tmpdir": self._tmp.name}
        )
        self.title = self.book.add_format({"bold": True, "font_size": 14})
        self.header = self.book.add_format(
            {"bold": True, "bg_color": "#F2F2F2", "border": 1, "text_wrap": True}
        )
        self.number = self.book.add_format({"num_format": "General"})
        self.bold = self.book.add_format({"bold": True})
        self.bold_number = self.book.add_format({"num_format": "General", "bold": True})
        self.text = self.book.add_format({"num_format": "@"})
        self._names: set[str] = set()

    def sheet(
        self,
        name: str,
        columns: Iterable[tuple[str, int]],
        *,
        title: str = "",
        note: str = "",
        text_columns: bool = False,
    ) -> tuple[Worksheet, int]:
        """A sheet under a unique, valid name: `title` on its first row, `note` under
        it, then `columns` (heading, width) as its header, frozen. Returns the sheet
        and the row its data starts on. (Rows are written top to bottom: in constant
        memory a row above the last one written is lost.)"""
        sheet = self.book.add_worksheet(self._unique(name))
        header = 0
        if title:
            sheet.write_string(0, 0, title, self.title)
            header = 2
        if note:
            sheet.write_string(1, 0, note)
            header = 3
        for column, (heading, width) in enumerate(columns):
            sheet.set_column(column, column, width, self.text if text_columns else None)
            sheet.write_string(header, column, heading, self.header)
        sheet.freeze_panes(header + 1, 0)
        return sheet, header + 1

    def row(self, sheet: Worksheet, row: int, values: Iterable[Any], *, bold: bool = False) -> None:
        """Numbers as numbers, the rest as text; None leaves the cell empty."""
        for column, value in enumerate(values):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(row, column, "是" if value else "否")
            elif isinstance(value, int | float | Decimal):
                number = self.bold_number if bold else self.number
                sheet.write_number(row, column, float(value), number)
            else:
                sheet.write_string(row, column, str(value), self.bold if bold else None)

    def content(self) -> bytes:
        try:
            self.book.close()
            return self._buffer.getvalue()
        finally:
            self._tmp.cleanup()

    def _unique(self, name: str) -> str:
        base = NOT_IN_SHEET_NAMES.sub("_", name).strip("'") or "Sheet"
        candidate, n = base[:SHEET_NAME_LIMIT], 1
        while candidate.lower() in self._names:
            n += 1
            suffix = f"({n})"
            candidate = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix
        self._names.add(candidate.lower())
        return candidate
