"""Reading uploaded rosters: every format bureaus send, and every file we must refuse
with a clear message rather than crash, hang or fill the memory."""

from __future__ import annotations

import io
import random
import re
import time
import zipfile
from collections.abc import Callable
from datetime import date

import pytest
import xlsxwriter

from app.people.imports import reader
from app.people.imports.reader import MAX_BYTES, MAX_ROWS, RosterFileError, read_sheet
from tests import rosters


def refusal(data: bytes, filename: str = "名单.xlsx") -> str:
    with pytest.raises(RosterFileError) as caught:
        read_sheet(data, filename)
    return caught.value.message


@pytest.fixture
def no_calamine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The file must be refused before calamine sees it (calamine would abort the
    process, or take seconds and gigabytes)."""

    def refuse(*args: object) -> None:
        raise AssertionError("calamine was reached")

    monkeypatch.setattr(reader.CalamineWorkbook, "from_filelike", refuse)


# --- what reads --------------------------------------------------------------------------------


def test_the_messy_roster_keeps_excel_line_numbers_and_cell_types() -> None:
    rows = read_sheet(rosters.messy_roster_xlsx(), "花名册.xlsx")
    assert rows[0][0] == rosters.TITLE and rows[0][1] == ""  # merged: only the first cell
    assert "填报时间：2026年11月" in rows[1]
    header = rows[rosters.HEADER_LINE - 1]
    assert header[1] == "姓 名" and header[3] == "出生年月\n(年.月)"
    zhang = rows[rosters.HEADER_LINE]
    assert zhang[1] == "张建国"
    assert zhang[3] == date(1949, 10, 1)  # a real date cell comes as a date
    assert zhang[7] == rosters.ZHANG  # typed as text, stays text
    zheng = next(row for row in rows if row[1] == "郑淑珍")
    assert isinstance(zheng[7], float)  # typed as a number
    assert any(str(row[0]).startswith("制表人") for row in rows)


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [("gb18030", ","), ("utf-8-sig", ","), ("utf-8-sig", "\t"), ("gb18030", "\t"), ("utf-8", ";")],
)
def test_csv_in_the_encodings_and_delimiters_excel_writes(encoding: str, delimiter: str) -> None:
    rows = read_sheet(rosters.roster_csv(encoding, delimiter), "名单.csv")
    assert rows[0] == [rosters.TITLE]
    assert rows[1][:3] == ["姓名", "性别", "出生日期"]
    assert rows[2][3] == rosters.ZHANG and rows[2][4] == "138 0013 8000"
    assert rows[4] == []  # the blank line is kept, so line numbers stay right


def test_unicode_text_from_excel_is_utf16_with_tabs() -> None:
    data = rosters.roster_csv("utf-8", "\t").decode().encode("utf-16")
    assert read_sheet(data, "名单.txt")[1][0] == "姓名"


def test_the_content_decides_not_the_name() -> None:
    assert read_sheet(rosters.roster_csv(), "名单.xlsx")[1][0] == "姓名"
    assert read_sheet(rosters.messy_roster_xlsx(), "名单.csv")[0][0] == rosters.TITLE


def test_an_ods_file() -> None:
    body = (
        rosters.ods_row("姓名", "出生日期", "身份证号")
        + rosters.ods_row("张建国", date(1949, 10, 1), rosters.ZHANG)
        # LibreOffice ends every sheet with a million empty repeated rows
        + '<table:table-row table:number-rows-repeated="1048574">'
        '<table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    )
    assert read_sheet(rosters.ods(body), "名单.ods") == [
        ["姓名", "出生日期", "身份证号"],
        ["张建国", date(1949, 10, 1), rosters.ZHANG],
    ]


def test_blank_and_hidden_sheets_are_passed_over() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.add_worksheet("说明")  # empty
    helper = book.add_worksheet("字典")
    helper.write_row(0, 0, ["军休干部", "离休干部"])
    helper.hide()
    roster = book.add_worksheet("名单")
    roster.write_row(2, 0, ["姓名", "性别"])  # starts on line 3
    book.close()
    rows = read_sheet(buffer.getvalue(), "名单.xlsx")
    assert rows[2] == ["姓名", "性别"] and rows[0] == ["", ""]


# --- what is refused ---------------------------------------------------------------------------


def test_empty_files() -> None:
    assert refusal(b"") == reader.EMPTY
    assert refusal(rosters.xlsx([["", "  "], [None, ""]])) == reader.EMPTY
    assert refusal(b"\xef\xbb\xbf,,\r\n\r\n,,\r\n", "名单.csv") == reader.EMPTY


@pytest.mark.parametrize(
    "data",
    [
        random.Random(3).randbytes(4096),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64),
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x01",
        b"PK\x03\x04" + random.Random(4).randbytes(2000),  # a broken zip
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000),  # an OLE file that is no workbook
    ],
    ids=["random", "png", "pdf", "bad-zip", "ole"],
)
def test_files_that_are_not_spreadsheets(data: bytes) -> None:
    assert refusal(data) == reader.NOT_A_SPREADSHEET


def test_a_word_document_is_not_a_spreadsheet_though_it_is_a_zip() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document><w:body>姓名</w:body></w:document>")
    assert refusal(buffer.getvalue(), "名单.docx") == reader.NOT_A_SPREADSHEET


def test_a_web_page_named_xls() -> None:
    page = "<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode()
    assert "web page" in refusal(page, "导出.xls")


def test_a_password_protected_workbook() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000) + "EncryptedPackage".encode("utf-16-le")
    assert "password" in refusal(ole)


def test_a_file_over_the_size_limit_is_refused_before_it_is_opened(no_calamine: None) -> None:
    with pytest.raises(RosterFileError) as caught:
        read_sheet(b"PK\x03\x04" + bytes(MAX_BYTES), "大.xlsx")
    assert caught.value.args_ == {"limit": 20}


def test_too_many_rows_is_refused_while_scanning(no_calamine: None) -> None:
    data = rosters.xlsx([["姓名"]] + [[f"人{i}"] for i in range(MAX_ROWS + 1)],
                        constant_memory=True)  # fmt: skip
    started = time.perf_counter()
    with pytest.raises(RosterFileError) as caught:
        read_sheet(data, "大.xlsx")
    assert caught.value.args_ == {"limit": MAX_ROWS}
    assert time.perf_counter() - started < 5


def test_too_many_csv_rows() -> None:
    assert "more than" in refusal(b"a\n" * (MAX_ROWS + 1), "大.csv")


def _rewrite_sheet(data: bytes, change: Callable[[bytes], bytes]) -> bytes:
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name)
            target.writestr(name, change(part) if name == "xl/worksheets/sheet1.xml" else part)
    return out.getvalue()


def test_two_far_apart_cells_do_not_reach_calamine(no_calamine: None) -> None:
    """A1 and XFD1048576: calamine would allocate 550 GB and abort the process."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write(0, 0, "姓名")
    sheet.write(1048575, 16383, "x")
    book.close()
    assert "more than" in refusal(buffer.getvalue())
    wide = _rewrite_sheet(
        rosters.xlsx([["姓名"]]),
        lambda xml: xml.replace(b"</sheetData>", b'<row r="400"><c r="XFD400" t="inlineStr">'
                                b"<is><t>x</t></is></c></row></sheetData>"),
    )  # fmt: skip
    with pytest.raises(RosterFileError) as caught:
        read_sheet(wide, "宽.xlsx")
    assert caught.value.args_ == {"rows": 400, "columns": 16384}


