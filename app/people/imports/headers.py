"""Finding the header row of a roster and what each column holds.

Bureaus' sheets start with a title (often merged cells) and maybe a date line, then
the header; headers come in any order and with common variants (出生年月/出生日期,
联系电话/手机, 所在支部/支部); a signature footer (制表人：… 审核人：… 制表日期：…) ends
the data.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.i18n import N_, _

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
    "married_on": ("结婚日期", "结婚时间", "结婚年月", "结婚登记日期"),
    "health_notes": (
        "健康状况",
        "健康档案",
        "健康情况",
        "健康状态",
        "身体状况",
        "身体情况",
        "身体状态",
    ),
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
    "married_on": N_("Wedding day"),
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


def column_label(name: str, columns: Mapping[str, str], written: str = "") -> str:
    """How a page names one of a row's columns: as the file headed it (`written`, which a
    problem keeps, or the import's `columns`: field → header), and only for a column the
    file does not have, by the roster field's name in the reader's language.

    Rows checked before problems kept "" for a missing column stored the field's msgid
    ("Category"): that is no header, and is translated like the rest."""
    key = name.removesuffix("_id")  # branch_id, group_id: the file's 支部, 小组
    if written and written != FIELD_LABELS.get(name):
        return written
    return columns.get(key) or _(FIELD_LABELS.get(name, name))


_FIELD_OF = {variant: name for name, variants in HEADER_VARIANTS.items() for variant in variants}
OWN_COLUMNS = ("导入问题", "原行号")
"""The columns the problem rows' download adds beside the data (imports.problems): a
fixed file is read past them without listing them as unknown."""

# A footer labels what it holds — a signature, a date, the unit, the filler's phone, a
# note or a total: a word ending in one of these, perhaps a note in brackets, a colon,
# perhaps the value (制表人：, 审核人：李强, 填报单位（盖章）：, 制表日期：2026年11月20日).
_FOOTER_LABEL = re.compile(
    r"[\u4e00-\u9fff]{0,6}(?:人|日期|时间|单位|电话|盖章|签字|签名|签章|领导|备注|说明|注|合计|总计)"
    r"(?:\([^)]{0,8}\))?:(?P<value>.*)"
)
# …or, without a colon, a word no data cell holds (负责人 and 联系人 may be a 职务 or a
# relation beside a person, so they need their colon).
_BARE_LABELS = frozenset(
    {"制表人", "填表人", "填报人", "审核人", "审批人", "复核人", "经办人", "制表", "制表日期",
     "填表日期", "填报日期", "单位(盖章)", "填报单位(盖章)", "盖章", "合计", "总计"}
)  # fmt: skip
FREE_TEXT = frozenset({"address", "family_contact_name", "health_notes", "notes"})
"""Columns whose cells may hold "联系人：女儿" or "备注：…" about the person."""
_ID_SHAPED = re.compile(r"\d{15,17}[\dXx]?(?:\.0)?|\d(?:\.\d+)?E\+?\d+", re.IGNORECASE)
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
            if text in OWN_COLUMNS:
                continue
            if name is None:
                header.unknown.append(str(cell).strip())
            elif name in header.columns.values():
                header.duplicates.append(str(cell).strip())
            else:
                header.columns[column] = name
        if "name" in header.columns.values() and len(header.columns) >= MIN_KNOWN:
            return header
    return None


def _footer_text(cell: Any) -> str:
    return re.sub(r"\s", "", unicodedata.normalize("NFKC", str(cell))) if cell is not None else ""


def _label(text: str) -> tuple[bool, bool]:
    """(is a footer label, is waiting for its value in the next cell)."""
    if text in _BARE_LABELS:
        return True, True
    match = _FOOTER_LABEL.fullmatch(text)
    return (True, not match.group("value")) if match else (False, False)


def is_footer(row: list[Any], header: HeaderRow) -> bool:
    """A signature, date or total line under the data: the data has ended.

    Recognised by its labels wherever they stand, not by its first cell: a footer spread
    over the columns (制表人： | 王芳 | … | 审核人： | 李强 | 制表日期： | 2026年11月20日) holds
    nothing but labels and the value after each; a footer with more in it still has no
    name of its own in the name column. A row with an ID number is a person, and so is
    one with a name and anything but labels, whatever its 备注 says ("联系人：女儿")."""
    texts = [_footer_text(cell) for cell in row]
    by_field = {name: column for column, name in header.columns.items()}
    id_column = by_field.get("id_number")
    if id_column is not None and id_column < len(row):
        cell = row[id_column]
        if isinstance(cell, int | float) and not isinstance(cell, bool) and cell >= 1e14:
            return False
        if _ID_SHAPED.fullmatch(texts[id_column]):
            return False
    explained: set[int] = set()
    labelled_outside_notes = False
    waiting = False
    for column, text in enumerate(texts):
        if not text:
            continue
        is_label, wants_value = _label(text)
        if is_label:
            explained.add(column)
            waiting = wants_value
            labelled_outside_notes |= header.columns.get(column) not in FREE_TEXT
        elif waiting:
            explained.add(column)  # the value of the label before it
            waiting = False
    if not explained:
        return False
    if all(column in explained for column, text in enumerate(texts) if text):
        return True  # nothing but labels and their values
    name = by_field["name"]  # every header has one
    has_own_name = name < len(texts) and bool(texts[name]) and name not in explained
    return labelled_outside_notes and not has_own_name


def is_blank(row: list[Any]) -> bool:
    return all(normalise_header(c) == "" for c in row)
