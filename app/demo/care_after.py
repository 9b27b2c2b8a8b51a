"""Demo after-care: three members who died this year (or late last year, early in
January) with the help given to their families, one condolence visit by the grid
worker, so /care/after-care shows a year's cases and the cards a branch with real
contacts. Once per district (one with a case is left alone)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from sqlalchemy import select

from app.access import tenant_identity
from app.care.after_care.forms import DeathForm, HelpForm
from app.care.after_care.models import AfterCareCase
from app.care.after_care.service import AfterCareService
from app.core import clock
from app.core.errors import Refused
from app.core.roles import Role
from app.demo.roster import _user_with
from app.grid.models import GridAssignment, Place, VisitKind
from app.grid.visits.forms import VisitForm
from app.grid.visits.service import VisitService
from app.people.models import OrgUnit, Person
from app.state import AppServices

Help = tuple[str, str, Decimal | None]
CASES: tuple[tuple[int, str | None, list[Help]], ...] = (
    (20, "心力衰竭", [("协助家属办理丧事", "区局", None), ("慰问金", "区局", Decimal("1000")),
                      ("送花圈、挽联", "党支部", None)]),
    (95, "肺部感染", [("慰问金", "区局", Decimal("1000")), ("帮助联系殡仪馆", "网格员", None)]),
    (200, None, [("慰问金", "区局", Decimal("800"))]),
)  # fmt: skip
"""Days ago, cause, and the help given (what, by whom, yuan)."""


async def has_after_care(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(AfterCareCase.id).limit(1)) is not None


async def seed_demo_after_care(services: AppServices, tenant_id: UUID) -> None:
    """Run inside the district's tenant scope."""
    today = clock.today()
    async with services.db.unit() as session:
        if await session.scalar(select(AfterCareCase.id).limit(1)) is not None:
            return
        admin = (await session.execute(_user_with(Role.TENANT_ADMIN))).first()
        worker = (await session.execute(_user_with(Role.GRID_WORKER))).first()
        leaders = select(OrgUnit.leader_person_id).where(OrgUnit.leader_person_id.is_not(None))
        # The oldest in grids, with no login and leading nothing.
        chosen = list(
            await session.scalars(
                select(Person.id)
                .join(GridAssignment, (GridAssignment.tenant_id == Person.tenant_id)
                      & (GridAssignment.person_id == Person.id))
                .where(Person.deceased_on.is_(None), Person.user_id.is_(None),
                       Person.birth_date.is_not(None), GridAssignment.ends_at.is_(None),
                       Person.id.not_in(leaders))
                .order_by(Person.birth_date, Person.id)
                .limit(len(CASES))
            )
        )  # fmt: skip
    if admin is None or len(chosen) < len(CASES):
        return
    async with services.db.unit() as session:
        found = await tenant_identity(session, admin.id, tenant_id)
    assert found is not None
    who = found[0]
    for person_id, (days_ago, cause, helps) in zip(chosen, CASES, strict=True):
        died = today - timedelta(days=days_ago)
        async with services.db.unit() as session:
            service = AfterCareService(session, services.cipher)
            case_id = await service.record(who, DeathForm(person_id, died, cause))
            for n, (what, given_by, money) in enumerate(helps):
                await service.add_help(
                    who, case_id, HelpForm(died + timedelta(days=n + 1), what, given_by, money)
                )
    if worker is None:
        return
    async with services.db.unit() as session:
        found = await tenant_identity(session, worker.id, tenant_id)
        if found is None:
            return
        visit = VisitForm(uuid4(), chosen[0], VisitKind.CONDOLENCE, Place.HOME,
                          today - timedelta(days=CASES[0][0] - 2),
                          notes="到家中吊唁，转达组织慰问，家属情绪平稳。")  # fmt: skip
        try:
            await VisitService(session).log(found[0], visit)
        except Refused:  # not in the worker's grids in this district's demo
            return
