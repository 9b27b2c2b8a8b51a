"""The demo districts' rosters, imported through the product's own two-step import,
so `make run` shows an org tree, people, an import record and a change log."""

from __future__ import annotations

import io
import random
from datetime import date

import xlsxwriter
from sqlalchemy import select
from stdnum.cn import ric

from app.accounts.models import User, UserRole
from app.core.identity import SYSTEM, Actor
from app.core.roles import Role
from app.core.scope import EVERYONE
from app.people.imports import worker
from app.people.imports.service import ImportService
from app.people.models import OrgUnit, Person, UnitKind
from app.people.org.service import OrgService
from app.people.roster.service import PeopleService
from app.state import AppServices

SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "建国华明军平志强德海林秀英玉兰桂芳文光永福春荣淑珍凤成"
BRANCHES = ["第一支部", "第二支部", "第三支部"]
CATEGORIES = ["军休干部", "军休干部", "军休干部", "离休干部", "退役军人", "在职党员"]


def demo_roster_xlsx(region: str, count: int = 36, seed: int = 1) -> bytes:
    """A roster as a bureau keeps it: a title, mixed date formats, one bad row."""
    rng = random.Random(seed)
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("花名册")
    sheet.merge_range(0, 0, 0, 9, "军休干部花名册（演示数据）")
    sheet.write_row(1, 0, ["序号", "姓名", "性别", "出生年月", "类别", "入党时间", "身份证号码",
                           "联系电话", "所在支部", "党小组"])  # fmt: skip
    for n in range(count):
        born = date(1928 + rng.randrange(40), rng.randrange(1, 13), rng.randrange(1, 29))
        female = rng.random() < 0.3
        sex_digit = rng.choice("02468" if female else "13579")
        body = f"{region}{born:%Y%m%d}{rng.randrange(100):02d}{sex_digit}"
        name = "张建国" if n == 0 else rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))
        branch = BRANCHES[n % 3]
        joined = f"{born.year + 20 + rng.randrange(10)}.{rng.randrange(1, 13)}"
        sheet.write_row(2 + n, 0, [
            n + 1, name, "女" if female else "男",
            f"{born.year}年{born.month}月" if n % 2 else f"{born.year}.{born.month:02d}",
            CATEGORIES[n % len(CATEGORIES)], joined, body + ric.calc_check_digit(body + "0"),
            f"139 {rng.randrange(10000):04d} {rng.randrange(10000):04d}", branch,
            ("第一党小组", "第二党小组")[n % 2],
        ])  # fmt: skip
    sheet.write_row(2 + count, 0, [count + 1, "刘错号", "男", "1950.13", "军休干部"])
    sheet.write(4 + count, 0, "制表人：演示数据")
    book.close()
    return buffer.getvalue()


async def seed_demo_roster(services: AppServices, region: str, center_name: str) -> None:
    """Create the center, import the roster, name the secretary, link the logins.
    Run inside the district's tenant scope, once (the caller checks)."""
    async with services.db.unit() as session:
        admin = (await session.execute(_user_with(Role.TENANT_ADMIN))).one()
        secretary = (await session.execute(_user_with(Role.BRANCH_SECRETARY))).one()
        member = (await session.execute(_user_with(Role.MEMBER))).one()
    actor = Actor("user", admin.name, admin.id)
    async with services.db.unit() as session:
        await OrgService(session).create(UnitKind.CENTER, center_name, None, actor)
        service = ImportService(session, services.cipher, services.redis)
        import_id = await service.upload("演示花名册.xlsx", demo_roster_xlsx(region), "", actor)
        await worker.check(services.db, services.cipher, import_id)
        await service.commit(import_id, "good", None, actor)
        await worker.apply(services.db, import_id)
    async with services.db.unit() as session:
        branch_id = await session.scalar(select(OrgUnit.id).where(OrgUnit.name == BRANCHES[0]))
        first, second = (
            await session.scalars(
                select(Person.id).where(Person.branch_id == branch_id).order_by(Person.sort_key)
            )
        ).all()[:2]
    async with services.db.unit() as session:
        people = PeopleService(session, services.cipher)
        await people.link_account(EVERYONE, first, secretary.id, SYSTEM)
        await people.link_account(EVERYONE, second, member.id, SYSTEM)
        assert branch_id is not None
        await OrgService(session).set_leader(branch_id, first, actor)


async def has_roster(services: AppServices) -> bool:
    async with services.db.unit() as session:
        return await session.scalar(select(OrgUnit.id).limit(1)) is not None


def _user_with(role: Role):  # type: ignore[no-untyped-def]
    return (
        select(User.id, User.name)
        .join(UserRole, (UserRole.tenant_id == User.tenant_id) & (UserRole.user_id == User.id))
        .where(UserRole.role == role)
        .limit(1)
    )
