"""The bulk-assignment list's filter and form, as the pages send them: which living
people the list shows, which of them are ticked, the target grid and the options."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import aliased

from app.core.forms import FieldError, FormReader
from app.core.query_params import Params, query_flag, query_id, query_page, query_text
from app.grid.models import GridAssignment
from app.i18n import N_
from app.people.models import OrgUnit, Person
from app.people.search import search_condition


@dataclass(frozen=True)
class AssignFilter:
    """Which living people the bulk-assignment list shows."""

    q: str = ""
    unit_id: UUID | None = None
    unassigned: bool = False
    address: str = ""
    page: int = 1

    @classmethod
    def from_params(cls, params: Params) -> AssignFilter:
        """Lenient, like the roster's filter: a mangled link shows everyone."""
        return cls(
            q=query_text(params, "q"),
            unit_id=query_id(params, "unit"),
            unassigned=query_flag(params, "unassigned"),
            address=query_text(params, "address", max_length=60),
            page=query_page(params),
        )

    def params(self) -> dict[str, str]:
        """The filter's fields as the forms carry them (the page left out)."""
        values = {
            "q": self.q,
            "unit": str(self.unit_id or ""),
            "unassigned": "1" if self.unassigned else "",
            "address": self.address,
        }
        return {key: value for key, value in values.items() if value}

    def query_string(self, **changes: Any) -> str:
        values = self.params() | {"page": str(self.page)}
        values.update({key: str(value) for key, value in changes.items()})
        if values.get("page") == "1":
            del values["page"]
        return urlencode(values)

    def link(self, base: str) -> str:
        """The list's address with this filter, ready for a page number (the pager's)."""
        query = urlencode(self.params())
        return f"{base}?{query}&" if query else f"{base}?"

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [Person.deceased_on.is_(None)]
        if (condition := search_condition(self.q)) is not None:
            found.append(condition)
        if self.unit_id:
            # As the roster's filter: a subtree is its branches, or the group itself.
            under = select(OrgUnit.id).where(OrgUnit.path.contains([self.unit_id]))
            found.append(or_(Person.branch_id.in_(under), Person.group_id == self.unit_id))
        if self.unassigned:
            other = aliased(GridAssignment)  # the list joins GridAssignment itself
            found.append(
                ~exists().where(
                    other.tenant_id == Person.tenant_id,
                    other.person_id == Person.id,
                    other.ends_at.is_(None),
                )
            )
        if self.address:
            escaped = self.address.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            found.append(Person.address.ilike(f"%{escaped}%", escape="\\"))
        return found


@dataclass(frozen=True)
class AssignForm:
    grid_id: UUID | None
    person_ids: list[UUID]
    everyone: bool = False
    """Everyone matching `filter`, not only the people ticked on the page shown."""
    households: bool = False
    filter: AssignFilter = field(default_factory=AssignFilter)


CHOOSE = N_("Please choose from the list.")


def choice(raw: str) -> UUID | None:
    """A grid from the list (none chosen: None, for the service to ask for one)."""
    try:
        return UUID(raw) if raw else None
    except ValueError:
        raise FieldError(CHOOSE) from None


def parse_assign_form(values: Mapping[str, str], person_ids: list[str]) -> AssignForm:
    """The bulk form: the ticked ids, the grid, the options and the filter shown; or
    InvalidForm when a tick or the grid is not one the page offered."""
    reader = FormReader(values)
    grid_id = reader.field("grid_id", choice)
    ids = []
    for raw in person_ids:
        try:
            ids.append(UUID(raw))
        except ValueError:
            reader.error("person_id", CHOOSE)
    reader.done()
    return AssignForm(
        grid_id=grid_id, person_ids=list(dict.fromkeys(ids)),
        everyone=query_flag(values, "everyone"), households=query_flag(values, "households"),
        filter=AssignFilter.from_params(values),
    )  # fmt: skip
