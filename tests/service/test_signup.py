"""Signup and approval rules, against the real database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time, timedelta
from uuid import UUID

import pytest
from sqlalchemy import func, select, text

from app.core.clock import CHINA_TIME
from app.core.errors import NotFound, Refused
from app.core.forms import InvalidForm
from app.core.identity import Identity
from app.db import Database
from app.db.tenant import tenant_scope
from app.points.models import RuleSet
from app.points.rules.versions import in_force
from app.signup.service import TenancyService
from app.state import AppServices
from tenants.models import Tenant
from tests.factories import Account, World

IP = "203.0.113.7"

VALID = {
    "name": "济南市历下区退役军人事务局",
    "slug": "lixia",
    "province_code": "37",
    "region_code": "370102",
    "preset": "qingdao-six-categories",
    "admin_name": "王建国",
    "admin_phone": "138 0013 8000",
    "password": "Lixia-2026",
    "password_confirm": "Lixia-2026",
}


@pytest.fixture
async def service(services: AppServices) -> AsyncIterator[TenancyService]:
    async with services.db.unit() as session:
        yield TenancyService(session, services.redis, services.settings.auth)


async def sign_up(
    service: TenancyService, data: dict[str, str], ip: str = IP
) -> tuple[UUID | None, dict[str, str]]:
    """The new district, or what the form shows: each field's message, or the one
    above the form ("form")."""
    try:
        return await service.sign_up(data, ip), {}
    except InvalidForm as invalid:
        return None, invalid.errors
    except Refused as refused:
        return None, {"form": refused.message}


async def decide(
    service: TenancyService, identity: Identity, tenant_id: UUID, *, approve: bool, note: str
) -> str | None:
    """None when decided, else the refusal's message."""
    try:
        await service.decide(identity, tenant_id, approve=approve, note=note)
    except Refused as refused:
        return refused.message
    return None


def as_identity(account: Account, province: str | None = None) -> Identity:
    """Platform staff as a request sees them; a provincial viewer with the province
    their account was made for (never guessed from the name: a name may hold any
    digits)."""
    return Identity(
        user_id=account.id, name=account.name, roles=frozenset({account.role}),
        province_code=province,
    )  # fmt: skip


async def counts(owner_db: Database) -> tuple[int, int]:
    async with owner_db.engine.connect() as conn:
        tenants = (await conn.execute(text("select count(*) from tenants"))).scalar()
        users = (await conn.execute(text("select count(*) from users"))).scalar()
    return tenants, users


async def test_signup_creates_a_pending_tenant_and_its_admin(
    service: TenancyService, owner_db: Database
) -> None:
    tenant_id, errors = await sign_up(service, VALID)
    assert errors == {}
    async with owner_db.session() as session:
        tenant = await session.get(Tenant, tenant_id)
        admin = (
            await session.execute(
                text(
                    "select u.phone, r.role from users u join user_roles r on r.user_id = u.id "
                    "where u.tenant_id = :t"
                ),
                {"t": tenant_id},
            )
        ).one()
        funds = await session.scalar(
            text("select count(*) from aid_funds where tenant_id = :t"), {"t": tenant_id}
        )
    assert tenant is not None and tenant.status == "pending" and tenant.slug == "lixia"
    assert tuple(admin) == ("13800138000", "tenant_admin")
    assert funds == 1  # the hardship-aid fund comes with the district; pages only read it


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "x"}, "name"),
        ({"slug": "Li Xia"}, "slug"),
        ({"slug": "-lixia"}, "slug"),
        ({"province_code": "99"}, "province_code"),
        ({"region_code": "110101"}, "region_code"),
        ({"region_code": "3701"}, "region_code"),
        ({"region_code": "370100"}, "region_code"),
        ({"preset": "nope"}, "preset"),
        ({"admin_name": "  "}, "admin_name"),
        ({"admin_phone": "12345678901"}, "admin_phone"),
        ({"password": "12345678", "password_confirm": "12345678"}, "password"),
        ({"password_confirm": "Other-2026"}, "password"),
    ],
)
async def test_bad_signup_fields_are_reported_and_nothing_is_created(
    service: TenancyService, owner_db: Database, change: dict[str, str], field: str
) -> None:
    tenant_id, errors = await sign_up(service, VALID | change)
    assert tenant_id is None
    assert set(errors) == {field}
    assert await counts(owner_db) == (0, 0)


async def test_duplicate_slug_and_region_code_are_refused(
    service: TenancyService, owner_db: Database
) -> None:
    await sign_up(service, VALID)
    _, errors = await sign_up(service, VALID | {"admin_phone": "13900139000"})
    assert set(errors) == {"slug", "region_code"}
    assert await counts(owner_db) == (1, 1)


async def test_viewer_of_another_province_cannot_see_or_decide(
    service: TenancyService, world: World
) -> None:
    tenant_id, _ = await sign_up(service, VALID)
    assert tenant_id is not None
    beijing = as_identity(world.viewer_11, "11")
    assert [t.id for t in await service.tenants_for(beijing)] == []
    with pytest.raises(NotFound):
        await decide(service, beijing, tenant_id, approve=True, note="")
    shandong = as_identity(world.viewer_37, "37")
    assert tenant_id in [t.id for t in await service.tenants_for(shandong)]
    assert await decide(service, shandong, tenant_id, approve=True, note="") is None
    assert await decide(service, shandong, tenant_id, approve=False, note="x") is not None


