"""A volunteer's record of service and the certificates issued from it.

The record is read from `volunteer_hours` (each participant's hours, dated with their
activity), leaving out cancelled activities. A certificate keeps the figures as they
were when it was issued — hours and the number of activities — so the public check
can say when the record has changed since (app.volunteering.certificates.checks).

Who may do what: a volunteer sees, and is issued certificates for, their own record
(the roster person their account is linked to); the district admin (`scope.everyone`)
anyone's, and only the admin revokes. Anyone else asking about a person is told the
person does not exist, as for another district's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.audit.service import record as audit
from app.core import clock
from app.core.errors import NotFound, Refused
from app.core.identity import Identity
from app.db.tenant import require_tenant
from app.i18n import N_
from app.people.models import Person
from app.volunteering.certificates.codes import new_code
from app.volunteering.certificates.forms import Period
from app.volunteering.models import (
    SPECIALTY_LABELS,
    Activity,
    Certificate,
    Participation,
    Specialty,
    Team,
)
from tenants.models import Tenant

NO_HOURS = N_("There are no volunteer hours in this period. Please choose another period.")
IN_FUTURE = N_("The period cannot end after today.")
ALREADY_REVOKED = N_("This certificate was already revoked.")
NOT_CURRENT = N_(
    "This certificate was revoked or its hours have changed since; it cannot be printed"
    " again. Please issue a new one."
)


@dataclass(frozen=True)
class ServiceLine:
    """One activity a volunteer served in, with their hours."""

    held_on: date
    team: str
    kind: str
    """The line of service (a Specialty value)."""
    description: str | None
    place: str
    hours: Decimal

    @property
    def kind_label(self) -> str:
        kind = self.kind if self.kind in set(Specialty) else Specialty.OTHER
        return SPECIALTY_LABELS[Specialty(kind)]


@dataclass(frozen=True)
class YearOfService:
    year: int
    lines: list[ServiceLine]

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class Figures:
    """Hours and activities of a record or a period of it."""

    hours: Decimal
    activities: int


def figures_of(lines: Sequence[ServiceLine]) -> Figures:
    return Figures(sum((line.hours for line in lines), Decimal(0)), len(lines))


@dataclass(frozen=True)
class IssuedCertificate:
    """A certificate as a list shows it, with the record's figures for its period now."""

    certificate: Certificate
    now: Figures

    @property
    def changed(self) -> bool:
        c = self.certificate
        return (c.hours, c.activities) != (self.now.hours, self.now.activities)

    @property
    def current(self) -> bool:
        """Printable: neither revoked nor overtaken by corrections."""
        return self.certificate.revoked_at is None and not self.changed


@dataclass(frozen=True)
class CertificateDocument:
    """What the PDF shows."""

    certificate: Certificate
    name: str
    district: str
    lines: list[ServiceLine]


