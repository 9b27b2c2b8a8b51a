"""Valkey away while a grid worker logs a visit that tells someone: the visit is saved,
the page is the usual one, and the notice arrives once Valkey is back."""

from __future__ import annotations

import dataclasses
from datetime import time
from typing import Any

import pytest
from arq.worker import Worker
from sqlalchemy import select

from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.grid.models import Visit
from app.notifications.jobs import deliver_notification, sweep_deliveries
from app.notifications.models import Delivery, DeliveryState, Notification
from app.state import AppServices
from tests.factories import World, make_points_roster
from tests.http.conftest import Browser
from tests.http.test_grid_visits import visit_form
from tests.receivers import Webhook, webhook_server
from tests.servers import ServerPair
from tests.service.test_notification_delivery import SECRET, add_gateway, choose

# Messages by text or WeChat are sent at once only outside quiet hours.
pytestmark = pytest.mark.usefixtures("outside_quiet_hours")


async def test_a_visit_logged_while_valkey_is_down_tells_the_secretary_afterwards(
    browser: Browser, world: World, services: AppServices, servers: ServerPair
) -> None:
    points = await make_points_roster(services, world.a)
    secretary = world.a.users[Role.BRANCH_SECRETARY].id
    hook = Webhook(SECRET)
    with webhook_server(hook) as url:
        await add_gateway(services, world.a, "wechat", url)
        await choose(
            services, world.a, secretary, ["wechat"], quiet_start=time(3), quiet_end=time(3, 1)
        )
        await browser.login(world.a.users[Role.GRID_WORKER])
        await browser.get(f"/grid/visits/new?person={points.member_b}")

        servers.valkey.stop()
        try:
            response = await browser.post(
                "/grid/visits", visit_form(points.member_b, notes="腿脚不便", follow_up="1")
            )
            assert response.status_code == 303, response.text[:300]
            page = await browser.get(response.headers["location"])
            assert page.status_code == 200
        finally:
            servers.valkey.start()

        with tenant_scope(world.a.tenant_id):
            async with services.db.session() as session:
                assert await session.scalar(select(Visit.follow_up)) is True
                notice = await session.scalar(select(Notification))
                assert notice is not None and notice.recipient_id == secretary
                assert notice.title == "党员乙需要跟进"
                assert await session.scalar(select(Delivery.state)) == DeliveryState.PENDING
        assert hook.requests == []

        # Back up: the sweep finds what was never queued, a worker sends it.
        notify = dataclasses.replace(services.settings.notify, sweep_grace_seconds=0)
        ctx: dict[str, Any] = {
            "services": dataclasses.replace(
                services, settings=dataclasses.replace(services.settings, notify=notify)
            ),
        }
        worker = Worker(
            functions=[deliver_notification, sweep_deliveries], redis_pool=services.redis,
            burst=True, ctx=ctx, poll_delay=0.05,
        )  # fmt: skip
        ctx["redis"] = services.redis
        await sweep_deliveries(ctx)
        await worker.async_run()
        await worker.close()
    assert [r["json"]["title"] for r in hook.requests] == ["党员乙需要跟进"]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            assert await session.scalar(select(Delivery.state)) == DeliveryState.SENT
