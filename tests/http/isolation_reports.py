"""Reports in the isolation suite: a finished report of district A (its roster, asked
for by A's administrator, named after A) for the `report_id` routes, and the report
pages B's accounts open."""

from __future__ import annotations

from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.people.search import PersonFilter
from app.reports.kinds import KINDS
from app.reports.requests.forms import ReportForm
from app.reports.requests.service import ReportService
from app.state import AppServices
from tests.factories import World, add_person, identity_of
from tests.reports import build_now

_OBJECTS: dict[object, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    if world.a.tenant_id in _OBJECTS:
        return _OBJECTS[world.a.tenant_id]
    tenant = world.a.tenant_id
    await add_person(services, world.a, "甲区报表中的人")
    admin = await identity_of(services, tenant, world.a.users[Role.TENANT_ADMIN].id)
    with tenant_scope(tenant):
        async with services.db.unit() as session:
            report_id = await ReportService(session, services.redis, services.cipher).request(
                admin, ReportForm(KINDS["roster"], "xlsx", wanted=PersonFilter())
            )
    assert await build_now(services, tenant, report_id) == "done"
    _OBJECTS[tenant] = {"report_id": str(report_id)}
    return _OBJECTS[tenant]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/reports"),
    (Role.BRANCH_SECRETARY, "/reports"),
    (Role.TENANT_ADMIN, "/reports/settings"),
]