class CertificateService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def person_name(self, identity: Identity, person_id: UUID) -> str:
        """The volunteer's name; NotFound if the asker may not see their record."""
        if not (identity.scope.everyone or identity.person_id == person_id):
            raise NotFound()
        name = await self.session.scalar(select(Person.name).where(Person.id == person_id))
        if name is None:
            raise NotFound()
        return name

    async def lines(
        self, person_id: UUID, start: date | None = None, end: date | None = None
    ) -> list[ServiceLine]:
        """The person's activities (cancelled ones left out), oldest first."""
        query = (
            select(
                Participation.held_on, Team.name, Activity.kind, Activity.description,
                Activity.place, Participation.hours,
            )
            .join(Activity, Activity.id == Participation.activity_id)
            .join(Team, Team.id == Participation.team_id)
            .where(Participation.person_id == person_id, Activity.cancelled_at.is_(None))
            .order_by(Participation.held_on, Team.name, Activity.id)
        )  # fmt: skip
        if start is not None:
            query = query.where(Participation.held_on >= start)
        if end is not None:
            query = query.where(Participation.held_on <= end)
        return [ServiceLine(*row) for row in await self.session.execute(query)]

    async def years(self, person_id: UUID) -> list[YearOfService]:
        """The whole record by year, the latest year first."""
        by_year: dict[int, list[ServiceLine]] = {}
        for line in await self.lines(person_id):
            by_year.setdefault(line.held_on.year, []).append(line)
        return [YearOfService(year, by_year[year]) for year in sorted(by_year, reverse=True)]

    async def issue(self, identity: Identity, person_id: UUID, period: Period) -> Certificate:
        """A certificate of the person's hours in `period`, with a new verification code.
        Refused for a period that ends after today or holds no hours."""
        name = await self.person_name(identity, person_id)
        if period.end > clock.today():
            raise Refused(IN_FUTURE)
        figures = figures_of(await self.lines(person_id, period.start, period.end))
        if not figures.activities:
            raise Refused(NO_HOURS)
        certificate = Certificate(
            tenant_id=require_tenant(), code=await self._unused_code(), person_id=person_id,
            period_start=period.start, period_end=period.end, hours=figures.hours,
            activities=figures.activities, issued_by=identity.user_id,
            issued_by_name=identity.name, issued_at=clock.now(),
        )  # fmt: skip
        self.session.add(certificate)
        await audit(
            self.session, identity.actor, "certificate.issued", subject_type="person",
            subject_id=person_id, subject_name=name,
            changes={"period": f"{period.start} — {period.end}", "hours": str(figures.hours),
                     "activities": figures.activities},
        )  # fmt: skip
        await self.session.flush()
        return certificate

    async def _unused_code(self) -> str:
        """A code no district's certificate has (checked across districts through the
        lookup the public page uses; a repeat is not expected in the platform's life)."""
        while True:
            code = new_code()
            if await self.session.scalar(select(func.certificate_tenant(code))) is None:
                return code

    async def certificates(self, person_id: UUID) -> list[IssuedCertificate]:
        """The person's certificates, the newest first, each with its period's figures
        now (the asker's right to see the person is checked by `person_name`)."""
        found = await self.session.scalars(
            select(Certificate)
            .where(Certificate.person_id == person_id)
            .order_by(Certificate.issued_at.desc())
        )
        return [
            IssuedCertificate(c, await self.figures_now(c.person_id, c.period_start, c.period_end))
            for c in found
        ]

    async def figures_now(self, person_id: UUID, start: date, end: date) -> Figures:
        row = (
            await self.session.execute(
                select(func.coalesce(func.sum(Participation.hours), 0), func.count())
                .join(Activity, Activity.id == Participation.activity_id)
                .where(
                    Participation.person_id == person_id,
                    Participation.held_on.between(start, end),
                    Activity.cancelled_at.is_(None),
                )
            )
        ).one()
        return Figures(Decimal(row[0]), row[1])

    async def _certificate(self, certificate_id: UUID, *, lock: bool = False) -> Certificate:
        query = select(Certificate).where(Certificate.id == certificate_id)
        found = await self.session.scalar(query.with_for_update() if lock else query)
        if found is None:
            raise NotFound()
        return found

    async def person_of(self, identity: Identity, certificate_id: UUID) -> UUID:
        """Whose certificate this is; NotFound if the asker may not see it."""
        person_id = (await self._certificate(certificate_id)).person_id
        await self.person_name(identity, person_id)
        return person_id

    async def document(self, identity: Identity, certificate_id: UUID) -> CertificateDocument:
        """What the certificate's PDF shows. Only a current certificate prints: a revoked
        one, or one whose hours were corrected since, would contradict its check."""
        certificate = await self._certificate(certificate_id)
        name = await self.person_name(identity, certificate.person_id)
        c = certificate
        lines = await self.lines(c.person_id, c.period_start, c.period_end)
        if c.revoked_at is not None or figures_of(lines) != Figures(c.hours, c.activities):
            raise Refused(NOT_CURRENT)
        district = await self.session.scalar(select(Tenant.name).where(Tenant.id == c.tenant_id))
        return CertificateDocument(c, name, district or "", lines)

    async def revoke(self, identity: Identity, certificate_id: UUID, reason: str) -> Certificate:
        """The admin withdraws a certificate, saying why; the public check then says it
        was revoked, and when."""
        if not identity.scope.everyone:
            raise NotFound()
        certificate = await self._certificate(certificate_id, lock=True)
        if certificate.revoked_at is not None:
            raise Refused(ALREADY_REVOKED)
        name = await self.person_name(identity, certificate.person_id)
        certificate.revoked_at = clock.now()
        certificate.revoked_by_name = identity.name
        certificate.revoked_reason = reason
        await audit(
            self.session, identity.actor, "certificate.revoked", subject_type="person",
            subject_id=certificate.person_id, subject_name=name,
            changes={"period": f"{certificate.period_start} — {certificate.period_end}",
                     "reason": reason},
        )  # fmt: skip
        await self.session.flush()
        return certificate


def when(moment: datetime | None) -> date | None:
    """A moment as the day it was in China."""
    return moment.astimezone(clock.CHINA_TIME).date() if moment else None
