"""Factories for tenants, users and platform staff. Every test world has two districts
in different roles, so isolation is exercised by default."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast
from uuid import UUID, uuid4

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from app.access import tenant_identity
from app.accounts.hashing import hash_password
from app.accounts.models import PlatformUser
from app.accounts.users.service import create_tenant_user
from app.care.aid.fund import install_aid_fund
from app.core import clock
from app.core.identity import Identity
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.orglife.presets import install_orglife_preset
from app.points.rules.versions import install_preset
from app.service_requests.presets import install_service_preset
from app.state import AppServices
from tenants.models import TenantStatus, insert_signup

Service = TypeVar("Service")

PASSWORD = "Test-pass-2026"
_phones = itertools.count(1)
_regions = itertools.count(1)


def next_phone() -> str:
    return f"1370000{next(_phones):04d}"


def next_region(province: str = "37") -> str:
    n = next(_regions)
    # 3790xx–3799xx: valid in form, never a real district the tests sign up.
    return f"{province}{90 + (n // 90) % 10:02d}{n % 90 + 1:02d}"


@dataclass
class Account:
    id: UUID
    phone: str
    name: str
    role: Role
    tenant_id: UUID | None = None


@dataclass
class District:
    tenant_id: UUID
    name: str
    slug: str
    users: dict[Role, Account] = field(default_factory=dict)


async def identity_of(services: AppServices, tenant_id: UUID, user_id: UUID) -> Identity:
    """The account's identity as a request would load it now: roles, led units and
    grids as they stand (build it after the assignments a test makes)."""
    with tenant_scope(tenant_id):
        async with services.db.unit() as session:
            found = await tenant_identity(session, user_id, tenant_id)
    assert found is not None, "no active account"
    return found[0]


def unit_per_call(db: Database, build: Callable[[AsyncSession], Service]) -> Service:
    """The service built by `build(session)`, each of whose method calls runs in a unit
    of work of its own — committed when the call returns, rolled back when it raises —
    as separate requests would: `rules = unit_per_call(services.db, RuleSetService)`.
    Calls at once (asyncio.gather) run in sessions of their own, like two users."""

    class PerCall:
        def __getattr__(self, name: str) -> Callable[..., Any]:
            async def call(*args: Any, **kwargs: Any) -> Any:
                async with db.unit() as session:
                    return await getattr(build(session), name)(*args, **kwargs)

            return call

    return cast(Service, PerCall())


async def make_tenant(
    services: AppServices,
    owner: Database,
    *,
    province: str = "37",
    status: TenantStatus = TenantStatus.ACTIVE,
    roles: tuple[Role, ...] = (
        Role.TENANT_ADMIN,
        Role.BRANCH_SECRETARY,
        Role.GRID_WORKER,
        Role.MEMBER,
    ),
    name: str | None = None,
    rules_from: date | None = None,
) -> District:
    """A district signed up through the app's role; its status then set by the owner.
    Its first rules are in force from `rules_from`, by default 1 January of last year."""
    tenant_id = uuid4()
    slug = f"d-{tenant_id.hex[:8]}"
    district = District(tenant_id, name or f"测试区{slug[-4:]}", slug)
    with tenant_scope(tenant_id):
        async with services.db.session() as session:
            await insert_signup(
                session, tenant_id=tenant_id, province_code=province, name=district.name,
                slug=slug, region_code=next_region(province), preset="qingdao-six-categories",
                applicant_name="申请人", applicant_phone=next_phone(),
            )  # fmt: skip
            # A district in use since last year: tests write entries of earlier quarters.
            first_day = rules_from or date(clock.today().year - 1, 1, 1)
            await install_preset(session, tenant_id, "qingdao-six-categories", first_day)
            await install_service_preset(session, tenant_id)
            await install_orglife_preset(session, tenant_id)
            await install_aid_fund(session, tenant_id)
            for role in roles:
                phone = next_phone()
                user = await create_tenant_user(
                    session, tenant_id, name=f"{role}-{slug}", phone=phone,
                    password_hash=await password_hash(), roles=[role],
                )  # fmt: skip
                district.users[role] = Account(user.id, phone, user.name, role, tenant_id)
            await session.commit()
    if status != TenantStatus.PENDING:
        async with owner.session() as session:
            await session.execute(
                text("update tenants set status = :s where id = :t"),
                {"s": status, "t": tenant_id},
            )
            await session.commit()
    return district


_hash_cache: dict[str, str] = {}


async def password_hash() -> str:
    """PASSWORD hashed once per session (with the tests' cheap argon2 parameters)."""
    if "hash" not in _hash_cache:
        _hash_cache["hash"] = await hash_password(PASSWORD)
    return _hash_cache["hash"]


async def make_platform_user(owner: Database, role: Role, province: str | None = None) -> Account:
    phone = next_phone()
    staff = PlatformUser(
        id=uuid4(), phone=phone, name=f"{role}-{phone[-4:]}", role=role,
        password_hash=await password_hash(), province_code=province,
    )  # fmt: skip
    async with owner.session() as session:
        session.add(staff)
        await session.commit()
    return Account(staff.id, phone, staff.name, role)


@dataclass
class World:
    """Two districts of 山东 (A and B), the operator, and viewers of 山东 and 北京."""

    a: District
    b: District
    operator: Account
    viewer_37: Account
    viewer_11: Account


async def make_world(services: AppServices, owner: Database) -> World:
    """Built once per test process; a copy of its rows with fresh ids after that
    (tests/world_copies.py says when a world is built again)."""
    from tests.world_copies import WORLD_COPIES

    if WORLD_COPIES.usable(owner):
        return await WORLD_COPIES.restore()
    world = World(
        a=await make_tenant(services, owner, name="甲区退役军人事务局"),
        b=await make_tenant(services, owner, name="乙区退役军人事务局"),
        operator=await make_platform_user(owner, Role.OPERATOR),
        viewer_37=await make_platform_user(owner, Role.PROVINCIAL_VIEWER, "37"),
        viewer_11=await make_platform_user(owner, Role.PROVINCIAL_VIEWER, "11"),
    )
    await WORLD_COPIES.keep(world, owner)
    return world


async def add_unit(
    services: AppServices, district: District, kind: str, name: str, parent: UUID | None = None
) -> UUID:
    """An org unit of the district, through the org service (so paths are right)."""
    from app.core.identity import SYSTEM
    from app.people.org.service import OrgService

    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            return await OrgService(session).create(kind, name, parent, SYSTEM)


async def add_person(
    services: AppServices,
    district: District,
    name: str,
    branch: UUID | None = None,
    **values: object,
) -> UUID:
    """A person of the district through the roster service, as an admin would add one."""
    from app.core.identity import SYSTEM
    from app.core.scope import EVERYONE
    from app.people.roster.service import PeopleService

    fields: dict[str, object] = {"name": name, "category": "military_retiree", "branch_id": branch}
    fields.update(values)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            return await PeopleService(session, services.cipher).create(EVERYONE, fields, SYSTEM)


@dataclass
class Roster:
    """A district's small tree: center → 第一支部 (with a group) and 第二支部, a person in each."""

    center: UUID
    branch_1: UUID
    group_1: UUID
    branch_2: UUID
    person_1: UUID
    person_2: UUID


async def make_roster(services: AppServices, district: District) -> Roster:
    center = await add_unit(services, district, "center", f"{district.name}军休中心")
    branch_1 = await add_unit(services, district, "branch", "第一支部", center)
    group_1 = await add_unit(services, district, "group", "第一党小组", branch_1)
    branch_2 = await add_unit(services, district, "branch", "第二支部", center)
    person_1 = await add_person(
        services, district, f"{district.name[:1]}一号", branch_1, group_id=group_1,
        phone="13700001111", id_number="370102194910011236",
    )  # fmt: skip
    person_2 = await add_person(services, district, f"{district.name[:1]}二号", branch_2)
    return Roster(center, branch_1, group_1, branch_2, person_1, person_2)


@dataclass
class PointsRoster:
    """make_roster's tree with scored members: the secretary leads 第一支部, the member
    account is 党员甲 of 第一支部; 党员乙 is beside them, 老党员丙 is exempt (infirm),
    党员丁 is in 第二支部."""

    roster: Roster
    member_a: UUID
    member_b: UUID
    exempt: UUID
    member_d: UUID


async def make_points_roster(services: AppServices, district: District) -> PointsRoster:
    from app.core.identity import SYSTEM
    from app.core.scope import EVERYONE
    from app.people.org.service import OrgService
    from app.people.roster.service import PeopleService

    roster = await make_roster(services, district)
    party = {"party_member": True, "party_joined_on": date(1970, 7, 1)}
    member_a = await add_person(services, district, "党员甲", roster.branch_1, **party)
    member_b = await add_person(services, district, "党员乙", roster.branch_1, **party)
    exempt = await add_person(services, district, "老党员丙", roster.branch_1, infirm=True, **party)
    member_d = await add_person(services, district, "党员丁", roster.branch_2, **party)
    with tenant_scope(district.tenant_id):
        async with services.db.unit() as session:
            people = PeopleService(session, services.cipher)
            await people.link_account(
                EVERYONE, roster.person_1, district.users[Role.BRANCH_SECRETARY].id, SYSTEM
            )
            await OrgService(session).set_leader(roster.branch_1, roster.person_1, SYSTEM)
            await people.link_account(EVERYONE, member_a, district.users[Role.MEMBER].id, SYSTEM)
    if Role.GRID_WORKER in district.users:
        await add_grid(
            services, district, "第一网格",
            people=[roster.person_1, roster.person_2, member_a, member_b, exempt, member_d],
            workers=[district.users[Role.GRID_WORKER].id],
        )  # fmt: skip
    return PointsRoster(roster, member_a, member_b, exempt, member_d)


async def add_grid(
    services: AppServices,
    district: District,
    name: str,
    *,
    people: list[UUID] = (),  # type: ignore[assignment]
    workers: list[UUID] = (),  # type: ignore[assignment]
    unit: UUID | None = None,
) -> UUID:
    """A grid with its workers and people (each moved out of any grid they were in)."""
    from sqlalchemy import update

    from app.core import clock
    from app.grid.models import Grid, GridAssignment, GridWorker

    with tenant_scope(district.tenant_id):
        async with services.db.session() as session:
            grid = Grid(tenant_id=district.tenant_id, name=name, unit_id=unit)
            session.add(grid)
            await session.flush()
            for user_id in workers:
                session.add(
                    GridWorker(tenant_id=district.tenant_id, grid_id=grid.id, user_id=user_id)
                )
            now = clock.now()
            if people:
                await session.execute(
                    update(GridAssignment)
                    .where(GridAssignment.person_id.in_(people), GridAssignment.ends_at.is_(None))
                    .values(ends_at=now)
                )
            for person_id in people:
                session.add(
                    GridAssignment(
                        tenant_id=district.tenant_id, person_id=person_id, grid_id=grid.id,
                        starts_at=now,
                    )
                )  # fmt: skip
            await session.commit()
            return grid.id
