"""From sheet rows to person drafts: every cell read, every row checked.

A draft is what a row says, cleaned; its problems name the column as the file wrote
it and the reason as a gettext msgid. Nothing here touches the database: whether a
row is new, an update or a clash is decided in app.people.imports.plan.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.core.forms import FieldError
from app.core.validators import multiline_text, person_name, plain_text
from app.i18n import N_
from app.people.imports.cells import (
    WEDDING_BEFORE_16,
    AmbiguousMonth,
    CellError,
    PartialDate,
    id_birth_date,
    id_gender,
    married_too_young,
    parse_date,
    parse_gender,
    parse_id_number,
    parse_phone,
    stored_as_number,
)
from app.people.imports.headers import (
    HeaderRow,
    find_header,
    is_blank,
    is_footer,
)
from app.people.imports.health import infirm_sign
from app.people.imports.reader import RosterFileError, read_sheet


@dataclass
class PersonDraft:
    name: str
    gender: str | None = None
    birth_date: PartialDate | None = None
    category: str | None = None
    party_member: bool | None = None
    party_joined_on: PartialDate | None = None
    id_number: str | None = None
    phone: str | None = None
    address: str | None = None
    branch: str | None = None
    group: str | None = None
    mobile: bool = False
    infirm: bool = False
    deceased_on: PartialDate | None = None
    married_on: PartialDate | None = None
    """For golden and diamond weddings (app.grid.occasions); a month alone: its 1st."""
    family_contact_name: str | None = None
    family_contact_phone: str | None = None
    health_notes: str | None = None
    notes: str | None = None
    infirm_sign: str | None = None
    """What the health note says that proposes the infirm flag (卧床), when no 年迈体弱
    column says yes or no: the admin confirms it in the dry run."""


@dataclass
class RowProblem:
    field: str
    column: str
    """The header the file gave the field's column, or "" when it has none: the page
    names the field then (headers.column_label); never a msgid, which no one translates
    once stored."""
    message: str
    args: dict[str, Any] = dataclasses.field(default_factory=dict)


WARNING_FIELDS = frozenset(
    {"phone", "landline", "address", "family_contact_name", "family_contact_phone",
     "health_notes", "notes"}
)  # fmt: skip
"""How to reach a person, and notes about them: a bad value is left out with a warning
and the person is imported, to be completed later. Every other field says who the
person is (name, ID number, birth date, gender) or what they are in the district
(category, party membership and joining date, flags, branch and group, date of death);
a bad one refuses the row, since a person filed under the wrong category, without a
political birthday or in no branch would be wrong everywhere, unnoticed."""


@dataclass
class DraftRow:
    line: int
    """The row number Excel shows (1-based)."""
    draft: PersonDraft | None
    problems: list[RowProblem] = dataclasses.field(default_factory=list)
    """What refuses the row."""
    warnings: list[RowProblem] = dataclasses.field(default_factory=list)
    """Contact values left out (WARNING_FIELDS); the row is imported without them."""
    cells: dict[str, Any] = dataclasses.field(default_factory=dict)
    """The raw cells (field → value as read), kept for the problem rows' download."""

    @property
    def ok(self) -> bool:
        return self.draft is not None and not self.problems


@dataclass
class ParsedRoster:
    rows: list[DraftRow]
    columns: dict[str, str]
    """Roster field → the header the file used for it."""
    unknown_columns: list[str]
    duplicate_columns: list[str]
    skipped_blank: int
    footer_line: int | None


CATEGORY_WORDS = {
    "military_retiree": ("军休干部", "军休", "军队离退休干部", "军队退休干部", "军休人员"),
    "retired_cadre": ("离休干部", "离休", "离休人员"),
    "veteran": ("退役军人", "退役士兵", "复员军人", "转业军人", "退伍军人", "复转军人"),
    "staff_member": ("在职党员", "在职", "职工", "在职职工", "工作人员"),
}
CATEGORY_MISSING = N_("The category is missing (军休干部, 离休干部, 退役军人 or 在职党员).")
"""Counted apart in the dry run: one category chosen at upload fixes every such row."""
LANDLINE_NOTE = "座机："
"""How a 座机 beside a mobile is kept in the person's notes (the notes are the file's
own words, so the label is Chinese as the file's are)."""
_CATEGORY_OF = {word: key for key, words in CATEGORY_WORDS.items() for word in words}
YES = {"是", "党员", "中共党员", "y", "yes", "√", "✓", "1", "true", "有"}
NO = {"否", "群众", "非党员", "n", "no", "×", "0", "false", "无", "不是"}


def parse_roster(
    data: bytes, filename: str = "", *, default_category: str | None = None,
    today: date | None = None,
) -> ParsedRoster:  # fmt: skip
    return draft_rows(read_sheet(data, filename), default_category=default_category, today=today)


