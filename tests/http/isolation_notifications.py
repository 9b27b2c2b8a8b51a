"""Isolation of the notification pages (merged into test_isolation.py): a notice of
district A's grid worker with a delivery that failed for good, for the
`notification_id` and `delivery_id` routes; the list pages come from the routes."""

from __future__ import annotations

from uuid import UUID

from app.core.roles import Role
from app.state import AppServices
from tests.factories import World
from tests.notice_factories import add_failed_delivery, add_notice

_OBJECTS: dict[UUID, dict[str, str]] = {}


async def objects_of_a(world: World, services: AppServices) -> dict[str, str]:
    if world.a.tenant_id not in _OBJECTS:
        worker = world.a.users[Role.GRID_WORKER]
        notice = await add_notice(
            services, world.a.tenant_id, worker.id, f"{worker.name}：今天有3户要走访",
            link="/grid",
        )  # fmt: skip
        delivery = await add_failed_delivery(services, world.a.tenant_id, notice)
        _OBJECTS[world.a.tenant_id] = {"notification_id": str(notice), "delivery_id": str(delivery)}
    return _OBJECTS[world.a.tenant_id]


LIST_PAGES: list[tuple[Role, str]] = [
    (Role.GRID_WORKER, "/inbox?show=unread"),
    (Role.TENANT_ADMIN, "/notifications/failed?page=2"),
]
