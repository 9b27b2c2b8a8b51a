"""The person form: the same cell readers as the import, so a date typed as 1949.10
means the same on the form as in a spreadsheet, and the same checks against the ID."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.i18n import N_, _
from app.people.cells import (
    CellError,
    PartialDate,
    id_birth_date,
    id_gender,
    parse_date,
    parse_id_number,
    parse_phone,
)
from app.people.models import Category, Person
from app.validators import FieldError, FormErrors, multiline_text, person_name, plain_text

TEXT_FIELDS = ("address", "family_contact_name", "health_notes", "notes")
MULTILINE = ("health_notes", "notes")
FLAG_FIELDS = ("party_member", "mobile", "infirm")


def clean_person(
    data: dict[str, str], *, with_id_number: bool, editing: bool = False
) -> tuple[dict[str, Any], FormErrors]:
    """Form strings → Person column values, or field → msgid of what is wrong.

    On the edit form a blank ID number keeps the one on file (it is never shown there)."""
    values: dict[str, Any] = {}
    errors: FormErrors = {}
    try:
        values["name"] = person_name(data.get("name", ""))
    except FieldError as exc:
        errors["name"] = exc.message
    category = data.get("category", "")
    if category in Category.__members__.values():
        values["category"] = category
    else:
        errors["category"] = N_("Please choose a category.")
    gender = data.get("gender", "")
    values["gender"] = gender if gender in ("male", "female") else None
    for key in FLAG_FIELDS:
        values[key] = data.get(key) in ("1", "on", "true")
    for key in TEXT_FIELDS:
        try:
            clean = multiline_text if key in MULTILINE else plain_text
            values[key] = clean(data.get(key, ""))[:2000] or None
        except FieldError as exc:
            errors[key] = exc.message
    for key in ("phone", "family_contact_phone"):
        try:
            values[key] = parse_phone(data.get(key, ""))
        except CellError as exc:
            errors[key] = _reason(exc)
    dates: dict[str, PartialDate | None] = {}
    for key in ("birth_date", "party_joined_on", "deceased_on"):
        try:
            dates[key] = parse_date(data.get(key, ""))
        except CellError as exc:
            errors[key] = _reason(exc)
            dates[key] = None
    for key, known in (
        ("birth_date", "birth_day_known"),
        ("party_joined_on", "party_joined_day_known"),
    ):
        partial = dates.get(key)
        values[key] = partial.first_day if partial else None
        values[known] = partial is None or partial.day is not None
    deceased = dates.get("deceased_on")
    values["deceased_on"] = deceased.first_day if deceased else None
    if with_id_number:
        try:
            values["id_number"] = parse_id_number(data.get("id_number", ""))
        except CellError as exc:
            errors["id_number"] = _reason(exc)
    if editing and not values.get("id_number"):
        values.pop("id_number", None)
    _check_against_id(values, dates, errors)
    if values.get("party_joined_on"):
        values["party_member"] = True
    for key in ("branch_id", "group_id"):
        try:
            values[key] = UUID(data[key]) if data.get(key) else None
        except ValueError:
            errors[key] = N_("Please choose from the list.")
    return values, errors


def _reason(exc: CellError) -> str:
    """A reader's message with its arguments filled in; the template's gettext then
    finds no translation for it and shows it as it is."""
    return _(exc.message, **exc.args_) if exc.args_ else exc.message


def _check_against_id(
    values: dict[str, Any], dates: dict[str, PartialDate | None], errors: FormErrors
) -> None:
    """Birth date and gender must agree with the ID number; joining and death dates
    must come after birth."""
    birth = dates.get("birth_date")
    id_number = values.get("id_number")
    if id_number:
        from_id = id_birth_date(id_number)
        if birth is None:
            values["birth_date"], values["birth_day_known"] = from_id, True
        elif not birth.agrees_with(from_id) and "birth_date" not in errors:
            errors["birth_date"] = N_("This date disagrees with the ID number.")
        if values.get("gender") is None:
            values["gender"] = id_gender(id_number)
        elif values["gender"] != id_gender(id_number):
            errors["gender"] = N_("This gender disagrees with the ID number.")
    born = values.get("birth_date")
    for key in ("party_joined_on", "deceased_on"):
        if born and values.get(key) and values[key] < born and key not in errors:
            errors[key] = N_("This date is before the date of birth.")


def disagreement_with_id(values: dict[str, Any], id_number: str) -> str | None:
    """On the edit form the ID number on file is not shown: the birth date and gender
    typed there must still agree with it."""
    born = values.get("birth_date")
    if born is not None:
        partial = PartialDate(
            born.year, born.month, born.day if values.get("birth_day_known") else None
        )
        if not partial.agrees_with(id_birth_date(id_number)):
            return N_("The date of birth disagrees with the ID number on file.")
    if values.get("gender") and values["gender"] != id_gender(id_number):
        return N_("The gender disagrees with the ID number on file.")
    return None


def person_form(person: Person) -> dict[str, Any]:
    """A person as the edit form's strings; the ID number is left blank (type a new
    one to change it)."""

    def written(value: Any, day_known: bool = True) -> str:
        if value is None:
            return ""
        return f"{value.year}.{value.month}" + (f".{value.day}" if day_known else "")

    return {
        "name": person.name,
        "category": person.category,
        "gender": person.gender or "",
        "birth_date": written(person.birth_date, person.birth_day_known),
        "party_joined_on": written(person.party_joined_on, person.party_joined_day_known),
        "deceased_on": written(person.deceased_on),
        "phone": person.phone or "",
        "family_contact_phone": person.family_contact_phone or "",
        "branch_id": str(person.branch_id or ""),
        "group_id": str(person.group_id or ""),
        **{key: getattr(person, key) or "" for key in TEXT_FIELDS},
        **{key: "1" if getattr(person, key) else "" for key in FLAG_FIELDS},
    }
