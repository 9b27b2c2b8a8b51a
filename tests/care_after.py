"""After-care and care card set-ups shared by the service, HTTP, isolation and browser
tests: a death recorded, help given."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from uuid import UUID

from app.care.after_care.forms import DeathForm, HelpForm
from app.care.after_care.service import AfterCareService
from app.core.identity import Identity
from app.db.tenant import tenant_scope
from app.state import AppServices


async def record_death(
    services: AppServices, who: Identity, person_id: UUID, on: date, cause: str | None = None
) -> UUID:
    assert who.tenant_id is not None
    with tenant_scope(who.tenant_id):
        async with services.db.unit() as session:
            return await AfterCareService(session, services.cipher).record(
                who, DeathForm(person_id, on, cause)
            )


async def give_help(
    services: AppServices, who: Identity, case_id: UUID, on: date, what: str,
    money: Decimal | None = None, given_by: str = "区局",
) -> None:  # fmt: skip
    assert who.tenant_id is not None
    with tenant_scope(who.tenant_id):
        async with services.db.unit() as session:
            await AfterCareService(session, services.cipher).add_help(
                who, case_id, HelpForm(on, what, given_by, money)
            )


async def every_after_care_change(services: AppServices, admin: Identity, person: UUID) -> None:
    """Each after-care action the audit log has words for: a death, help, the undo."""
    from app.core import clock

    today = clock.today()
    case_id = await record_death(services, admin, person, today, "心力衰竭")
    await give_help(services, admin, case_id, today, "慰问金", Decimal("1300"))
    assert admin.tenant_id is not None
    with tenant_scope(admin.tenant_id):
        async with services.db.unit() as session:
            await AfterCareService(session, services.cipher).undo(admin, case_id, "登记错了人")
