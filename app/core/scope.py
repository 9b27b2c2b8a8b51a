"""Data scope as plain data: whose people a user may see and edit.

The district administrator sees everyone. Anyone else sees the subtrees of the units
whose leader they are (through the person linked to their account): a branch
secretary their branch, a sub-center head the sub-center, a group leader the group.
Grid service is wider: the people assigned to the user's grids (定人包户) and to the
grids of the units they lead are served — visits, requests and point claims, never
the roster or point decisions.

The SQL predicates live with the capability that owns the tables: the roster's in
app.people.scope (people_in, units_under), grid service's in app.grid.scope
(served_by, grids_seen). Services apply them to every query, so a secretary asking
for another branch's person gets "not found", exactly as another district would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar
from uuid import UUID


@dataclass(frozen=True)
class Scope:
    everyone: bool = False
    units: frozenset[UUID] = frozenset()
    """Roots of the subtrees this user leads."""
    grids: frozenset[UUID] = frozenset()
    """Grids this user works as grid worker: their people are served too."""
    sees_id_numbers: bool = False
    """Whole ID numbers; everyone else sees them masked."""

    EVERYONE: ClassVar[Scope]

    @property
    def empty(self) -> bool:
        return not self.everyone and not self.units and not self.grids

    @property
    def edits_roster(self) -> bool:
        """Whether anyone is on this user's roster, to see, add or edit: the admin's
        (everyone) or a leader's (the led subtrees). A grid alone gives none."""
        return self.everyone or bool(self.units)


Scope.EVERYONE = Scope(everyone=True, sees_id_numbers=True)
EVERYONE = Scope.EVERYONE