async def test_rejection_needs_a_reason(
    services: AppServices, service: TenancyService, world: World
) -> None:
    tenant_id, _ = await sign_up(service, VALID)
    assert tenant_id is not None
    operator = as_identity(world.operator)
    assert await decide(service, operator, tenant_id, approve=False, note=" ") is not None
    assert await decide(service, operator, tenant_id, approve=False, note="代码有误") is None
    async with services.db.session() as session:
        status = await session.scalar(select(Tenant.status).where(Tenant.id == tenant_id))
        total = await session.scalar(select(func.count()).select_from(Tenant))
    assert status == "rejected"
    assert total == 3


async def test_a_rejected_signup_frees_its_short_name_and_region_code(
    service: TenancyService, world: World
) -> None:
    first, _ = await sign_up(service, VALID)
    assert first is not None
    await decide(service, as_identity(world.operator), first, approve=False, note="重复申请")
    second, errors = await sign_up(service, VALID | {"admin_phone": "13900139000"})
    assert errors == {} and second is not None and second != first


async def test_runtime_role_cannot_change_a_status_except_through_decide_signup(
    services: AppServices, service: TenancyService, owner_db: Database, world: World
) -> None:
    from sqlalchemy.exc import ProgrammingError

    tenant_id, _ = await sign_up(service, VALID)
    async with services.db.session() as session:
        with pytest.raises(ProgrammingError, match="permission denied"):
            await session.execute(
                text("update tenants set status = 'active' where id = :t"), {"t": tenant_id}
            )
    async with services.db.session() as session:  # a viewer of 北京 asks to approve 山东's
        outcome = await session.scalar(
            text("select decide_signup(:t, :s, true, '')"),
            {"t": tenant_id, "s": world.viewer_11.id},
        )
        await session.commit()
    assert outcome == "not_found"
    async with owner_db.engine.connect() as conn:
        status = (
            await conn.execute(text("select status from tenants where id = :t"), {"t": tenant_id})
        ).scalar()
    assert status == "pending"
    # The limit of this guarantee: the function trusts the staff id it is given (the
    # app passes the logged-in identity's). It keeps the province rule beside the
    # data and the decision atomic and audited; it does not authenticate the caller.
    async with services.db.session() as session:
        outcome = await session.scalar(
            text("select decide_signup(:t, :s, true, '')"),
            {"t": tenant_id, "s": world.operator.id},
        )
        await session.commit()
    assert outcome == "decided"


async def test_one_address_cannot_squat_region_codes(
    services: AppServices, service: TenancyService, owner_db: Database
) -> None:
    limit = services.settings.auth.signups_per_ip_per_day
    jinan = ["370103", "370104", "370105", "370112", "370113", "370114", "370115"]
    for n in range(limit):
        _, errors = await sign_up(service, VALID | {"slug": f"squat-{n}", "region_code": jinan[n]})
        assert errors == {}
    _, errors = await sign_up(service, VALID | {"slug": "one-more", "region_code": jinan[-2]})
    assert set(errors) == {"form"}
    assert await counts(owner_db) == (limit, limit)
    _, errors = await sign_up(
        service, VALID | {"slug": "elsewhere", "region_code": jinan[-1]}, "198.51.100.1"
    )
    assert errors == {}


@pytest.mark.parametrize(
    ("signed_up", "approved", "starts"),
    [
        (date(2026, 12, 10), date(2026, 12, 10), date(2026, 10, 1)),  # not 2025-01-01
        (date(2026, 11, 20), date(2026, 12, 1), date(2026, 10, 1)),
        (date(2026, 9, 28), date(2026, 10, 2), date(2026, 10, 1)),  # approved next quarter
        (date(2027, 2, 14), date(2027, 2, 20), date(2027, 1, 1)),
    ],
)
async def test_the_first_rules_start_with_the_quarter_the_district_is_approved_in(
    services: AppServices, service: TenancyService, world: World,
    monkeypatch: pytest.MonkeyPatch, signed_up: date, approved: date, starts: date,
) -> None:  # fmt: skip
    """A bureau approved mid-quarter enters that quarter's points from its paper
    ledger, so its first rules are in force from the quarter's first day — no earlier,
    so no year before it existed shows in its rankings."""

    def set_day(day: date) -> None:
        moment = datetime.combine(day, time(10), CHINA_TIME)
        monkeypatch.setattr("app.core.clock.now", lambda: moment)
        monkeypatch.setattr("app.core.clock.today", lambda: day)

    set_day(signed_up)
    tenant_id, errors = await sign_up(service, VALID)
    assert tenant_id is not None, errors
    set_day(approved)
    assert (
        await decide(service, as_identity(world.operator), tenant_id, approve=True, note="") is None
    )
    with tenant_scope(tenant_id):
        async with services.db.session() as session:
            versions = (await session.scalars(select(RuleSet))).all()
            assert [(v.version, v.status, v.effective_from) for v in versions] == [
                (1, "active", starts)
            ]
            assert await in_force(session, starts) is not None
            assert await in_force(session, starts - timedelta(days=1)) is None


async def test_a_rejected_signup_gets_no_rules(
    services: AppServices, service: TenancyService, world: World
) -> None:
    tenant_id, _ = await sign_up(service, VALID)
    assert tenant_id is not None
    assert await decide(service, as_identity(world.operator), tenant_id, approve=False,
                        note="代码有误") is None  # fmt: skip
    with tenant_scope(tenant_id):
        async with services.db.session() as session:
            assert (await session.scalars(select(RuleSet))).all() == []
