"""Signup's notices: a bureau's signup waiting tells the operators and its province's
viewers (the platform's notices, no tenant) and no other province; the decision tells
the applicant's account in the district, once; a refused signup or decision tells
nobody; the reminder job writes what a lost second transaction left out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID

import pytest
from sqlalchemy import text

from app.db import Database
from app.signup.jobs import remind_pending_signups
from app.signup.service import TenancyService
from app.state import AppServices
from tests.factories import World
from tests.notices import told, written
from tests.service.test_signup import VALID, as_identity, decide, sign_up


@pytest.fixture
async def service(services: AppServices) -> AsyncIterator[TenancyService]:
    async with services.db.unit() as session:
        yield TenancyService(session, services.redis, services.settings.auth)


async def applicant(owner_db: Database, tenant_id: UUID) -> UUID:
    async with owner_db.engine.connect() as conn:
        found = await conn.scalar(
            text("select id from users where tenant_id = :t and phone = '13800138000'"),
            {"t": tenant_id},
        )
    assert found is not None
    return found  # type: ignore[no-any-return]


async def test_a_signup_waiting_tells_the_operators_and_its_provinces_viewers(
    service: TenancyService, owner_db: Database, world: World
) -> None:
    _, errors = await sign_up(service, VALID | {"region_code": "12"})
    assert errors and await written(owner_db) == []  # refused: nothing to decide
    tenant_id, _ = await sign_up(service, VALID)
    assert tenant_id is not None
    notices = await written(owner_db, "signup")
    assert told(notices) == {  # not the viewer of 北京
        world.operator.id: [f"signup:{tenant_id}"],
        world.viewer_37.id: [f"signup:{tenant_id}"],
    }  # fmt: skip
    assert {n.tenant_id for n in notices} == {None}  # the platform's inbox
    assert notices[0].link == "/approvals" and "济南市历下区退役军人事务局" in notices[0].title
    assert "山东" in notices[0].body


async def test_the_decision_tells_the_applicant_once(
    service: TenancyService, owner_db: Database, world: World
) -> None:
    approved, _ = await sign_up(service, VALID)
    rejected, _ = await sign_up(
        service, VALID | {"slug": "other", "region_code": "370103", "admin_phone": "13800138000"}
    )
    assert approved is not None and rejected is not None
    operator = as_identity(world.operator)
    assert await decide(service, operator, rejected, approve=False, note=" ") is not None
    assert len(await written(owner_db)) == 4  # the two waiting, to two approvers
    assert await decide(service, operator, approved, approve=True, note="") is None
    assert await decide(service, operator, rejected, approve=False, note="区划代码有误") is None
    assert await decide(service, operator, approved, approve=True, note="") is not None
    decided = [n for n in await written(owner_db) if n.key.endswith(":decided")]
    assert told(decided) == {
        await applicant(owner_db, approved): [f"signup:{approved}:decided"],
        await applicant(owner_db, rejected): [f"signup:{rejected}:decided"],
    }
    yes = next(n for n in decided if n.tenant_id == approved)
    no = next(n for n in decided if n.tenant_id == rejected)
    assert yes.title == "注册已通过" and no.title == "注册未通过"
    assert "区划代码有误" in no.body


async def test_the_reminder_writes_only_what_is_missing(
    services: AppServices, service: TenancyService, owner_db: Database, world: World
) -> None:
    tenant_id, _ = await sign_up(service, VALID)
    ctx = {"services": services, "redis": services.redis}
    assert await remind_pending_signups(ctx) == 0  # told already
    async with owner_db.engine.begin() as conn:  # as if the second transaction was lost
        await conn.execute(text("delete from notifications"))
    assert await remind_pending_signups(ctx) == 2
    assert await remind_pending_signups(ctx) == 0
    await decide(service, as_identity(world.operator), tenant_id, approve=True, note="")  # type: ignore[arg-type]
    async with owner_db.engine.begin() as conn:
        await conn.execute(text("delete from notifications"))
    assert await remind_pending_signups(ctx) == 0  # decided: nothing waits
