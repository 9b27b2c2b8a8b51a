"""Finding people: the list's filter and how a typed search becomes SQL.

A search box takes whatever people type: a name or part of one, pinyin or its
initials (张建国 is `zhang`, `zjg`), a phone tail, an ID tail — and, for those who
see whole ID numbers, a whole one, looked up through its keyed hash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from sqlalchemy import and_, func, or_

from app.core.query_params import Params, query_choice, query_id, query_page, query_text
from app.i18n import N_
from app.people.crypto import mask_id
from app.people.models import Category, Person
from app.people.pinyin import looks_like_pinyin, normalise_query

# The list's flag filter: what each choice keeps.
FLAGS: dict[str, Any] = {
    "": Person.deceased_on.is_(None),
    "party": and_(Person.party_member, Person.deceased_on.is_(None)),
    "mobile": and_(Person.mobile, Person.deceased_on.is_(None)),
    "infirm": and_(Person.infirm, Person.deceased_on.is_(None)),
    "no_phone": and_(Person.phone.is_(None), Person.deceased_on.is_(None)),
    "deceased": Person.deceased_on.is_not(None),
    "all": None,
}
FLAG_LABELS = {
    "": N_("Living"),
    "party": N_("Party members"),
    "mobile": N_("Mobile party members"),
    "infirm": N_("Infirm (exempt from points)"),
    "no_phone": N_("No phone number"),
    "deceased": N_("Deceased"),
    "all": N_("Everyone, deceased included"),
}


@dataclass(frozen=True)
class PersonFilter:
    q: str = ""
    unit_id: UUID | None = None
    category: str = ""
    flag: str = ""
    page: int = 1

    @classmethod
    def from_query(cls, params: Params) -> PersonFilter:
        """Lenient: a filter link someone mangled shows everyone, never an error page."""
        return cls(
            q=query_text(params, "q"),
            unit_id=query_id(params, "unit"),
            category=query_choice(params, "category", set(Category)),
            flag=query_choice(params, "flag", FLAGS),
            page=query_page(params),
        )

    def query_string(self, **changes: Any) -> str:
        """This filter as a query string, with `changes` applied (e.g. page=2)."""
        values = {
            "q": self.q,
            "unit": str(self.unit_id or ""),
            "category": self.category,
            "flag": self.flag,
            "page": str(self.page),
        }
        values.update({key: str(value) for key, value in changes.items()})
        if values["page"] == "1":
            del values["page"]
        return urlencode({key: value for key, value in values.items() if value})

    def link(self, path: str) -> str:
        """This filter's address up to the page number, for the pager: /people?q=zjg&"""
        query = self.query_string(page=1)
        return f"{path}?{query}&" if query else f"{path}?"


WHOLE_ID = re.compile(r"[0-9]{17}[0-9x]")


def search_condition(text: str) -> Any:
    """Name, pinyin or initials, phone tail (4–12 digits, dashes allowed: a landline is
    stored as 0532-82861234) or ID tail (4 characters). A whole ID number is looked up
    through its hash (PeopleService)."""
    query = normalise_query(text).replace("-", "")
    if not query:
        return None
    if re.fullmatch(r"[0-9]{4,12}", query):
        conditions: list[Any] = [func.replace(Person.phone, "-", "").like(f"%{query}")]
        if len(query) == 4:
            conditions.append(Person.id_tail == query)
        return or_(*conditions)
    if re.fullmatch(r"[0-9]{3}x", query):
        return Person.id_tail == query.upper()
    if looks_like_pinyin(query):
        return Person.search_keys.like(f"%{query}%")
    return Person.name.like(f"%{_escape_like(text.strip())}%", escape="\\")


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def audited_filter(wanted: PersonFilter) -> str:
    """The export's filter for the log, with a searched ID number masked."""
    if WHOLE_ID.fullmatch(normalise_query(wanted.q)):
        wanted = replace(wanted, q=mask_id(normalise_query(wanted.q).upper()))
    return wanted.query_string(page=1)
