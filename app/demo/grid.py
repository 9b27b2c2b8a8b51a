"""Demo grid service: two grids of the demo roster, the demo grid worker in the first,
a few people nobody is responsible for yet, four months of visits with the four
knows, and two open concerns — one in hospital since last night, one hardship whose
visit is overdue — so `make run` shows a full due list on the worker's phone.
"""

from __future__ import annotations

import random
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.demo.roster import _user_with
from app.grid import due
from app.grid.models import (
    Concern,
    Grid,
    GridAssignment,
    GridWorker,
    Visit,
    VisitKind,
    VisitRule,
)
from app.people.models import OrgUnit, Person
from app.service_requests.presets import install_service_preset
from app.state import AppServices

KNOWS = [
    ("在家", "养花、看新闻", "腿脚不便，上下楼困难", "希望有人陪同去医院复查"),
    ("在家", "练书法", "无", "无"),
    ("在女儿家小住", "带外孙", "老伴住院", "想了解住院报销手续"),
    ("在家", "听戏、散步", "独居，子女在外地", "常打电话聊聊"),
]
NOTES = [
    "精神很好，聊了近况。",
    "送去重阳节慰问品。",
    "血压偏高，提醒按时服药。",
    "家里灯泡坏了，已帮忙更换。",
]


async def has_grid(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(Grid.id).limit(1)) is not None


async def seed_demo_grid(services: AppServices, tenant_id: UUID, seed: int = 5) -> None:
    """Run inside the district's tenant scope, once (the caller checks)."""
    rng = random.Random(seed)
    now = clock.now()
    today = now.date()
    async with services.db.unit() as session:
        if await session.scalar(select(VisitRule.id).limit(1)) is None:
            await install_service_preset(session, tenant_id)
        worker = (await session.execute(_user_with(Role.GRID_WORKER))).one()
        center = await session.scalar(select(OrgUnit.id).where(OrgUnit.parent_id.is_(None)))
        people = list(
            await session.scalars(
                select(Person).where(Person.deceased_on.is_(None)).order_by(Person.sort_key)
            )
        )
        first = Grid(tenant_id=tenant_id, name="第一网格", unit_id=center, month_target=40)
        second = Grid(tenant_id=tenant_id, name="第二网格", unit_id=center, month_target=40)
        session.add_all([first, second])
        await session.flush()
        session.add(GridWorker(tenant_id=tenant_id, grid_id=first.id, user_id=worker.id))
        half = len(people) // 2
        in_first, in_second = people[:half], people[half:-4]  # the last four: unassigned
        for grid, members in ((first, in_first), (second, in_second)):
            for person in members:
                session.add(
                    GridAssignment(
                        tenant_id=tenant_id, person_id=person.id, grid_id=grid.id,
                        starts_at=now - timedelta(days=200), assigned_by=worker.id,
                    )
                )  # fmt: skip
        for person in in_first + in_second:
            grid = first if person in in_first else second
            for _ in range(rng.choice([0, 1, 2, 3, 4])):
                where, doing, difficulties, help_ = rng.choice(KNOWS)
                session.add(
                    Visit(
                        tenant_id=tenant_id, person_id=person.id,
                        visited_on=today - timedelta(days=rng.randint(1, 120)),
                        kind=rng.choice([VisitKind.ROUTINE, VisitKind.ROUTINE, VisitKind.HOLIDAY]),
                        place=rng.choice(["home", "home", "phone"]), notes=rng.choice(NOTES),
                        knows_where=where, knows_doing=doing, knows_difficulties=difficulties,
                        knows_help=help_, grid_id=grid.id, visitor_id=worker.id,
                        visitor_name=worker.name, logged_at=now - timedelta(days=1),
                    )
                )  # fmt: skip
        if in_first:  # one in hospital since last night, one hardship visit overdue
            patient, lonely = in_first[len(in_first) // 3], in_first[-1]
            concerns = [
                Concern(
                    tenant_id=tenant_id, person_id=patient.id, kind="hospitalisation",
                    note="心脏不适，住市第一医院心内科", noted_at=now - timedelta(hours=14),
                    noted_by=worker.id,
                ),
                Concern(
                    tenant_id=tenant_id, person_id=lonely.id, kind="hardship",
                    note="老伴去世后独居，生活不便", noted_at=now - timedelta(days=9),
                    noted_by=worker.id,
                ),
            ]  # fmt: skip
            session.add_all(concerns)
            await session.flush()
            for concern in concerns:
                await due.add_concern_item(session, concern)
        await due.refresh(session, today)
