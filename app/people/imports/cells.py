"""Reading the cells of the rosters bureaus keep in Excel.

Each function turns one raw cell — whatever openpyxl, python-calamine or a CSV gives
(text, int, float, datetime) — into a clean value, or raises CellError with the
reason in words an administrator can act on (a gettext msgid and its arguments).
Blank cells become None; whether a blank is allowed is the importer's decision.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from stdnum import numdb
from stdnum.cn import ric
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

from app.core.forms import FieldError
from app.core.validators import contact_phone
from app.i18n import N_


class CellError(ValueError):
    def __init__(self, message: str, **args: Any) -> None:
        super().__init__(message)
        self.message = message
        self.args_ = args


class AmbiguousMonth(CellError):
    """1949.10 typed into a number cell is the number 1949.1: January or October. The
    cell alone cannot say; another on the row may (see drafts: the ID number)."""

    def __init__(self, number: float, year: int) -> None:
        super().__init__(
            N_("%(value)s is ambiguous: January or October? Format the column as text."),
            value=number,
        )
        self.readings = (PartialDate(year, 1), PartialDate(year, 10))


def _text(value: Any) -> str:
    """A cell as text: NFKC turns full-width digits and punctuation into ASCII."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- dates --------------------------------------------------------------------------

EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year quirk aside)
LAST_SERIAL = (date(2100, 12, 31) - EXCEL_EPOCH).days


@dataclass(frozen=True)
class PartialDate:
    """A date as rosters record it: 出生年月 often has no day."""

    year: int
    month: int
    day: int | None = None

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, self.day or 1)

    def agrees_with(self, other: date) -> bool:
        """Same year and month, and the same day when this one has a day."""
        return (self.year, self.month) == (other.year, other.month) and (
            self.day is None or self.day == other.day
        )

    def __str__(self) -> str:
        if self.day is None:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年{self.month}月{self.day}日"


_WRITTEN = re.compile(
    r"(?P<y>\d{4})\s*[.\-/年]\s*(?P<m>\d{1,2})\s*(?:月|(?:[.\-/月]\s*(?P<d>\d{1,2})\s*日?))?"
)


def parse_date(value: Any, *, today: date | None = None) -> PartialDate | None:
    """1949.10 · 1949.10.01 · 1949年10月 · 1949年10月1日 · 19491001 · 1949/10/1 ·
    1949-10-01 · an Excel serial · a datetime. Not in the future, not before 1900."""
    if _blank(value):
        return None
    if isinstance(value, date):  # datetime included
        found = PartialDate(value.year, value.month, value.day)
    elif isinstance(value, bool):
        raise CellError(N_("Not a date: %(value)s"), value=value)
    elif isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise CellError(N_("Not a date: %(value)s"), value=value)
        found = _date_from_number(value)
    else:
        found = _date_from_text(_text(value))
    _check_calendar(found, today or date.today())
    return found


def _date_from_number(number: float) -> PartialDate:
    if isinstance(number, float) and not number.is_integer():
        # "1949.10" typed into Excel becomes the number 1949.1: the month is lost
        # between 1 and 10 unless the column was text.
        year = int(number)
        digits = repr(number).split(".")[1]  # 1949.05 → "05", 1949.2 → "2", 1949.1 → "1"
        if 1900 <= year <= 2100 and len(digits) <= 2:
            if digits == "1":
                raise AmbiguousMonth(number, year)
            return PartialDate(year, int(digits))
        raise CellError(N_("Not a date: %(value)s"), value=number)
    whole = int(number)
    if 1900 <= whole <= 2100:  # a year on its own, not serial 1949 (a day in 1905)
        raise CellError(N_("%(value)s has a year but no month."), value=whole)
    if 1 <= whole <= LAST_SERIAL:
        day = EXCEL_EPOCH + timedelta(days=whole)
        return PartialDate(day.year, day.month, day.day)
    if 100_000 <= whole <= 99_999_999:  # 194910 or 19491001 typed as a number
        return _date_from_text(str(whole))
    raise CellError(N_("Not a date: %(value)s"), value=whole)


def _date_from_text(text: str) -> PartialDate:
    compact = text.replace(" ", "")
    if re.fullmatch(r"\d{8}", compact):
        return PartialDate(int(compact[:4]), int(compact[4:6]), int(compact[6:]))
    if re.fullmatch(r"\d{6}", compact):
        return PartialDate(int(compact[:4]), int(compact[4:]))
    if re.fullmatch(r"\d{1,5}", compact):
        return _date_from_number(int(compact))  # a serial exported as text
    match = _WRITTEN.fullmatch(compact)
    if match is None:
        raise CellError(N_("Not a date: %(value)s"), value=text)
    day = match.group("d")
    return PartialDate(int(match.group("y")), int(match.group("m")), int(day) if day else None)


def _check_calendar(found: PartialDate, today: date) -> None:
    if not 1 <= found.month <= 12:
        raise CellError(N_("There is no month %(month)s."), month=found.month)
    if found.day is not None:
        last = calendar.monthrange(found.year, found.month)[1]
        if not 1 <= found.day <= last:
            raise CellError(
                N_("%(date)s does not exist."), date=f"{found.year}-{found.month}-{found.day}"
            )
    if found.year < 1900:
        raise CellError(N_("%(date)s is too early to be right."), date=str(found))
    if found.first_day > today:
        raise CellError(N_("%(date)s is in the future."), date=str(found))


# --- ID numbers -----------------------------------------------------------------------


