"""The branch ledger (台账) of a quarter as .xlsx, laid out like the paper book it
replaces: one line per event, numbers as numbers, a total at the foot."""

from __future__ import annotations

import io

import xlsxwriter

from app.clock import CHINA_TIME
from app.points.models import Source
from app.points.periods import Period
from app.points.service import LedgerLine

COLUMNS = [
    ("日期", 12), ("姓名", 10), ("类别", 10), ("编号", 8), ("项目", 30), ("数量", 7),
    ("分值", 7), ("来源", 10), ("记录人", 10), ("记录时间", 17), ("规则版本", 9), ("说明", 30),
]  # fmt: skip


def ledger_workbook(branch: str, period: Period, lines: list[LedgerLine]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("台账")
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format({"bold": True, "bg_color": "#F2F2F2", "border": 1})
    # "General" writes 3, 2.5 and -1 as people do (a "0.0" format would write 3.0).
    number = book.add_format({"num_format": "General"})
    bold_number = book.add_format({"num_format": "General", "bold": True})
    sheet.write_string(0, 0, f"{branch} 党员积分台账 {period.label}", title)
    for column, (heading, width) in enumerate(COLUMNS):
        sheet.set_column(column, column, width)
        sheet.write_string(2, column, heading, header)
    sheet.freeze_panes(3, 2)
    row = 3
    for line in lines:
        event = line.event
        note = event.note or ""
        values = [
            event.occurred_on.isoformat(), line.person_name, line.category, line.code, line.item,
        ]  # fmt: skip
        for column, value in enumerate(values):
            sheet.write_string(row, column, value)
        sheet.write_number(row, 5, float(event.quantity), number)
        sheet.write_number(row, 6, float(event.points), number)
        sheet.write_string(row, 7, SOURCE_WORDS[event.source])
        sheet.write_string(row, 8, event.recorded_by_name)
        sheet.write_string(row, 9, f"{event.recorded_at.astimezone(CHINA_TIME):%Y-%m-%d %H:%M}")
        sheet.write_string(row, 10, f"第{line.version}版")
        sheet.write_string(row, 11, note)
        row += 1
    sheet.write_string(row, 5, "合计")
    if lines:
        sheet.write_formula(row, 6, f"=SUM(G4:G{row})", bold_number)
    book.close()
    return buffer.getvalue()


# The workbook is a Chinese document whatever the viewer's language, like the paper book.
SOURCE_WORDS: dict[str, str] = {
    Source.CLAIM: "审核通过",
    Source.AWARD: "直接加分",
    Source.AUTOMATIC: "自动记分",
    Source.REVERSAL: "更正（冲销）",
}


def ledger_filename(branch: str, period: Period) -> str:
    return f"积分台账-{branch}-{period.key}.xlsx"
