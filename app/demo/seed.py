"""Demo data for `make run`: 山东省 with 历下区 and 兖州区, one account per role each.

Idempotent: a second run finds everything in place and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy import select, text

from app.accounts.hashing import hash_password
from app.accounts.models import PlatformUser
from app.accounts.users.service import create_tenant_user
from app.audit.service import record
from app.care.aid.fund import install_aid_fund
from app.core import clock
from app.core.identity import Actor
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.demo.care_after import has_after_care, seed_demo_after_care
from app.demo.care_aid import has_care_aid, seed_demo_care_aid
from app.demo.care_calendar import has_care_calendar, seed_demo_care_calendar
from app.demo.care_gifts import has_care_gifts, seed_demo_care_gifts
from app.demo.care_surveys import has_surveys, seed_demo_care_surveys
from app.demo.certificates import seed_demo_certificates
from app.demo.grid import has_grid, seed_demo_grid
from app.demo.orglife import has_meetings, seed_demo_orglife
from app.demo.points import has_points, seed_demo_points
from app.demo.roster import has_roster, seed_demo_roster
from app.demo.thought_reports import has_thought_reports, seed_demo_thought_reports
from app.demo.volunteering import has_volunteering, seed_demo_volunteering
from app.orglife.presets import install_orglife_preset
from app.points.rules.versions import in_force, install_preset
from app.service_requests.presets import install_service_preset
from app.state import AppServices
from tenants.models import Tenant, insert_signup

DEMO_PASSWORD = "Redstar2026"  # noqa: S105 — printed by `make run` on purpose


@dataclass(frozen=True)
class DemoLogin:
    where: str
    role: Role
    name: str
    phone: str


PLATFORM = [
    DemoLogin("平台", Role.OPERATOR, "平台运维", "13900000000"),
    DemoLogin("山东省", Role.PROVINCIAL_VIEWER, "省厅观察员", "13900000037"),
]
DISTRICTS = [
    ("历下区退役军人事务局", "lixia", "370102", "qingdao-six-categories", "1380000100"),
    ("兖州区退役军人事务局", "yanzhou", "370812", "yanzhou-base-score", "1380000200"),
]
TENANT_PEOPLE = [
    (Role.TENANT_ADMIN, "管理员"),
    (Role.BRANCH_SECRETARY, "支部书记"),
    (Role.GRID_WORKER, "网格员"),
    (Role.MEMBER, "党员"),
]


def demo_logins() -> list[DemoLogin]:
    logins = list(PLATFORM)
    for name, _slug, _code, _preset, prefix in DISTRICTS:
        district = name.removesuffix("退役军人事务局")
        for i, (role, title) in enumerate(TENANT_PEOPLE, start=1):
            logins.append(DemoLogin(district, role, f"{district}{title}", f"{prefix}{i}"))
    return logins


async def seed_demo(services: AppServices, owner: Database) -> bool:
    """Create what is missing; returns True when anything was created.

    The districts go through the product's own flow: a pending signup, approved by
    the demo operator through decide_signup().
    """
    created = False
    password_hash = await hash_password(DEMO_PASSWORD)
    async with owner.unit() as session:  # platform staff are written by the owner only
        for login in PLATFORM:
            if not await session.scalar(
                select(PlatformUser.id).where(PlatformUser.phone == login.phone)
            ):
                session.add(
                    PlatformUser(
                        name=login.name, phone=login.phone, role=login.role,
                        password_hash=password_hash,
                        province_code="37" if login.role == Role.PROVINCIAL_VIEWER else None,
                    )
                )  # fmt: skip
                created = True
        operator_id = await session.scalar(
            select(PlatformUser.id).where(PlatformUser.phone == PLATFORM[0].phone)
        )

    for name, slug, code, preset, prefix in DISTRICTS:
        district = name.removesuffix("退役军人事务局")
        async with services.db.unit() as session:
            existing = await session.scalar(select(Tenant.id).where(Tenant.slug == slug))
        if existing:  # data from before the roster or points existed gets them now
            with tenant_scope(existing):
                if not await has_roster(services):
                    await seed_demo_roster(services, code, f"{district}军休服务中心")
                    created = True
                if not await has_grid(services):
                    await seed_demo_grid(services, existing)
                    created = True
                created = await ensure_points(services, existing, preset) or created
                if not await has_meetings(services):
                    await seed_demo_orglife(services, existing)
                if not await has_thought_reports(services):
                    await seed_demo_thought_reports(services)
                if not await has_volunteering(services):
                    await seed_demo_volunteering(services, existing)
                    created = True
                if not await has_care_calendar(services):
                    await seed_demo_care_calendar(services)
                    created = True
                if not await has_surveys(services):
                    await seed_demo_care_surveys(services, existing)
                    created = True
                if not await has_care_gifts(services):
                    await seed_demo_care_gifts(services)
                    created = True
                if not await has_care_aid(services):
                    await seed_demo_care_aid(services, existing)
                    created = True
                if not await has_after_care(services):
                    await seed_demo_after_care(services, existing)
                    created = True
            continue
        tenant_id: UUID = uuid4()
        admin_name, admin_phone = f"{district}{TENANT_PEOPLE[0][1]}", f"{prefix}1"
        with tenant_scope(tenant_id):
            async with services.db.unit() as session:
                await insert_signup(
                    session, tenant_id=tenant_id, province_code="37", name=name, slug=slug,
                    region_code=code, preset=preset,
                    applicant_name=admin_name, applicant_phone=admin_phone,
                )  # fmt: skip
                await install_preset(session, tenant_id, preset, rules_from())
                await install_service_preset(session, tenant_id)
                await install_orglife_preset(session, tenant_id)
                await install_aid_fund(session, tenant_id)
                for i, (role, title) in enumerate(TENANT_PEOPLE, start=1):
                    await create_tenant_user(
                        session, tenant_id, name=f"{district}{title}", phone=f"{prefix}{i}",
                        password_hash=password_hash, roles=[role],
                    )  # fmt: skip
                await record(
                    session, Actor("applicant", admin_name), "tenant.signed_up",
                    subject_type="tenant", subject_id=tenant_id, subject_name=name,
                    changes={"region_code": code, "slug": slug},
                )  # fmt: skip
        async with services.db.unit() as session:
            await session.execute(
                text("select decide_signup(:t, :s, true, '演示数据')"),
                {"t": tenant_id, "s": operator_id},
            )
        with tenant_scope(tenant_id):
            await seed_demo_roster(services, code, f"{district}军休服务中心")
            await seed_demo_grid(services, tenant_id)  # before points: claims need a grid
            await seed_demo_points(services, tenant_id)
            await seed_demo_certificates(services, tenant_id)  # after volunteering's hours
            await seed_demo_orglife(services, tenant_id)
            await seed_demo_thought_reports(services)
            await seed_demo_volunteering(services, tenant_id)
            # The calendar first: the gifts' demo then dates a few joinings of its own.
            await seed_demo_care_calendar(services)
            await seed_demo_care_gifts(services)
            await seed_demo_care_surveys(services, tenant_id)
            await seed_demo_care_aid(services, tenant_id)
            await seed_demo_after_care(services, tenant_id)
        created = True
    return created


async def ensure_points(services: AppServices, tenant_id: UUID, preset: str) -> bool:
    """Rules and a year of entries for a district made before points existed."""
    async with services.db.unit() as session:
        if await in_force(session) is None:
            await install_preset(session, tenant_id, preset, rules_from())
    if await has_points(services):
        return False
    await seed_demo_points(services, tenant_id)
    return True


def rules_from() -> date:
    """The demo districts show a year in use, so their rules are in force from
    1 January, before the first demo entry (seed_demo_points writes from then) — not
    from the quarter of approval, as a district that signs up gets them."""
    return date(clock.today().year, 1, 1)
