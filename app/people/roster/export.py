"""The roster's rows as the export writes them, with the headers the import reads.

Exported files import again unchanged: the same header words, dates written the
way rosters write them (1949年10月 when the day is unknown), ID numbers as text.
The worker writes the file as a report (app.reports.roster).
"""

from __future__ import annotations

from datetime import date

from app.people.imports.cells import PartialDate
from app.people.models import CATEGORY_LABELS

# Header → how to read it from an export row (see PeopleService.export_rows).
COLUMNS: list[tuple[str, int]] = [
    ("姓名", 10),
    ("性别", 6),
    ("出生年月", 14),
    ("类别", 12),
    ("是否党员", 9),
    ("入党时间", 14),
    ("身份证号", 22),
    ("联系电话", 14),
    ("住址", 30),
    ("所在支部", 18),
    ("党小组", 14),
    ("流动党员", 9),
    ("年迈体弱", 9),
    ("去世日期", 14),
    ("健康状况", 24),
    ("家属联系人", 12),
    ("家属电话", 14),
    ("备注", 24),
]

CATEGORY_WORDS = {
    "military_retiree": "军休干部",
    "retired_cadre": "离休干部",
    "veteran": "退役军人",
    "staff_member": "在职党员",
}
assert set(CATEGORY_WORDS) == set(CATEGORY_LABELS)


def written_date(value: date | None, day_known: bool = True) -> str:
    if value is None:
        return ""
    return str(PartialDate(value.year, value.month, value.day if day_known else None))


def yes_no(flag: bool) -> str:
    return "是" if flag else "否"
