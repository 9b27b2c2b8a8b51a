"""Demo certificates: the district's busiest volunteer this year gets a certificate
issued by the admin, so the record page, the certificate list and the public check
(/verify/{code}) show something. Needs the demo's volunteer hours (app/demo's
volunteering seeding); with none, it leaves the district as it is."""

from __future__ import annotations

import contextlib
from datetime import date
from uuid import UUID

from sqlalchemy import func, select

from app.access import tenant_identity
from app.core import clock
from app.core.errors import Refused
from app.core.roles import Role
from app.demo.roster import _user_with
from app.state import AppServices
from app.volunteering.certificates.forms import Period
from app.volunteering.certificates.service import CertificateService
from app.volunteering.models import Certificate, Participation


async def seed_demo_certificates(services: AppServices, tenant_id: UUID) -> None:
    """Run inside the district's tenant scope; once (a district with a certificate is
    left alone)."""
    today = clock.today()
    start = date(today.year, 1, 1)
    async with services.db.unit() as session:
        if await session.scalar(select(Certificate.id).limit(1)) is not None:
            return
        busiest = await session.scalar(
            select(Participation.person_id)
            .where(Participation.held_on.between(start, today))
            .group_by(Participation.person_id)
            .order_by(func.sum(Participation.hours).desc(), Participation.person_id)
            .limit(1)
        )
        admin = (await session.execute(_user_with(Role.TENANT_ADMIN))).first()
        if busiest is None or admin is None:
            return
        found = await tenant_identity(session, admin.id, tenant_id)
        assert found is not None
        with contextlib.suppress(Refused):  # their hours were all in cancelled activities
            await CertificateService(session).issue(found[0], busiest, Period(start, today))
