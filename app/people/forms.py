"""The person form, read with the import's rules."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from app.core.errors import Refused
from app.core.forms import FormErrors
from app.i18n import N_, _
from app.people.cells import PartialDate, id_birth_date, id_gender
from app.people.drafts import CATEGORY_WORDS, PersonDraft, draft_row
from app.people.models import Person

TEXT_FIELDS = ("address", "family_contact_name", "health_notes", "notes")
FLAG_FIELDS = ("party_member", "mobile", "infirm")
GENDER_WORDS = {"male": "男", "female": "女"}


def clean_person(
    data: dict[str, str], *, with_id_number: bool, editing: bool = False
) -> tuple[dict[str, Any], FormErrors]:
    """Form strings → Person column values, or field → message of what is wrong.

    The form is read as one roster row (app.people.drafts.draft_row), so a date typed
    as 1949.10 means the same here as in a spreadsheet, and the same checks apply:
    birth date and gender against the ID number, dates in order. On the edit form a
    blank ID number keeps the one on file (it is never shown there)."""
    cells: dict[str, Any] = {key: data.get(key, "") for key in FIELDS_FROM_FORM}
    cells["category"] = CATEGORY_WORDS.get(data.get("category", ""), [""])[0]
    cells["gender"] = GENDER_WORDS.get(data.get("gender", ""), "")
    cells.update({key: "是" if data.get(key) in ("1", "on") else "" for key in FLAG_FIELDS})
    if with_id_number:
        cells["id_number"] = data.get("id_number", "")
    row = draft_row(0, cells, {})
    # A form is not a file: a bad phone is refused here, not left out with a warning.
    errors: FormErrors = {
        problem.field: _(problem.message, **problem.args) if problem.args else problem.message
        for problem in reversed(row.problems + row.warnings)  # a field's first is shown
    }
    if "category" in errors:
        errors["category"] = N_("Please choose a category.")
    values = _columns(row.draft, with_id_number and not (editing and not cells["id_number"]))
    for key in ("branch_id", "group_id"):
        try:
            values[key] = UUID(data[key]) if data.get(key) else None
        except ValueError:
            errors[key] = N_("Please choose from the list.")
    return values, errors


FIELDS_FROM_FORM = (
    "name", "birth_date", "party_joined_on", "deceased_on", "phone", "family_contact_phone",
    *TEXT_FIELDS,
)  # fmt: skip


def _columns(draft: PersonDraft | None, with_id_number: bool) -> dict[str, Any]:
    """A draft as Person column values (the form sets every field: blank clears)."""
    if draft is None:
        return {}
    values: dict[str, Any] = {
        "name": draft.name, "category": draft.category, "gender": draft.gender,
        "party_member": bool(draft.party_member), "mobile": draft.mobile,
        "infirm": draft.infirm, "phone": draft.phone,
        "family_contact_phone": draft.family_contact_phone,
        **{key: getattr(draft, key) for key in TEXT_FIELDS},
    }  # fmt: skip
    for key, known in (
        ("birth_date", "birth_day_known"),
        ("party_joined_on", "party_joined_day_known"),
    ):
        partial: PartialDate | None = getattr(draft, key)
        values[key] = partial.first_day if partial else None
        values[known] = partial is None or partial.day is not None
    values["deceased_on"] = draft.deceased_on.first_day if draft.deceased_on else None
    if with_id_number:
        values["id_number"] = draft.id_number
    return values


def chosen_id(data: dict[str, str], key: str) -> UUID | None:
    """The id a select sent: None when nothing was chosen; a mangled value is refused
    (rather than read as "nothing", which would clear a leader or make a root unit)."""
    raw = data.get(key, "")
    try:
        return UUID(raw) if raw else None
    except ValueError:
        raise Refused(N_("Please choose from the list.")) from None


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