def test_cells_without_references_are_counted_too(no_calamine: None) -> None:
    """`r` is optional in OOXML; a far row must not slip through without it."""
    far = b'<row r="200000">' + b'<c t="inlineStr"><is><t>x</t></is></c>' * 3 + b"</row>"
    data = _rewrite_sheet(
        rosters.xlsx([["姓名"]]),
        lambda xml: re.sub(rb' r="[A-Z]+\d+"', b"", xml).replace(b"</sheetData>",
                                                                  far + b"</sheetData>"),
    )  # fmt: skip
    assert "more than" in refusal(data)


def test_styled_empty_cells_do_not_count() -> None:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["姓名", "性别"])
    sheet.write_blank(1048575, 16383, None, book.add_format({"border": 1}))
    book.close()
    assert read_sheet(buffer.getvalue(), "名单.xlsx") == [["姓名", "性别"]]


@pytest.mark.parametrize(
    ("rows", "columns", "reason"),
    [(200_000, 2, "more than"), (50_000, 300, "too large")],
)
def test_ods_repeats_are_counted_before_calamine_expands_them(
    no_calamine: None, rows: int, columns: int, reason: str
) -> None:
    """A 1 KB .ods can ask calamine for gigabytes (calamine#594)."""
    body = (
        f'<table:table-row table:number-rows-repeated="{rows}">'
        f'<table:table-cell table:number-columns-repeated="{columns}" '
        'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'
    )
    assert reason in refusal(rosters.ods(body), "炸弹.ods")


def _move_sheet(data: bytes, extra_row: bytes = b"") -> bytes:
    """The sheet at xl/data/part1.xml, which only the workbook's relationships name."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            part = source.read(name).replace(b"worksheets/sheet1.xml", b"data/part1.xml")
            if name == "xl/worksheets/sheet1.xml":
                name, part = (
                    "xl/data/part1.xml",
                    part.replace(b"</sheetData>", extra_row + b"</sheetData>"),
                )
            target.writestr(name, part)
    return out.getvalue()


def test_a_sheet_only_the_relationships_name_is_read() -> None:
    moved = _move_sheet(rosters.xlsx([["姓名", "性别"]]))
    assert read_sheet(moved, "名单.xlsx") == [["姓名", "性别"]]


def test_a_sheet_only_the_relationships_name_is_scanned(no_calamine: None) -> None:
    far = b'<row r="200000"><c r="A200000"><v>1</v></c></row>'
    with pytest.raises(RosterFileError) as caught:
        read_sheet(_move_sheet(rosters.xlsx([["姓名"]]), far), "名单.xlsx")
    assert caught.value.args_ == {"limit": MAX_ROWS}
