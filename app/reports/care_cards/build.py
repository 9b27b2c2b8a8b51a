"""The care cards report: a branch's cards as ONE PDF, one page a card (A6) or ten
to a sheet (wallet), for the people the asker serves (their data scope, kept in the
parameters when they asked — as the roster report keeps its asker's).

A report, not a download in the request: WeasyPrint took 4.9 s of CPU for a branch of
100 A6 cards (bench/care_cards.py), past the ~2 s a file may take in a request
(app/reports/README.md). The progress moves every ten cards laid out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.care.cards.document import SIZE_WORDS, SIZES, cards_pdf
from app.care.cards.service import NOBODY_TO_PRINT, CardService
from app.core.errors import Refused
from app.core.scope import Scope
from app.reports.building import Built, Progress

PDF_MEDIA = "application/pdf"


def care_cards_parameters(scope: Scope, branch_id: UUID, size: str, bureau: str) -> dict[str, Any]:
    """What the build needs: the branch, the size, the asker's scope and the district's
    name (printed on each card)."""
    assert size in SIZES, size
    return {
        "branch_id": str(branch_id),
        "size": size,
        "everyone": scope.everyone,
        "units": sorted(str(u) for u in scope.units),
        "grids": sorted(str(g) for g in scope.grids),
        "bureau": bureau,
    }


async def build_care_cards(
    session: AsyncSession, parameters: Mapping[str, Any], progress: Progress
) -> Built:
    scope = Scope(everyone=parameters["everyone"],
                  units=frozenset(UUID(u) for u in parameters["units"]),
                  grids=frozenset(UUID(g) for g in parameters["grids"]))  # fmt: skip
    size = parameters["size"]
    cards = await CardService(session).branch_cards(
        scope, parameters["bureau"], UUID(parameters["branch_id"])
    )
    if not cards:  # everyone left the branch (or the asker's grids) since the asking
        raise Refused(NOBODY_TO_PRINT)
    await progress(5)

    async def step(done: int, total: int) -> None:
        await progress(5 + 85 * done // total)

    content = await cards_pdf(cards, size, step)
    return Built(content, f"亲情服务卡-{cards[0].branch}-{SIZE_WORDS[size]}.pdf", PDF_MEDIA)
