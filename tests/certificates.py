"""Volunteer service in tests: a team and its activities with each participant's hours,
written straight into the seeded tables (the teams and activities pages are another
part of the capability), and a certificate issued through the service."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from app.core.identity import Identity
from app.db.tenant import tenant_scope
from app.state import AppServices
from app.volunteering.certificates.forms import Period
from app.volunteering.certificates.service import CertificateService
from app.volunteering.models import Activity, Certificate, Participation, Team
from tests.factories import District


async def add_team(services: AppServices, district: District, name: str = "红星宣讲队") -> UUID:
    team_id = uuid4()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            session.add(
                Team(tenant_id=district.tenant_id, id=team_id, level="station", name=name,
                     specialty="talks", path=[team_id])
            )  # fmt: skip
    return team_id


async def add_activity(
    services: AppServices,
    district: District,
    team_id: UUID,
    held_on: date,
    hours: dict[UUID, str],
    *,
    description: str = "进社区宣讲党的二十大精神",
    place: str = "幸福社区",
) -> UUID:
    """An activity of the team on `held_on` with each participant's hours."""
    activity_id = uuid4()
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            session.add(
                Activity(
                    tenant_id=district.tenant_id, id=activity_id, team_id=team_id, kind="talks",
                    target="community", held_on=held_on, place=place, description=description,
                    recorded_by=uuid4(), recorded_by_name="队长",
                )
            )  # fmt: skip
            await session.flush()
            for person_id, spent in hours.items():
                session.add(
                    Participation(
                        tenant_id=district.tenant_id, activity_id=activity_id,
                        person_id=person_id, hours=Decimal(spent), held_on=held_on,
                        team_id=team_id,
                    )
                )  # fmt: skip
    return activity_id


async def issue(
    services: AppServices, identity: Identity, person_id: UUID, start: date, end: date
) -> Certificate:
    assert identity.tenant_id is not None
    with tenant_scope(identity.tenant_id):
        async with services.db.unit() as session:
            found = await CertificateService(session).issue(identity, person_id, Period(start, end))
            session.expunge(found)
    return found