def draft_rows(
    sheet: list[list[Any]], *, default_category: str | None = None, today: date | None = None
) -> ParsedRoster:
    header = find_header(sheet)
    if header is None:
        raise RosterFileError(
            N_("No header row was found. The first rows must name the columns, with 姓名 and "
               "at least two more such as 性别, 出生年月 or 身份证号.")
        )  # fmt: skip
    titles = {i: " ".join(str(sheet[header.index][i]).split()) for i in header.columns}
    rows: list[DraftRow] = []
    blank = 0
    footer: int | None = None
    seen_ids: dict[str, int] = {}
    numbers = _id_column_held_numbers(sheet, header)
    for index in range(header.index + 1, len(sheet)):
        cells = sheet[index]
        if is_blank(cells):
            blank += 1
            continue
        if is_footer(cells, header):
            footer = index + 1
            break
        values = {
            name: cells[column] if column < len(cells) else None
            for column, name in header.columns.items()
        }
        columns = {name: titles[column] for column, name in header.columns.items()}
        row = draft_row(
            index + 1, values, columns, default_category, today, id_column_held_numbers=numbers
        )
        row.cells = values
        if row.draft and row.draft.id_number:
            first = seen_ids.setdefault(row.draft.id_number, row.line)
            if first != row.line:
                row.problems.append(
                    RowProblem("id_number", columns.get("id_number", ""),
                               N_("Same ID number as row %(line)s."), {"line": first})
                )  # fmt: skip
        rows.append(row)
    if not rows:
        raise RosterFileError(N_("The sheet has a header but no rows of people under it."))
    return ParsedRoster(
        rows=rows,
        columns={name: titles[column] for column, name in header.columns.items()},
        unknown_columns=header.unknown,
        duplicate_columns=header.duplicates,
        skipped_blank=blank,
        footer_line=footer,
    )


def _id_column_held_numbers(sheet: list[list[Any]], header: HeaderRow) -> bool:
    """Whether any cell of the ID column bears the marks of a number (see
    cells.stored_as_number): then the column was a number column in Excel."""
    column = next((c for c, name in header.columns.items() if name == "id_number"), None)
    if column is None:
        return False
    return any(
        column < len(cells) and stored_as_number(cells[column])
        for cells in sheet[header.index + 1 :]
    )


def draft_row(
    line: int, values: dict[str, Any], columns: dict[str, str],
    default_category: str | None = None, today: date | None = None, *,
    id_column_held_numbers: bool = False,
) -> DraftRow:  # fmt: skip
    """One row's cells (roster field → raw cell) → a draft, its problems and warnings."""
    problems: list[RowProblem] = []
    warnings: list[RowProblem] = []

    def read(name: str, reader: Callable[[Any], Any]) -> Any:
        raw = values.get(name)
        try:
            return reader(raw)
        except (CellError, FieldError) as exc:
            column = columns.get(name, "")
            found = warnings if name in WARNING_FIELDS else problems
            found.append(RowProblem(name, column, exc.message, exc.args_))
            return None

    name = read("name", lambda raw: person_name(_squeeze(raw)))
    if name is None:
        return DraftRow(line, None, problems)
    draft = PersonDraft(name=name)
    draft.gender = read("gender", parse_gender)
    unsettled: AmbiguousMonth | None = None

    def birth_date(raw: Any) -> PartialDate | None:
        nonlocal unsettled
        try:
            return parse_date(raw, today=today)
        except AmbiguousMonth as exc:  # the ID number may settle it, below
            unsettled = exc
            return None

    draft.birth_date = read("birth_date", birth_date)
    draft.party_joined_on = read("party_joined_on", lambda raw: parse_date(raw, today=today))
    draft.deceased_on = read("deceased_on", lambda raw: parse_date(raw, today=today))
    draft.married_on = read("married_on", lambda raw: parse_date(raw, today=today))
    draft.id_number = read(
        "id_number", lambda raw: parse_id_number(raw, column_held_numbers=id_column_held_numbers)
    )
    if unsettled is not None:
        draft.birth_date = _reading_of_id(unsettled, draft.id_number)
        if draft.birth_date is None:
            column = columns.get("birth_date", "")
            problems.append(RowProblem("birth_date", column, unsettled.message, unsettled.args_))
    draft.phone = read("phone", parse_phone)
    # A 座机 column beside the 手机 one: the landline is the phone of those without a
    # mobile; beside a mobile it is kept in the notes (a person has one phone field).
    landline = read("landline", parse_phone)
    draft.phone = draft.phone or landline
    draft.family_contact_phone = read("family_contact_phone", parse_phone)
    for text_field in ("address", "family_contact_name"):
        setattr(draft, text_field, read(text_field, _text))
    for text_field in ("health_notes", "notes"):  # Alt+Enter line breaks are kept
        setattr(draft, text_field, read(text_field, _lines))
    if landline and landline != draft.phone:
        draft.notes = "\n".join(filter(None, (draft.notes, LANDLINE_NOTE + landline)))
    draft.branch = read("branch", _unit_name)
    draft.group = read("group", _unit_name)
    draft.party_member = read("party_member", _yes_no)
    draft.mobile = bool(read("mobile", _yes_no))
    infirm = read("infirm", _yes_no)
    draft.infirm = bool(infirm)
    if infirm is None:
        draft.infirm_sign = infirm_sign(draft.health_notes)
    draft.category = read("category", _category) or default_category
    if draft.category is None and "category" not in {p.field for p in problems}:
        problems.append(
            RowProblem("category", columns.get("category", ""), CATEGORY_MISSING)
        )  # fmt: skip
    problems.extend(_cross_checks(draft, columns))
    return DraftRow(line, draft, problems, warnings)


