"""Isolation of organisational life's routes (merged into tests/http/test_isolation.py):
district A's held meeting with a photo, and the list pages district B's accounts open."""

from __future__ import annotations

import io
from datetime import timedelta
from uuid import UUID

from PIL import Image
from sqlalchemy import select

from app.core import clock
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.orglife.meetings.files import Upload
from app.orglife.meetings.forms import RecordForm
from app.orglife.meetings.service import MeetingService
from app.orglife.models import MeetingFile
from app.people.models import OrgUnit
from app.state import AppServices
from tests.factories import World, add_unit, identity_of
from tests.orglife import meeting_form

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """A branch of A with a meeting held yesterday, recorded with a photo."""
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            center = await session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "center"))
    center = center or await add_unit(services, world.a, "center", "甲区会议中心")
    branch = await add_unit(services, world.a, "branch", "甲区会议支部", center)
    admin = await identity_of(services, world.a.tenant_id, world.a.users[Role.TENANT_ADMIN].id)
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(picture, "PNG")
    day = clock.today() - timedelta(days=1)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            meetings = MeetingService(session)
            meeting = await meetings.plan(admin, meeting_form(branch, day=day))
            photo = Upload("会场.png", picture.getvalue(), photo=True)
            await meetings.record_held(admin, meeting.id, RecordForm(day, "甲区纪要"), [photo])
        async with services.db.session() as session:
            file_id = await session.scalar(select(MeetingFile.id))
    _MADE[world.a.tenant_id] = {"meeting_id": str(meeting.id), "meeting_file_id": str(file_id)}
    return _MADE[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/orglife/meetings"),
    (Role.TENANT_ADMIN, "/orglife/meetings?tab=past"),
    (Role.BRANCH_SECRETARY, "/orglife/meetings?tab=past"),
]
