"""The kinds of report: what each is called, what it asks for (a quarter or a year, a
branch, a format), who may ask for it, and the builder that makes its file.

Who may ask follows the pages the figures come from: a branch's points and ledger are
for the district's administrator (any branch) and a branch secretary (the branches
they lead, as on /points/ledger/…); the district's figures for the administrator
alone; the roster for whoever may open /people, within their own data scope; a
branch's care cards for whoever may print them on /care/cards (the administrator, a
secretary, a grid worker), within theirs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.core.crypto import IdCipher
from app.core.roles import Role
from app.i18n import N_
from app.reports.building import Builder
from app.reports.care_cards.build import build_care_cards
from app.reports.ledger.build import build_ledger
from app.reports.points.build import build_points_report
from app.reports.roster.build import roster_builder
from app.reports.summary import build_annual_summary

XLSX = "xlsx"
PDF = "pdf"
FORMAT_LABELS = {XLSX: N_("Excel spreadsheet (.xlsx)"), PDF: N_("PDF for printing (.pdf)")}

LEADERS = frozenset({Role.TENANT_ADMIN, Role.BRANCH_SECRETARY})
ADMIN = frozenset({Role.TENANT_ADMIN})
CARE_CARD_PRINTERS = frozenset({Role.TENANT_ADMIN, Role.BRANCH_SECRETARY, Role.GRID_WORKER})
"""As /care/cards admits: each prints the cards of the people they serve."""

DOWNLOADED = "report.downloaded"
"""The change log's action for a download, unless the kind names its own."""


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    """What people call it (a msgid)."""
    period: str | None
    """"quarter" (parameter `period`, e.g. 2026Q4), "year" (parameter `year`) or None."""
    branch: bool
    """Asks which branch (parameter `branch_id`) on /reports, among those the asker
    leads. (The care cards' branch is checked by their own page, which asks.)"""
    formats: tuple[str, ...]
    roles: frozenset[str]
    build: Builder | None = None
    build_with_cipher: Callable[[IdCipher], Builder] | None = None
    """For a kind whose file holds ID numbers (the roster)."""
    audit_action: str = DOWNLOADED
    listed: bool = True
    """Offered on /reports; the roster is asked for from its own page, with its filters."""
    asked_on: tuple[str, str] | None = None
    """The page that asks for it with its own checks, and its title (a msgid): the
    report's page links back to it; /reports refuses to ask."""

    def builder(self, cipher: IdCipher) -> Builder:
        if self.build_with_cipher is not None:
            return self.build_with_cipher(cipher)
        assert self.build is not None, self.name
        return self.build

    def audited(self, parameters: dict[str, Any]) -> dict[str, Any]:
        """What the change log keeps of a download: the period and the filter."""
        changes = {k: parameters[k] for k in ("period", "year", "filter") if k in parameters}
        return changes | ({"report": self.name} if self.audit_action == DOWNLOADED else {})


KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (tests register one that builds slowly, for the killed-worker test)."""
    KINDS[kind.name] = kind
    return kind


register(Kind("points_branch", N_("Quarterly points report of a branch"), "quarter", True,
              (XLSX, PDF), LEADERS, build=build_points_report))  # fmt: skip
register(Kind("points_district", N_("Quarterly points report of the district"), "quarter",
              False, (XLSX, PDF), ADMIN, build=build_points_report))  # fmt: skip
register(Kind("ledger", N_("Points ledger of a branch for a quarter"), "quarter", True,
              (XLSX, PDF), LEADERS, build=build_ledger,
              audit_action="points.ledger_exported"))  # fmt: skip
register(Kind("roster", N_("Roster"), None, False, (XLSX,), LEADERS,
              build_with_cipher=roster_builder, audit_action="people.exported",
              listed=False))  # fmt: skip
register(Kind("annual_summary", N_("Annual work summary of the district"), "year", False,
              (PDF,), ADMIN, build=build_annual_summary))  # fmt: skip

register(Kind("care_cards", N_("Care cards (a whole branch)"), None, False, (PDF,),
              CARE_CARD_PRINTERS, build=build_care_cards, listed=False,
              asked_on=("/care/cards", N_("Care cards"))))  # fmt: skip

KIND_TITLES = {name: kind.title for name, kind in KINDS.items()}