DIGITS_LOST = N_(
    "The ID number was stored as a number and lost its last digits. "
    "Format the column as text and type it again."
)
_SCIENTIFIC = re.compile(r"\d(?:\.\d+)?E\+?\d{1,2}")
_FIFTEEN_AND_000 = re.compile(r"\d{15}000(?:\.0*)?")


def stored_as_number(value: Any) -> bool:
    """Whether an ID cell bears the marks of a number cell, whose digits past the 15th
    (Excel) or 16th (WPS and others) are gone: a number of 16 digits or more, or the
    text a CSV export writes for one — 3.70202E+17 under General, 15 digits and 000
    under a number format (when those do not pass the check; see parse_id_number)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return math.isfinite(value) and abs(value) >= 10**15
    text = re.sub(r"\s", "", _text(value)).upper()
    if _SCIENTIFIC.fullmatch(text):
        return True
    return bool(_FIFTEEN_AND_000.fullmatch(text)) and not _valid_id(text[:18])


def parse_id_number(value: Any, *, column_held_numbers: bool = False) -> str | None:
    """An 18-character 居民身份证号码 checked per GB 11643 (check digit, birth date,
    region), with a trailing x made upper-case.

    A number cell of 16 digits or more is refused whatever its digits: a double holds
    about 16, Excel keeps 15, so even digits that pass the check are not the person's
    (1 in 11 roundings pass, and then the birth date or gender seems to disagree).
    Text of 15 digits and 000 that passes the check is a real ID typed as text —
    unless the same column shows numbers elsewhere (`column_held_numbers`): then it is
    one more number exported as text, and refused like the rest."""
    if _blank(value):
        return None
    if stored_as_number(value):
        raise CellError(DIGITS_LOST)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 15 digits or fewer: exact in a double
    text = re.sub(r"[\s\-]", "", _text(value)).upper()
    if column_held_numbers and _FIFTEEN_AND_000.fullmatch(text):
        raise CellError(DIGITS_LOST)
    if len(text) == 15 and text.isdigit():
        raise CellError(N_("15-digit ID numbers are no longer valid; enter the 18-digit one."))
    try:
        return validate_id_number(text)
    except InvalidLength as exc:
        raise CellError(
            N_("An ID number has 18 characters; this one has %(count)s."), count=len(text)
        ) from exc
    except InvalidFormat as exc:
        raise CellError(N_("An ID number is 17 digits and a last digit or X.")) from exc
    except InvalidChecksum as exc:
        raise CellError(
            N_("The check digit of this ID number is wrong (GB 11643); please check it.")
        ) from exc
    except InvalidComponent as exc:
        raise CellError(
            N_("The birth date or region inside this ID number does not exist.")
        ) from exc


def validate_id_number(text: str) -> str:
    """GB 11643: 17 digits and a check digit, a real birth date, a region code that
    GB/T 2260 has assigned.

    Built from python-stdnum's parts rather than `ric.validate()`, which also demands
    that the county existed in the birth year. The code is where the card was issued
    (from 1984): a cadre born in 1949 whose district was created in 1983 holds a
    perfectly valid number that check would refuse.
    """
    number = ric.compact(text)
    if len(number) != 18:
        raise InvalidLength()
    if not number[:17].isdigit() or number[17] not in "0123456789X":
        raise InvalidFormat()
    if number[17] != ric.calc_check_digit(number):
        raise InvalidChecksum()
    ric.get_birth_date(number)  # raises InvalidComponent for a date that does not exist
    if not _region_assigned(number[:6]):
        raise InvalidComponent()
    return number


@functools.lru_cache(maxsize=8192)
def _region_assigned(code: str) -> bool:
    """Whether GB/T 2260 has ever assigned this code (cached: a roster repeats a few
    dozen codes, and the lookup is most of an ID check's cost)."""
    return bool(numdb.get("cn/loc").info(code)[1:])


def _valid_id(text: str) -> bool:
    try:
        validate_id_number(text)
    except ValueError:
        return False
    return True


def id_birth_date(id_number: str) -> date:
    return ric.get_birth_date(id_number)


def id_gender(id_number: str) -> str:
    """The 17th digit: odd for men, even for women (GB 11643)."""
    return "male" if int(id_number[16]) % 2 else "female"


# --- phones and genders -----------------------------------------------------------------


def parse_phone(value: Any) -> str | None:
    """A contact phone (validators.contact_phone), typed as text or as a number: then a
    mobile is 13800138000.0 and a landline has lost its leading 0 (53282861234)."""
    if _blank(value):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    try:
        return contact_phone(_text(value))
    except FieldError as exc:
        raise CellError(exc.message, **exc.args_) from exc


GENDERS = {
    "男": "male",
    "女": "female",
    "男性": "male",
    "女性": "female",
    "M": "male",
    "F": "female",
}


def parse_gender(value: Any) -> str | None:
    if _blank(value):
        return None
    text = _text(value).upper()
    if text not in GENDERS:
        raise CellError(N_("Gender is 男 or 女, not %(value)s."), value=_text(value))
    return GENDERS[text]


WEDDING_BEFORE_16 = N_("The wedding day is before the person's 16th birthday.")


def married_too_young(married: date, born: date) -> bool:
    """A wedding before the 16th birthday is a typing mistake (the database refuses it
    too: people_married_after_16). 29 February's 16th birthday in a common year is
    the 28th, as PostgreSQL's `+ interval '16 years'` has it."""
    try:
        sixteen = born.replace(year=born.year + 16)
    except ValueError:
        sixteen = date(born.year + 16, 2, 28)
    return married < sixteen