def _reading_of_id(unsettled: AmbiguousMonth, id_number: str | None) -> PartialDate | None:
    """The one reading of 1949.1 a valid ID number on the row agrees with, if any."""
    if id_number is None:
        return None
    born_on = id_birth_date(id_number)
    agreeing = [reading for reading in unsettled.readings if reading.agrees_with(born_on)]
    return agreeing[0] if len(agreeing) == 1 else None


def _cross_checks(draft: PersonDraft, columns: dict[str, str]) -> list[RowProblem]:
    """What the cells say must agree: birth date and gender with the ID number, dates
    in order, a joining date only for party members."""
    found: list[RowProblem] = []

    def problem(name: str, message: str, **args: Any) -> None:
        found.append(RowProblem(name, columns.get(name, ""), message, args))

    if draft.id_number:
        born_on = id_birth_date(draft.id_number)
        from_id = PartialDate(born_on.year, born_on.month, born_on.day)
        if draft.birth_date is None:
            draft.birth_date = from_id
        elif not draft.birth_date.agrees_with(born_on):
            problem(
                "birth_date",
                N_("%(date)s disagrees with the ID number, which says %(id_date)s."),
                date=str(draft.birth_date),
                id_date=str(from_id),
            )
        if draft.gender is None:
            draft.gender = id_gender(draft.id_number)
        elif draft.gender != id_gender(draft.id_number):
            problem("gender", N_("The gender disagrees with the ID number."))
    if draft.party_joined_on is not None:
        if draft.party_member is False:
            problem(
                "party_joined_on",
                N_("A joining date is given, but the row says 否 (not a party member)."),
            )
        draft.party_member = True
        born = draft.birth_date
        if born is not None and draft.party_joined_on.first_day < born.first_day:
            problem("party_joined_on", N_("The joining date is before the date of birth."))
    born = draft.birth_date
    if (
        draft.deceased_on is not None
        and born is not None
        and draft.deceased_on.first_day < born.first_day
    ):
        problem("deceased_on", N_("The date of death is before the date of birth."))
    wed = draft.married_on
    if wed is not None and born is not None and married_too_young(wed.first_day, born.first_day):
        problem("married_on", WEDDING_BEFORE_16)
    return found


def _squeeze(raw: Any) -> str:
    """张 三 → 张三: spaces typed between Chinese characters to align names."""
    text = unicodedata.normalize("NFKC", "" if raw is None else str(raw)).strip()
    if text and all(not ch.isascii() or ch == " " for ch in text):
        return text.replace(" ", "")
    return text


def _text(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return plain_text(str(raw))[:2000] or None


def _lines(raw: Any) -> str | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return multiline_text(str(raw))[:2000] or None


def _unit_name(raw: Any) -> str | None:
    text = _text(raw)
    if text is None:
        return None
    if len(text) > 60:
        raise CellError(N_("A unit name can be at most 60 characters."))
    return unicodedata.normalize("NFKC", text)


def _yes_no(raw: Any) -> bool | None:
    text = _text(raw)
    if text is None:
        return None
    word = text.lower()
    if word in YES:
        return True
    if word in NO:
        return False
    raise CellError(N_("Write 是 or 否, not %(value)s."), value=text)


def _category(raw: Any) -> str | None:
    text = _text(raw)
    if text is None:
        return None
    word = text.replace(" ", "")
    if word in _CATEGORY_OF:
        return _CATEGORY_OF[word]
    raise CellError(
        N_("%(value)s is not a category; write 军休干部, 离休干部, 退役军人 or 在职党员."),
        value=text,
    )
