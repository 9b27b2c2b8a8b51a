"""Finding the header row of a roster and what each column holds.

Bureaus' sheets start with a title (often merged cells) and maybe a date line, then
the header; headers come in any order and with common variants (出生年月/出生日期,
联系电话/手机, 所在支部/支部); a signature footer (制表人 …) ends the data.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from app.i18n import N_

# Roster field → the headers bureaus write for it (after normalising: no spaces,
# no notes in brackets, no asterisks).
HEADER_VARIANTS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字"),
    "gender": ("性别",),
    "birth_date": ("出生年月", "出生日期", "出生时间", "出生年月日", "生日"),
    "category": ("类别", "人员类别", "身份", "人员身份"),
    "party_member": ("是否党员", "党员"),
    "party_joined_on": ("入党时间", "入党日期", "入党年月"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证", "证件号码"),
    "phone": ("联系电话", "手机", "手机号", "手机号码", "电话", "联系方式"),
    "landline": ("固定电话", "座机", "座机号码", "家庭电话", "宅电", "住宅电话"),
    "address": ("住址", "家庭住址", "现住址", "地址", "居住地址"),
    "branch": ("所在支部", "支部", "党支部", "所在党支部"),
    "group": ("党小组", "小组", "所在党小组"),
    "family_contact_name": ("家属联系人", "紧急联系人", "家属", "家属姓名"),
    "family_contact_phone": ("家属电话", "紧急联系电话", "家属联系电话", "家属手机"),
    "mobile": ("流动党员", "是否流动党员"),
    "infirm": ("年迈体弱", "年老体弱", "体弱", "是否年迈体弱"),
    "deceased_on": ("去世日期", "逝世日期", "去世时间", "逝世时间", "死亡日期"),
    "health_notes": ("健康状况", "健康档案", "健康情况", "身体状况"),
    "notes": ("备注",),
}

# What each roster field is called where the UI names a column or a change.
FIELD_LABELS: dict[str, str] = {
    "name": N_("Name"),
    "gender": N_("Gender"),
    "birth_date": N_("Date of birth"),
    "birth_day_known": N_("Day of birth known"),
    "category": N_("Category"),
    "party_member": N_("Party member"),
    "party_joined_on": N_("Joined the Party on"),
    "party_joined_day_known": N_("Day of joining known"),
    "id_number": N_("ID number"),
    "phone": N_("Phone"),
    "landline": N_("Landline"),
    "address": N_("Address"),
    "branch": N_("Party branch"),
    "branch_id": N_("Party branch"),
    "group": N_("Party group"),
    "group_id": N_("Party group"),
    "mobile": N_("Mobile party member"),
    "infirm": N_("Infirm"),
    "deceased_on": N_("Date of death"),
    "family_contact_name": N_("Family contact"),
    "family_contact_phone": N_("Family contact's phone"),
    "health_notes": N_("Health notes"),
    "notes": N_("Notes"),
    "account": N_("Login account"),
    "import": N_("Imported from"),
    "different_from": N_("Different from"),
    "count": N_("People"),
    "filter": N_("Filter"),
}
_FIELD_OF = {variant: name for name, variants in HEADER_VARIANTS.items() for variant in variants}

FOOTER_WORDS = ("制表人", "填表人", "审核人", "制表日期", "填报日期", "负责人", "合计", "总计")
SCAN_ROWS = 15
MIN_KNOWN = 3  # a header row names at least this many known fields, 姓名 among them


def normalise_header(value: Any) -> str:
    text = unicodedata.normalize("NFKC", str(value or ""))
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)  # notes: 出生年月(年.月)
    return re.sub(r"[\s*:：]", "", text)


@dataclass
class HeaderRow:
    index: int
    """Zero-based row of the header in the sheet."""
    columns: dict[int, str] = field(default_factory=dict)
    """Column index → roster field."""
    unknown: list[str] = field(default_factory=list)
    """Headers we do not recognise, shown to the admin (their data is not imported)."""
    duplicates: list[str] = field(default_factory=list)
    """Fields named by more than one column; the first one is used."""


def find_header(rows: list[list[Any]]) -> HeaderRow | None:
    """The first row among the first SCAN_ROWS that reads as a roster header."""
    for index, row in enumerate(rows[:SCAN_ROWS]):
        header = HeaderRow(index)
        for column, cell in enumerate(row):
            text = normalise_header(cell)
            if not text:
                continue
            name = _FIELD_OF.get(text)
            if name is None:
                header.unknown.append(str(cell).strip())
            elif name in header.columns.values():
                header.duplicates.append(str(cell).strip())
            else:
                header.columns[column] = name
        if "name" in header.columns.values() and len(header.columns) >= MIN_KNOWN:
            return header
    return None


def is_footer(row: list[Any]) -> bool:
    """A signature or total line: the data has ended."""
    first = next((normalise_header(c) for c in row if normalise_header(c)), "")
    return first.startswith(FOOTER_WORDS)


def is_blank(row: list[Any]) -> bool:
    return all(normalise_header(c) == "" for c in row)
