"""Roster import end to end at the service level: upload → dry run → commit → again.
The rows an admin answers or fixes (infirm proposals, kept problem rows) are in
test_roster_import_rows."""

from __future__ import annotations

import io
from datetime import date
from uuid import UUID

import xlsxwriter
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from app.core.roles import Role
from app.core.scope import EVERYONE
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.imports import worker
from app.people.imports.service import ImportService
from app.people.models import ImportStatus, OrgUnit, Person
from app.people.roster.duplicates import DuplicateService
from app.people.roster.service import PeopleService
from app.people.search import PersonFilter
from app.state import AppServices
from tests.factories import World

TODAY = date(2026, 11, 24)


def importer(session: AsyncSession, services: AppServices) -> ImportService:
    """The import service on a session, as a request builds it."""
    return ImportService(session, services.cipher, services.redis)


async def check(services: AppServices, import_id: UUID) -> str:
    """The worker's dry run, on the tests' day."""
    return await worker.check(services.db, services.cipher, import_id, today=TODAY)


async def apply(services: AppServices, import_id: UUID) -> str:
    """The worker's commit."""
    return await worker.apply(services.db, import_id)


def id_number(region: str, born: str, seq: str) -> str:
    body = region + born + seq
    return body + ric.calc_check_digit(body + "0")


SMALL_HEADER = ["序号", "姓名", "性别", "出生年月", "身份证号码", "手机", "所在支部", "类别"]


def small_roster(rows: list[list[object]], more_columns: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 5, "历下区军休干部花名册")
    sheet.write_row(2, 0, [*SMALL_HEADER, *more_columns])
    for offset, row in enumerate(rows):
        sheet.write_row(3 + offset, 0, row)
    sheet.write(4 + len(rows), 0, "制表人：王某")
    book.close()
    return buffer.getvalue()


