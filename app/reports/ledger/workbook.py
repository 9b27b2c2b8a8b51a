"""The branch ledger (台账) of a quarter as .xlsx, laid out like the paper book it
replaces: one line per event, numbers as numbers, a total at the foot.

The workbook is a Chinese document whatever the viewer's language, like the paper
book: periods and sources are named by the zh_CN catalog, in the page's words."""

from __future__ import annotations

from decimal import Decimal

from app.core.clock import CHINA_TIME
from app.i18n import DEFAULT_LOCALE, translations
from app.points.models import SOURCE_LABELS, Source
from app.points.periods import Period
from app.points.service import LedgerLine
from app.reports.xlsx import Book

COLUMNS = [
    ("日期", 12), ("姓名", 10), ("类别", 10), ("编号", 8), ("项目", 30), ("数量", 7),
    ("分值", 7), ("来源", 10), ("记录人", 10), ("记录时间", 17), ("规则版本", 9), ("说明", 30),
]  # fmt: skip


def ledger_workbook(branch: str, period: Period, lines: list[LedgerLine]) -> bytes:
    book = Book()
    chinese = translations(DEFAULT_LOCALE).gettext
    title = f"{branch} 党员积分台账 {period.name(chinese)}"
    sheet, row = book.sheet("台账", COLUMNS, title=title)
    sheet.freeze_panes(row, 2)
    for line in lines:
        event = line.event
        book.row(sheet, row, [
            event.occurred_on.isoformat(), line.person_name, line.category, line.code, line.item,
            event.quantity, event.points, chinese(SOURCE_LABELS[Source(event.source)]),
            event.recorded_by_name, f"{event.recorded_at.astimezone(CHINA_TIME):%Y-%m-%d %H:%M}",
            f"第{line.version}版", event.note or "",
        ])  # fmt: skip
        row += 1
    sheet.write_string(row, 5, "合计")
    if lines:
        # With its value: phone viewers and WeChat's preview show the saved value of a
        # formula and never compute it (xlsxwriter saves 0 unless told).
        total = sum((line.event.points for line in lines), Decimal(0))
        sheet.write_formula(row, 6, f"=SUM(G4:G{row})", book.bold_number, float(total))
    return book.content()
