"""Field rules shared by forms. Each returns the clean value or raises FieldError,
whose message is a gettext msgid translated where it is shown."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, time

import phonenumbers
from phonenumbers import PhoneNumberType

from app.core import clock
from app.core.forms import FieldError
from app.i18n import N_
from app.regions import current_county

_MOBILE_TYPES = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def mainland_mobile(raw: str) -> str:
    """A mainland China mobile number as its 11 digits (spaces, dashes, +86 allowed)."""
    text = raw.strip()
    if not text:
        raise FieldError(N_("Please enter a mobile phone number."))
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise FieldError(N_("Please enter an 11-digit mainland mobile number.")) from exc
    national = str(number.national_number)
    if (
        number.country_code != 86
        or len(national) != 11
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) not in _MOBILE_TYPES
    ):
        raise FieldError(N_("Please enter an 11-digit mainland mobile number."))
    return national


_SEPARATORS = re.compile(r"[/、,，;；]|或|\s+")
_NOT_DIGITS = re.compile(r"[\s\-–—()（）.·]")
_LOCAL = re.compile(r"[2-9]\d{6,7}")
"""A landline without its area code: 7 or 8 digits, never starting with 0 or 1."""


def contact_phone(raw: str) -> str:
    """A person's contact phone: a mainland mobile (its 11 digits), or a landline —
    with its area code as `0532-82861234`, without it as the local number (`82861234`,
    dialled within the district). Accounts still need a mobile (mainland_mobile): their
    codes and links go by SMS.

    phonenumbers knows which ranges are mobile and which area codes exist with how many
    digits after them, so the message says what is really wrong."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise FieldError(N_("Please enter a phone number."))
    parts = [part for part in _SEPARATORS.split(text) if sum(ch.isdigit() for ch in part) >= 7]
    if len(parts) > 1:
        raise FieldError(
            N_("%(value)s holds more than one number; keep one here and put the other in "
               "the notes."), value=text,
        )  # fmt: skip
    digits = _NOT_DIGITS.sub("", text)
    not_a_phone = FieldError(
        N_("%(value)s is not a phone number. Write a mobile number (11 digits) or a landline "
           "with its area code, e.g. 0532-82861234."), value=text,
    )  # fmt: skip
    if not re.fullmatch(r"\+?\d+", digits):
        raise not_a_phone
    if _LOCAL.fullmatch(digits):
        return digits
    try:
        number = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException as exc:
        raise not_a_phone from exc
    national = str(number.national_number)
    if number.country_code != 86:
        raise not_a_phone
    if phonenumbers.is_valid_number(number):
        kind = phonenumbers.number_type(number)
        if kind in _MOBILE_TYPES and national.startswith("1") and len(national) == 11:
            return national
        area = phonenumbers.length_of_geographical_area_code(number)
        if kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE) and area:
            return f"0{national[:area]}-{national[area:]}"
    if national.startswith("1") and not digits.startswith("0") and 9 <= len(national) <= 13:
        if len(national) == 11:
            raise FieldError(
                N_("%(value)s has 11 digits but is not a mobile number in use in mainland "
                   "China; please check it."), value=text,
            )  # fmt: skip
        raise FieldError(
            N_("A mobile number has 11 digits; %(value)s has %(count)s."),
            value=text, count=len(national),
        )  # fmt: skip
    if digits.startswith("0"):
        raise FieldError(
            N_("%(value)s is not a landline number: check the area code and the digits "
               "after it."), value=text,
        )  # fmt: skip
    raise not_a_phone


def plain_text(raw: str) -> str:
    """Text as typed, spaces collapsed; refuses control characters (a NUL cannot even
    be stored, and none belongs in a name or a note)."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in raw):
        raise FieldError(N_("Please remove the invisible control characters from this text."))
    return " ".join(raw.split())


def multiline_text(raw: str) -> str:
    """Notes as typed, line breaks kept (each line's spaces collapsed, blank lines
    at either end dropped)."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\t\n\r" for ch in raw):
        raise FieldError(N_("Please remove the invisible control characters from this text."))
    lines = [" ".join(line.split()) for line in raw.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def time_of_day(raw: str) -> time:
    """A time of day as hours:minutes (7:00, 22:30; full-width digits too)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    try:
        found = time.fromisoformat(text) if len(text) == 5 else None
    except ValueError:
        found = None
    if found is None:
        raise FieldError(N_("Give the time of day as hours:minutes, for example 22:00."))
    return found


def person_name(raw: str) -> str:
    text = plain_text(raw)
    if not text:
        raise FieldError(N_("Please enter a name."))
    if len(text) > 50:
        raise FieldError(N_("A name can be at most 50 characters."))
    return text


MIN_PASSWORD = 8


def new_password(raw: str, confirm: str) -> str:
    if len(raw) < MIN_PASSWORD:
        raise FieldError(N_("The password needs at least 8 characters."))
    if len(raw) > 128:
        raise FieldError(N_("The password can be at most 128 characters."))
    if raw.isdigit() or len(set(raw)) < 4:
        raise FieldError(N_("This password is too easy to guess; mix letters and digits."))
    if raw != confirm:
        raise FieldError(N_("The two passwords are not the same."))
    return raw


SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def slug(raw: str) -> str:
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    if not 3 <= len(text) <= 40 or not SLUG.fullmatch(text):
        raise FieldError(
            N_("Use 3–40 lowercase letters, digits and single hyphens, e.g. lixia-junxiu.")
        )
    return text


def region_code(raw: str, province_code: str) -> str:
    """A county-level GB/T 2260 code (e.g. 370102) inside the chosen province.

    NFKC turns the full-width digits a Chinese input method types into ASCII ones.
    """
    text = unicodedata.normalize("NFKC", raw).strip()
    if not re.fullmatch(r"[0-9]{6}", text):
        raise FieldError(N_("The region code has 6 digits, e.g. 370102."))
    if province_code and text[:2] != province_code:
        raise FieldError(N_("The first two digits must match the chosen province."))
    if text[2:4] == "00" or text[4:] == "00":
        raise FieldError(N_("Enter the code of a district or county, not of a province or city."))
    if current_county(text) is None:
        raise FieldError(N_("This is not the code of a current district or county (GB/T 2260)."))
    return text


def past_or_today(raw: str) -> date:
    """A day as year-month-day: today when left empty, never ahead."""
    today = clock.today()
    try:
        day = date.fromisoformat(raw.strip()) if raw.strip() else today
    except ValueError:
        raise FieldError(
            N_("Please give the date as year-month-day, for example 2026-05-01.")
        ) from None
    if day > today:
        raise FieldError(N_("The date cannot be in the future."))
    return day
