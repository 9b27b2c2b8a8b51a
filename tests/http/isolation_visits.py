"""Isolation of the grid worker's routes (merged into tests/http/test_isolation.py):
district A's visit with its photo and a concern, and the pages B's accounts open."""

from __future__ import annotations

import io
from uuid import UUID, uuid4

from PIL import Image
from sqlalchemy import select

from app.core import clock
from app.core.photos import evidence_jpeg
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import Concern, Place, Visit, VisitKind
from app.grid.visits.forms import VisitForm
from app.grid.visits.service import VisitService
from app.state import AppServices
from tests.factories import World, add_grid, add_person, identity_of

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """A person of A's grid with a logged visit (with a photo) and an open concern."""
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    worker = world.a.users[Role.GRID_WORKER]
    person = await add_person(services, world.a, "甲区走访对象", address="甲区和平路2号")
    await add_grid(services, world.a, "甲区走访网格", people=[person], workers=[worker.id])
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(picture, "PNG")
    identity = await identity_of(services, world.a.tenant_id, worker.id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            visits = VisitService(session)
            await visits.log(
                identity,
                VisitForm(uuid4(), person, VisitKind.ROUTINE, Place.HOME, clock.today(),
                          notes="甲区走访记录", knows=("在家", "看书", "无", "无"),
                          photo=evidence_jpeg(picture.getvalue())),
            )  # fmt: skip
            concern = await visits.note_concern(identity, person, "hardship", "甲区困难")
        async with services.db.session() as session:
            visit = (await session.scalars(select(Visit).where(Visit.person_id == person))).one()
            assert await session.get(Concern, {"tenant_id": world.a.tenant_id, "id": concern.id})
    _MADE[world.a.tenant_id] = {
        "visit_id": str(visit.id), "visit_photo_id": str(visit.photo_id),
        "concern_id": str(concern.id),
    }  # fmt: skip
    return _MADE[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.GRID_WORKER, "/grid"),
    (Role.TENANT_ADMIN, "/grid"),
    (Role.BRANCH_SECRETARY, "/grid"),
    (Role.GRID_WORKER, "/grid/visits/new?q=甲"),
    (Role.TENANT_ADMIN, "/grid/visits/new?q=jia"),
]
