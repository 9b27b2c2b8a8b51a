"""The rows an import could not take whole, kept to be fixed and uploaded again.

A commit deletes its dry run's rows: they hold the file's personal data, and the roster
now has what was imported. The exception is the rows with a problem (not imported) or
a warning (imported without a value): the admin needs them to fix the file. They keep
only what that takes — the line, the name, the reasons, and the cells as the file had
them, encrypted like ID numbers (under the district's key, rotated with them) — until
the admin forgets them. They download as an .xlsx with the headers the import reads,
the ID numbers as text and the reason beside each row, so the fixed file imports again.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import xlsxwriter

from app.i18n import N_, _
from app.people.crypto import IdCipher
from app.people.imports.headers import HEADER_VARIANTS, OWN_COLUMNS, column_label
from app.people.models import ImportRow
from app.people.roster.export import CATEGORY_WORDS

REASON_HEADER, LINE_HEADER = OWN_COLUMNS


@dataclass(frozen=True)
class KeptRow:
    """What a row to fix keeps, encrypted: its raw cells (field → text, number, date or
    flag, as read) and its problems and warnings with the values they quote. After the
    commit the row's own columns keep the reasons without those values."""

    cells: dict[str, Any]
    problems: list[dict[str, Any]]
    warnings: list[dict[str, Any]]


def pack_row(cipher: IdCipher, tenant_id: UUID, kept: KeptRow) -> bytes:
    tagged = {field: _tag(value) for field, value in kept.cells.items() if value not in (None, "")}
    payload = {"cells": tagged, "problems": kept.problems, "warnings": kept.warnings}
    return cipher.encrypt_bytes(tenant_id, json.dumps(payload, ensure_ascii=False).encode())


def unpack_row(cipher: IdCipher, tenant_id: UUID, token: bytes) -> KeptRow:
    payload = json.loads(cipher.decrypt_bytes(tenant_id, token))
    cells = {field: _untag(kind, value) for field, (kind, value) in payload["cells"].items()}
    return KeptRow(cells, payload["problems"], payload["warnings"])


def _tag(value: Any) -> list[Any]:
    if isinstance(value, bool):
        return ["b", value]
    if isinstance(value, datetime | date):
        return ["d", value.isoformat()]
    if isinstance(value, int | float):
        return ["n", value]
    return ["s", str(value)]


def _untag(kind: str, value: Any) -> Any:
    if kind == "d":
        return datetime.fromisoformat(value)
    return value


@dataclass
class ProblemRow:
    line: int
    cells: dict[str, Any]
    reasons: str
    """Every problem and warning of the row, in words, one after another."""


def reasons(row: ImportRow, kept: KeptRow, *, committed: bool) -> str:
    """A row's problems and warnings in words, each with its column: the download's first
    column."""
    said = [_said(problem) for problem in kept.problems]
    effect = ""
    if row.outcome != "error":
        effect = _(LEFT_OUT_DONE) if committed else _(LEFT_OUT)
    said += [_said(warning) + effect for warning in kept.warnings]
    return "；".join(said)


LEFT_OUT = N_("(This value is left out; the person is imported.)")
LEFT_OUT_DONE = N_("(This value was left out; the person was imported.)")


def _said(problem: dict[str, Any]) -> str:
    column = column_label(problem["field"], {}, problem.get("column", ""))
    message = problem["message"]
    text = _(message, **problem["args"]) if problem.get("args") else _(message)
    return f"{column}：{text}"


def problem_fields(columns: dict[str, str], default_category: str | None) -> list[str]:
    """The file's columns the import read, in the order of HEADER_VARIANTS — and the
    category when the upload gave one for rows without it, so the fixed file needs no
    choice at upload."""
    wanted = set(columns) | ({"category"} if default_category else set())
    return [field for field in HEADER_VARIANTS if field in wanted]


def problem_workbook(
    rows: list[ProblemRow], fields: list[str], default_category: str | None
) -> bytes:
    """The rows as an .xlsx: the reason first, the file's line, then the cells under the
    headers the import reads. Every column is formatted as text, so an ID number typed
    in afterwards keeps its 18 characters; a date or number the file had stays one."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("问题行")
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    text = book.add_format({"num_format": "@"})
    reason = book.add_format({"num_format": "@", "font_color": "#9B1C1C", "text_wrap": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    titles = [REASON_HEADER, LINE_HEADER, *(HEADER_VARIANTS[field][0] for field in fields)]
    for column, title in enumerate(titles):
        width = 40 if column == 0 else 22 if title in ("身份证号", "住址") else 14
        sheet.set_column(column, column, width, reason if column == 0 else text)
        sheet.write_string(0, column, title, header)
    sheet.freeze_panes(1, 2)
    for line, row in enumerate(rows, start=1):
        sheet.write_string(line, 0, row.reasons, reason)
        sheet.write_number(line, 1, row.line)
        for column, field in enumerate(fields, start=2):
            value = row.cells.get(field)
            if field == "category" and value in (None, "") and default_category:
                value = CATEGORY_WORDS[default_category]
            _write(sheet, line, column, field, value, day)
    book.close()
    return buffer.getvalue()


def _write(sheet: Any, line: int, column: int, field: str, value: Any, day: Any) -> None:
    if value in (None, ""):
        return
    if field == "id_number" and isinstance(value, int | float) and not isinstance(value, bool):
        # The digits the cell showed, as text: the reason says to type the real number.
        sheet.write_string(line, column, f"{Decimal(repr(value)):f}".split(".")[0])
    elif isinstance(value, datetime):
        sheet.write_datetime(line, column, value, day)
    elif isinstance(value, bool):
        sheet.write_string(line, column, "是" if value else "否")
    elif isinstance(value, int | float):
        sheet.write_number(line, column, value)
    else:
        sheet.write_string(line, column, str(value))


def problems_filename(filename: str) -> str:
    """The uploaded file's name with 问题行: 花名册-问题行.xlsx."""
    return f"{filename.rsplit('.', 1)[0] or 'roster'}-问题行.xlsx"
