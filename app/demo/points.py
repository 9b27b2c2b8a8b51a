"""Demo points: a year of entries for the demo districts, written through the ledger.

Every entry passes the same checks as a secretary's award (caps, dates, the rules in
force), so the demo shows rankings, capped entries and a claim waiting for approval.
"""

from __future__ import annotations

import contextlib
import random
from datetime import date, timedelta
from uuid import UUID

from sqlalchemy import select

from app.access import tenant_identity
from app.core import clock
from app.core.errors import Refused
from app.core.identity import Actor
from app.core.roles import Role
from app.demo.roster import _user_with
from app.people.models import Person
from app.points import ledger
from app.points.claims.forms import ClaimForm
from app.points.claims.service import ClaimService
from app.points.models import Awarder, PointEvent, RuleItem, Source
from app.points.rules.versions import in_force
from app.state import AppServices

ENTRIES_PER_MEMBER = 12


async def has_points(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(PointEvent.id).limit(1)) is not None


async def seed_demo_points(services: AppServices, tenant_id: UUID, seed: int = 7) -> None:
    """Entries from January 1 to today for every scored member; one pending claim.
    Run inside the district's tenant scope."""
    rng = random.Random(seed)
    today = clock.today()
    start = date(today.year, 1, 1)
    async with services.db.unit() as session:
        secretary = (await session.execute(_user_with(Role.BRANCH_SECRETARY))).one()
        worker = (await session.execute(_user_with(Role.GRID_WORKER))).one()
        version = await in_force(session, today)
        assert version is not None
        items = list(
            await session.scalars(select(RuleItem).where(RuleItem.rule_set_id == version.id))
        )
        members = list(
            (
                await session.scalars(
                    select(Person)
                    .where(Person.party_member, Person.branch_id.is_not(None), ~Person.infirm)
                    .order_by(Person.sort_key)
                )
            ).all()
        )
        awardable = [i for i in items if Awarder.SECRETARY in i.awarders or i.points > 0]
        actor = Actor("user", secretary.name, secretary.id)
        for person in members:
            for _ in range(ENTRIES_PER_MEMBER):
                item = rng.choice(awardable)
                if item.points < 0 and rng.random() < 0.8:
                    continue  # deductions are rare
                day = start + timedelta(days=rng.randrange((today - start).days + 1))
                quantity = ledger.read_quantity(str(rng.choice((1, 2, 3))), item.unit)
                entry = ledger.Entry(person, item, day, quantity, Source.AWARD, "演示数据")
                try:
                    await ledger.write(session, entry, actor)
                except Refused:
                    continue  # over a cap: the ledger refuses, as it would a secretary
    if members:
        talk = next((i for i in items if i.code.endswith("-01") and i.points > 0), items[0])
        # The worker claims for someone of their grid (the demo grid holds the first half).
        async with services.db.unit() as session:
            found = await tenant_identity(session, worker.id, tenant_id)
        assert found is not None
        identity = found[0]
        claim = ClaimForm(members[0].id, talk.id, today, "1", "到社区作红色宣讲一次")
        with contextlib.suppress(Refused):  # the member may be at the item's cap already
            async with services.db.unit() as session:
                await ClaimService(session).submit(identity, claim)
