"""The person form, read with the import's rules: one `parse_person` for adding and
editing, a `PersonForm` or InvalidForm naming each field that is wrong."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any
from uuid import UUID

from app.core.forms import FormReader
from app.i18n import N_
from app.people.forms import chosen
from app.people.imports.cells import PartialDate, id_birth_date, id_gender
from app.people.imports.drafts import CATEGORY_WORDS, draft_row
from app.people.models import Person

TEXT_FIELDS = ("address", "family_contact_name", "health_notes", "notes")
FLAG_FIELDS = ("party_member", "mobile", "infirm")
GENDER_WORDS = {"male": "男", "female": "女"}
FIELDS_FROM_FORM = (
    "name", "birth_date", "party_joined_on", "deceased_on", "married_on", "phone",
    "family_contact_phone",
    *TEXT_FIELDS,
)  # fmt: skip


@dataclass(frozen=True)
class PersonForm:
    """The person form, read: the Person columns it sets. It shows every field, so a
    blank clears one — except the ID number, set only when `sets_id_number` (on the add
    form for those who see ID numbers; on the edit form when one is typed)."""

    name: str
    category: str
    gender: str | None
    party_member: bool
    mobile: bool
    infirm: bool
    phone: str | None
    family_contact_phone: str | None
    address: str | None
    family_contact_name: str | None
    health_notes: str | None
    notes: str | None
    birth_date: date | None
    birth_day_known: bool
    party_joined_on: date | None
    party_joined_day_known: bool
    deceased_on: date | None
    married_on: date | None
    branch_id: UUID | None
    group_id: UUID | None
    id_number: str | None = None
    sets_id_number: bool = False

    def columns(self) -> dict[str, Any]:
        """Column → value, as PeopleService.create and update take them."""
        values = {
            field.name: getattr(self, field.name)
            for field in fields(self)
            if field.name not in ("id_number", "sets_id_number")
        }
        if self.sets_id_number:
            values["id_number"] = self.id_number
        return values


def parse_person(
    data: Mapping[str, str], *, with_id_number: bool, editing: bool = False
) -> PersonForm:
    """The form's strings as a PersonForm, or InvalidForm with each wrong field's message.

    The form is read as one roster row (app.people.imports.drafts.draft_row), so a date
    typed as 1949.10 means the same here as in a spreadsheet, and the same checks apply:
    birth date and gender against the ID number, dates in order. On the edit form a
    blank ID number keeps the one on file (it is never shown there)."""
    cells: dict[str, Any] = {key: data.get(key, "") for key in FIELDS_FROM_FORM}
    cells["category"] = CATEGORY_WORDS.get(data.get("category", ""), [""])[0]
    cells["gender"] = GENDER_WORDS.get(data.get("gender", ""), "")
    cells.update({key: "是" if data.get(key) in ("1", "on") else "" for key in FLAG_FIELDS})
    if with_id_number:
        cells["id_number"] = data.get("id_number", "")
    row = draft_row(0, cells, {})
    reader = FormReader(data)
    # A form is not a file: a bad phone is refused here, not left out with a warning.
    for problem in row.problems + row.warnings:  # a field's first is shown
        if problem.field == "category":
            reader.error("category", N_("Please choose a category."))
        else:
            reader.error(problem.field, problem.message, **problem.args)
    branch_id = reader.field("branch_id", chosen)
    group_id = reader.field("group_id", chosen)
    reader.done()
    draft = row.draft
    assert draft is not None  # a row without a draft has problems
    birth, joined = draft.birth_date, draft.party_joined_on
    return PersonForm(
        name=draft.name, category=draft.category or "", gender=draft.gender,
        party_member=bool(draft.party_member), mobile=draft.mobile, infirm=draft.infirm,
        phone=draft.phone, family_contact_phone=draft.family_contact_phone,
        address=draft.address, family_contact_name=draft.family_contact_name,
        health_notes=draft.health_notes, notes=draft.notes,
        birth_date=birth.first_day if birth else None,
        birth_day_known=birth is None or birth.day is not None,
        party_joined_on=joined.first_day if joined else None,
        party_joined_day_known=joined is None or joined.day is not None,
        deceased_on=draft.deceased_on.first_day if draft.deceased_on else None,
        married_on=draft.married_on.first_day if draft.married_on else None,
        branch_id=branch_id, group_id=group_id,
        id_number=draft.id_number,
        sets_id_number=with_id_number and not (editing and not cells["id_number"]),
    )  # fmt: skip


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
        "married_on": written(person.married_on),
        "phone": person.phone or "",
        "family_contact_phone": person.family_contact_phone or "",
        "branch_id": str(person.branch_id or ""),
        "group_id": str(person.group_id or ""),
        **{key: getattr(person, key) or "" for key in TEXT_FIELDS},
        **{key: "1" if getattr(person, key) else "" for key in FLAG_FIELDS},
    }
