"""Isolation of hardship aid and condolence money (merged into
tests/http/test_isolation.py): district A's application with evidence, approved and
paid from A's fund, and the pages B's accounts open."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import select

from app.care.aid.models import AidEvidence
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.people.models import OrgUnit
from app.state import AppServices
from tests.care_aid import PDF, apply_for, give_income, pay
from tests.factories import World, add_person, add_unit

_MADE: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """A person of a branch of A with an application for aid (a PDF as evidence),
    approved and paid in part from A's fund."""
    if world.a.tenant_id in _MADE:
        return _MADE[world.a.tenant_id]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            center = await session.scalar(select(OrgUnit.id).where(OrgUnit.kind == "center"))
    center = center or await add_unit(services, world.a, "center", "甲区帮扶中心")
    branch = await add_unit(services, world.a, "branch", "甲区帮扶支部", center)
    person = await add_person(services, world.a, "甲区困难党员", branch)
    await give_income(services, world.a, "5000")
    application = await apply_for(
        services, world.a, person, "3000", approve="3000",
        files=[("甲区证明.pdf", "application/pdf", PDF)],
    )  # fmt: skip
    await pay(services, world.a, application, "1000")
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            evidence = await session.scalar(select(AidEvidence.id))
    _MADE[world.a.tenant_id] = {
        "aid_application_id": str(application),
        "aid_evidence_id": str(evidence),
    }
    return _MADE[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/care/aid?status=approved"),
    (Role.TENANT_ADMIN, "/care/aid/new?q=甲区"),
    (Role.BRANCH_SECRETARY, "/care/aid/new?q=甲区"),
]