async def run_import(services: AppServices, world: World, data: bytes, mode: str = "good"):
    admin = world.a.users[Role.TENANT_ADMIN]
    from app.core.identity import Actor

    actor = Actor("user", admin.name, admin.id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            service = importer(session, services)
            import_id = await service.upload("花名册.xlsx", data, "", actor)
            assert await check(services, import_id) == ImportStatus.CHECKED
            found = await service.get(import_id)
            summary = dict(found.summary)
            await service.commit(import_id, mode, None, actor)
            assert await apply(services, import_id) == ImportStatus.COMMITTED
            return import_id, summary


async def test_a_messy_roster_is_checked_then_committed_once(
    services: AppServices, owner_db: Database, world: World
) -> None:
    zhang = id_number("370102", "19491001", "123")
    li = id_number("370103", "19520315", "234")
    rows = [
        [1, "张建国", "男", "1949.10", zhang, "138 0013 8000", "第一支部", "军休干部"],
        [2, "李 秀 英", "", "1952年3月", li, "139-0013-9000", "第二支部", "军休"],
        [3, "王错", "男", "1950.13", "370102195001011230", "1380013", "第一支部", "军休干部"],
    ]
    _, summary = await run_import(services, world, small_roster(rows))
    assert (summary["new"], summary["error"], summary["rows"]) == (2, 1, 3)
    assert sorted(summary["new_branches"]) == ["第一支部", "第二支部"]
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            people = {p.name: p for p in await session.scalars(select(Person))}
            units = {u.name: u for u in await session.scalars(select(OrgUnit))}
        assert set(people) == {"张建国", "李秀英"}
        assert people["李秀英"].gender == "female"  # from the ID number
        assert people["张建国"].birth_day_known is False
        assert people["张建国"].phone == "13800138000"
        assert units["第一支部"].parent_id == units["甲区退役军人事务局"].id
        async with services.db.unit() as session:
            people_service = PeopleService(session, services.cipher)
            found = await people_service.find(EVERYONE, PersonFilter(q="zjg"))
        assert [row.name for row in found.items] == ["张建国"]
    # ID numbers are stored encrypted, never in clear.
    async with owner_db.engine.connect() as conn:
        stored = (await conn.execute(text("select id_number_enc from people"))).scalars().all()
    assert all(zhang.encode() not in bytes(value) for value in stored)

    # The same file again: nobody is duplicated, nothing changes.
    _, again = await run_import(services, world, small_roster(rows))
    assert (again["new"], again["update"], again["same"]) == (0, 0, 2)
    async with owner_db.engine.connect() as conn:
        assert (await conn.execute(text("select count(*) from people"))).scalar() == 2


async def test_a_check_retried_after_the_worker_died_finishes(
    services: AppServices, owner_db: Database, world: World
) -> None:
    from app.core.identity import Actor

    admin = world.a.users[Role.TENANT_ADMIN]
    rows = [[1, "张建国", "男", "1949.10", id_number("370102", "19491001", "123"), "", "", "军休"]]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            import_id = await importer(session, services).upload(
                "a.xlsx", small_roster(rows), "", Actor("user", admin.name, admin.id)
            )
    async with owner_db.engine.begin() as conn:  # claimed, then the worker was killed
        await conn.execute(text("update roster_imports set status = 'checking'"))
    with tenant_scope(world.a.tenant_id):
        assert await check(services, import_id) == ImportStatus.CHECKED
        assert await check(services, import_id) == "skipped"


async def test_a_commit_that_clashes_with_a_later_change_writes_nothing(
    services: AppServices, owner_db: Database, world: World
) -> None:
    from app.core.identity import Actor
    from tests.factories import add_person

    zhang = id_number("370102", "19491001", "123")
    admin = world.a.users[Role.TENANT_ADMIN]
    actor = Actor("user", admin.name, admin.id)
    rows = [
        [1, "张建国", "男", "1949.10", zhang, "", "第一支部", "军休"],
        [
            2,
            "李四",
            "男",
            "1950.10",
            id_number("370102", "19501001", "123"),
            "",
            "第一支部",
            "军休",
        ],
    ]
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            service = importer(session, services)
            import_id = await service.upload("a.xlsx", small_roster(rows), "", actor)
            await check(services, import_id)
            await service.commit(import_id, "all", None, actor)
    await add_person(services, world.a, "张建国", None, id_number=zhang)  # meanwhile
    with tenant_scope(world.a.tenant_id):
        assert await apply(services, import_id) == ImportStatus.FAILED
        async with services.db.unit() as session:
            assert "changed after" in (await importer(session, services).get(import_id)).error
    async with owner_db.engine.connect() as conn:
        assert (await conn.execute(text("select count(*) from people"))).scalar() == 1
        assert (await conn.execute(text("select count(*) from org_units"))).scalar() == 0


async def test_a_committed_import_keeps_its_counts_not_the_files_data(
    services: AppServices, owner_db: Database, world: World
) -> None:
    rows = [[1, "张建国", "男", "1949.10", id_number("370102", "19491001", "123"), "", "", "军休"]]
    _, summary = await run_import(services, world, small_roster(rows))
    assert summary["new"] == 1
    async with owner_db.engine.connect() as conn:
        assert (await conn.execute(text("select count(*) from roster_import_rows"))).scalar() == 0
        kept = (await conn.execute(text("select summary from roster_imports"))).scalar_one()
    assert kept["committed"]["created"] == 1


async def test_a_vaguer_date_does_not_overwrite_a_precise_one_and_units_are_counted_once(
    services: AppServices, owner_db: Database, world: World
) -> None:
    born = id_number("370102", "19491020", "124")
    first = [[1, "王秀英", "女", "1949年10月20日", born, "", "第一支部", "军休"]]
    _, summary = await run_import(services, world, small_roster(first))
    again = [[1, "王秀英", "女", "1949.10", born, "", "第一支部", "军休"]]
    import_id, summary = await run_import(services, world, small_roster(again))
    assert (summary["same"], summary["update"]) == (1, 0), summary
    async with owner_db.engine.connect() as conn:
        birth, known = (
            await conn.execute(text("select birth_date, birth_day_known from people"))
        ).one()
        committed = (
            await conn.execute(
                text("select summary from roster_imports where id = :i"), {"i": import_id}
            )
        ).scalar_one()
    assert (birth, known) == (date(1949, 10, 20), True)
    assert committed["committed"]["units"] == 0  # 第一支部 existed from the first import


async def test_units_an_import_creates_are_in_the_change_log(
    services: AppServices, owner_db: Database, world: World
) -> None:
    rows = [
        [
            1,
            "张建国",
            "男",
            "1949.10",
            id_number("370102", "19491001", "123"),
            "",
            "第五支部",
            "军休",
        ]
    ]
    await run_import(services, world, small_roster(rows))
    async with owner_db.engine.connect() as conn:
        created = (
            (
                await conn.execute(
                    text("select subject_name from audit_events where action = 'org.unit_created'")
                )
            )
            .scalars()
            .all()
        )
    assert sorted(created) == sorted(["第五支部", world.a.name])


async def test_a_bad_phone_costs_the_phone_not_the_person(
    services: AppServices, owner_db: Database, world: World
) -> None:
    """Contact fields degrade to a warning; identity fields still refuse the row; the
    whole-file mode imports nothing that would lose a value."""
    from app.core.errors import Refused
    from app.core.identity import Actor

    zhang = id_number("370102", "19491001", "123")
    li = id_number("370103", "19520315", "234")
    rows = [
        [1, "张建国", "男", "1949.10", zhang, "15412345678", "第一支部", "军休干部"],
        [2, "李秀英", "女", "1952.03", li, "13900139000", "第一支部", "军休"],
        [3, "王错", "男", "1950.13", "", "13800138000", "第一支部", "军休干部"],
    ]
    admin = world.a.users[Role.TENANT_ADMIN]
    actor = Actor("user", admin.name, admin.id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            service = importer(session, services)
            import_id = await service.upload("a.xlsx", small_roster(rows), "", actor)
            await check(services, import_id)
            summary = (await service.get(import_id)).summary
            assert (summary["rows"], summary["new"], summary["error"], summary["warnings"]) == (
                3, 2, 1, 1,
            )  # fmt: skip
            assert summary["rows"] == sum(summary[k] for k in ("new", "update", "same", "error"))
            warned = (await service.rows(import_id, "warning", 1)).items
            assert [(r.name, [w["field"] for w in r.warnings]) for r in warned] == [
                ("张建国", ["phone"])
            ]
            assert warned[0].outcome == "new" and warned[0].problems == []
            try:
                await service.commit(import_id, "all", None, actor)
            except Refused:
                pass
            else:
                raise AssertionError("the whole file cannot be imported: a row loses a value")
            await service.commit(import_id, "good", None, actor)
            assert await apply(services, import_id) == ImportStatus.COMMITTED
    async with owner_db.engine.connect() as conn:
        phones = dict((await conn.execute(text("select name, phone from people"))).all())
    assert phones == {"张建国": None, "李秀英": "13900139000"}


async def test_look_alikes_agree_at_the_precision_the_dates_are_known(
    services: AppServices, owner_db: Database, world: World
) -> None:
    """Same name, no ID number to tell them apart, and birth dates that agree as far as
    both are known (1949.10 and 1949-10-20): flagged in the dry run, never merged, and
    listed on the duplicates page — from the file to the roster either way, and within
    the file."""
    from datetime import date

    from tests.factories import add_person

    await add_person(services, world.a, "王秀英", None, birth_date=date(1949, 10, 20),
                     id_number=id_number("370102", "19491020", "124"))  # fmt: skip
    await add_person(services, world.a, "李桂兰", None, birth_date=date(1950, 3, 1),
                     birth_day_known=False)  # fmt: skip
    await add_person(services, world.a, "孙明", None, birth_date=date(1951, 7, 1),
                     birth_day_known=False)  # fmt: skip
    rows = [
        [1, "王秀英", "女", "1949.10", "", "", "", "军休"],  # file: month; roster: the day
        [2, "李桂兰", "女", "1950年3月15日", "", "", "", "军休"],  # file: the day; roster: month
        [3, "赵大", "男", "1951.05", "", "", "", "军休"],  # twice in the file
        [4, "赵大", "男", "1951年5月9日", id_number("370103", "19510509", "135"), "", "", "军休"],
        [5, "孙明", "男", "1951年8月2日", "", "", "", "军休"],  # another month: no look-alike
    ]
    _, summary = await run_import(services, world, small_roster(rows))
    assert summary["new"] == 5 and summary["suspects"] == 4, summary
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            pairs = await DuplicateService(session).possible_duplicates(EVERYONE)
    assert sorted(one.name for one, _ in pairs) == ["李桂兰", "王秀英", "赵大"]
    assert all(one.name == two.name for one, two in pairs)
    async with owner_db.engine.connect() as conn:
        count = (await conn.execute(text("select count(*) from people"))).scalar()
    assert count == 3 + 5  # flagged, never merged


async def test_the_same_person_without_an_id_number_updates_rather_than_duplicates(
    services: AppServices, owner_db: Database, world: World
) -> None:
    """Importing an ID-less file twice: the same name and the same date at the same
    precision is the same person (as before), and no look-alike."""
    rows = [[1, "钱多", "男", "1949.10", "", "13800138000", "", "军休"]]
    await run_import(services, world, small_roster(rows))
    _, again = await run_import(services, world, small_roster(rows))
    assert (again["new"], again["same"], again["suspects"]) == (0, 1, 0)
