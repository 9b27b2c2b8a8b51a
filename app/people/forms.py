"""Choosing from a list, read the same way on every form of the product: a unit, a
person, an account or a category sent by a select or a hidden field."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from app.core.errors import Refused
from app.core.forms import FieldError
from app.i18n import N_

CHOOSE_FROM_LIST = N_("Please choose from the list.")


def chosen(raw: str) -> UUID | None:
    """A FormReader rule for the id a select sent: None when nothing was chosen; a
    mangled value is refused (rather than read as "nothing", which would clear a leader
    or make a root unit)."""
    try:
        return UUID(raw) if raw else None
    except ValueError:
        raise FieldError(CHOOSE_FROM_LIST) from None


def chosen_id(data: Mapping[str, str], key: str) -> UUID | None:
    """`chosen` for a form with no field to mark (a button's form, a choice made in a
    list): a mangled value is refused with the same message."""
    try:
        return chosen(data.get(key, ""))
    except FieldError as exc:
        raise Refused(exc.message) from None
