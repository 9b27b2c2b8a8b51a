"""The roster import's notices: whoever uploaded the file hears it checked and
imported (or why not), each once, written by the worker in the transaction that
records the outcome; a second delivery of a job writes nothing more."""

from __future__ import annotations

from app.core.identity import Actor
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import ImportStatus
from app.state import AppServices
from tests.factories import World, add_person
from tests.notices import told, written
from tests.service.test_roster_import import (
    apply,
    check,
    id_number,
    importer,
    run_import,
    small_roster,
)

ROWS = [
    [1, "张建国", "男", "1949.10", id_number("370102", "19491001", "123"), "", "第一支部", "军休"],
    [2, "李秀英", "女", "1952.03", id_number("370103", "19520315", "234"), "", "第二支部", "军休"],
    [3, "王错", "男", "1950.13", "370102195001011230", "", "第一支部", "军休干部"],
]


async def test_the_uploader_hears_the_file_checked_then_imported_once(
    services: AppServices, owner_db: Database, world: World
) -> None:
    admin = world.a.users[Role.TENANT_ADMIN].id
    import_id, _ = await run_import(services, world, small_roster(ROWS))
    with tenant_scope(world.a.tenant_id):  # the jobs delivered again: nothing to do
        assert await check(services, import_id) == "skipped"
        assert await apply(services, import_id) == "skipped"
    notices = await written(owner_db, "roster_import")
    assert told(notices) == {
        admin: [f"import:{import_id}:checked", f"import:{import_id}:committed"]
    }
    checked, committed = notices
    assert checked.title == "名单核对完成" and "可以导入 2 人，1 行有问题" in checked.body
    assert committed.title == "名单导入完成" and "新增 2 人" in committed.body
    assert checked.link == committed.link == f"/people/imports/{import_id}"
    assert {n.tenant_id for n in notices} == {world.a.tenant_id}


async def test_a_file_that_cannot_be_read_or_a_roster_changed_since_is_told_not_imported(
    services: AppServices, owner_db: Database, world: World
) -> None:
    account = world.a.users[Role.TENANT_ADMIN]
    actor = Actor("user", account.name, account.id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            unreadable = await importer(session, services).upload(
                "坏文件.xlsx", b"not a workbook", "", actor
            )
        assert await check(services, unreadable) == ImportStatus.FAILED
        async with services.db.unit() as session:
            changed = await importer(session, services).upload(
                "花名册.xlsx", small_roster(ROWS), "", actor
            )
        assert await check(services, changed) == ImportStatus.CHECKED
    await add_person(services, world.a, "后来的人")  # the roster moves on after the check
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await importer(session, services).commit(changed, "good", None, actor)
        assert await apply(services, changed) == ImportStatus.FAILED
    assert told(await written(owner_db, "roster_import")) == {
        account.id: [
            f"import:{unreadable}:failed",
            f"import:{changed}:checked",
            f"import:{changed}:failed",
        ]
    }  # fmt: skip  — never "committed"
