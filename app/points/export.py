"""The branch ledger (台账) of a quarter as .xlsx, laid out like the paper book it
replaces: one line per event, numbers as numbers, a total at the foot.

The workbook is a Chinese document whatever the viewer's language, like the paper
book: periods and sources are named by the zh_CN catalog, in the page's words."""

from __future__ import annotations

import io
from decimal import Decimal

import xlsxwriter

from app.core.clock import CHINA_TIME
from app.i18n import DEFAULT_LOCALE, translations
from app.points.models import SOURCE_LABELS, Source
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
    chinese = translations(DEFAULT_LOCALE).gettext
    sheet.write_string(0, 0, f"{branch} 党员积分台账 {period.name(chinese)}", title)
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
        sheet.write_string(row, 7, chinese(SOURCE_LABELS[Source(event.source)]))
        sheet.write_string(row, 8, event.recorded_by_name)
        sheet.write_string(row, 9, f"{event.recorded_at.astimezone(CHINA_TIME):%Y-%m-%d %H:%M}")
        sheet.write_string(row, 10, f"第{line.version}版")
        sheet.write_string(row, 11, note)
        row += 1
    sheet.write_string(row, 5, "合计")
    if lines:
        # With its value: phone viewers and WeChat's preview show the saved value of a
        # formula and never compute it (xlsxwriter saves 0 unless told).
        total = sum((line.event.points for line in lines), Decimal(0))
        sheet.write_formula(row, 6, f"=SUM(G4:G{row})", bold_number, float(total))
    book.close()
    return buffer.getvalue()


def ledger_filename(branch: str, period: Period) -> str:
    return f"积分台账-{branch}-{period.key}.xlsx"
