"""Service requests in the isolation suite: district A's ids for every path parameter
the request routes introduce, and the list pages that must show nothing of A to B."""

from __future__ import annotations

from sqlalchemy import select

from app.core.identity import Identity
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.people.models import Person
from app.service_requests.models import RequestCategory
from app.service_requests.requests.forms import RequestForm
from app.service_requests.requests.service import RequestService
from app.state import AppServices
from tests.factories import World, add_person

_OBJECTS: dict[object, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    """A water request of district A, logged by its admin, and its category. It is for
    甲一号 when the roster already exists (so a list that leaks shows a name the suite
    looks for), else for a person of its own."""
    if world.a.tenant_id in _OBJECTS:
        return _OBJECTS[world.a.tenant_id]
    tenant = world.a.tenant_id
    with tenant_scope(tenant):
        async with services.db.session() as session:
            person = await session.scalar(
                select(Person.id).where(Person.name == f"{world.a.name[:1]}一号")
            )
            water = await session.scalar(
                select(RequestCategory.id).where(RequestCategory.code == "water")
            )
    assert water is not None
    if person is None:
        person = await add_person(services, world.a, "甲区诉求人", phone="13700009999")
    admin = world.a.users[Role.TENANT_ADMIN]
    with tenant_scope(tenant):
        async with services.db.unit() as session:
            request = await RequestService(session).log(
                Identity(admin.id, admin.name, frozenset({Role.TENANT_ADMIN}), tenant),
                RequestForm(person, water, "甲区的诉求：厨房漏水"),
            )
    _OBJECTS[tenant] = {"request_id": str(request.id), "request_category_id": str(water)}
    return _OBJECTS[tenant]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.TENANT_ADMIN, "/requests"),
    (Role.GRID_WORKER, "/requests"),
    (Role.MEMBER, "/requests"),
    (Role.TENANT_ADMIN, "/requests?status=new"),
    (Role.TENANT_ADMIN, "/requests/sla"),
    (Role.TENANT_ADMIN, "/requests/sla?period=year"),
    (Role.TENANT_ADMIN, "/requests/settings"),
    (Role.TENANT_ADMIN, "/requests/new?q=甲"),
    (Role.TENANT_ADMIN, "/requests/new?q=yi"),
    (Role.GRID_WORKER, "/requests/new?q=jia"),
]
