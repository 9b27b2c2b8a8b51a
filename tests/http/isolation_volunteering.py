"""Isolation of the volunteering routes (merged into tests/http/test_isolation.py):
district A's team, an activity with a photo, and the pages B's accounts open."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from PIL import Image
from sqlalchemy import select

from app.core import clock
from app.core.photos import evidence_jpeg
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from app.volunteering.activities.service import ActivityService
from app.volunteering.models import ActivityPhoto, Level, Specialty, Team, TeamMember
from tests.factories import World, add_person, identity_of
from tests.volunteering import activity_form

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """A's station with a team of one volunteer, and an activity of it with a photo."""
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    tenant = world.a.tenant_id
    volunteer = await add_person(services, world.a, "甲区志愿者")
    station, team = uuid4(), uuid4()
    with tenant_scope(tenant):
        async with services.db.unit() as session:
            session.add(Team(id=station, tenant_id=tenant, level=Level.STATION, name="甲区总站",
                             path=[station]))  # fmt: skip
            await session.flush()
            session.add(Team(id=team, tenant_id=tenant, level=Level.TEAM, name="甲区医疗队",
                             parent_id=station, specialty=Specialty.MEDICAL,
                             path=[station, team]))  # fmt: skip
            await session.flush()
            session.add(TeamMember(tenant_id=tenant, team_id=team, person_id=volunteer,
                                   joined_on=date(2020, 1, 1)))  # fmt: skip
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(picture, "PNG")
    admin = await identity_of(services, tenant, world.a.users[Role.TENANT_ADMIN].id)
    form = activity_form(team, {volunteer: Decimal(2)}, clock.today(),
                         photos=(evidence_jpeg(picture.getvalue()),))  # fmt: skip
    with tenant_scope(tenant):
        async with services.db.unit() as session:
            recorded = await ActivityService(session).record(admin, form)
        async with services.db.session() as session:
            photo = await session.scalar(select(ActivityPhoto.id))
    _MADE[tenant] = {
        "team_id": str(team), "activity_id": str(recorded.activity.id),
        "volunteer_photo_id": str(photo),
    }  # fmt: skip
    return _MADE[tenant]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/volunteering"),
    (Role.TENANT_ADMIN, "/volunteering/totals"),
    (Role.TENANT_ADMIN, "/volunteering/activities/new"),
]
