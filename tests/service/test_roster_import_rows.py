"""The rows of an import the admin answers or fixes: health notes that propose the
infirm flag, and the rows with problems kept after the commit to be fixed."""

from __future__ import annotations

import io
from uuid import UUID

from sqlalchemy import text

from app.core.identity import SYSTEM
from app.core.roles import Role
from app.db import Database
from app.db.tenant import tenant_scope
from app.people.models import ImportStatus
from app.state import AppServices
from tests.factories import World
from tests.service.test_roster_import import (
    apply,
    check,
    id_number,
    importer,
    run_import,
    small_roster,
)


async def test_a_health_note_proposes_the_infirm_flag_and_only_confirmed_rows_get_it(
    services: AppServices, owner_db: Database, world: World
) -> None:
    from app.core.identity import Actor

    zhang = id_number("370102", "19491001", "123")
    rows = [
        [1, "张建国", "男", "1949.10", zhang, "", "第一支部", "军休", "长期卧床"],
        [2, "王二", "男", "1950.02", "", "", "第一支部", "军休", "失能"],
        [3, "李三", "男", "1951.03", "", "", "第一支部", "军休", "身体健康"],
    ]
    data = small_roster(rows, ("身体状况",))
    admin = world.a.users[Role.TENANT_ADMIN]
    actor = Actor("user", admin.name, admin.id)

    async def dry_run() -> tuple[UUID, dict]:
        with tenant_scope(world.a.tenant_id):
            async with services.db.unit() as session:
                service = importer(session, services)
                import_id = await service.upload("a.xlsx", data, "", actor)
                await check(services, import_id)
                return import_id, (await service.get(import_id)).summary

    async def infirm() -> dict[str, bool]:
        async with owner_db.engine.connect() as conn:
            return dict((await conn.execute(text("select name, infirm from people"))).all())

    import_id, summary = await dry_run()
    assert summary["infirm_proposed"] == 2
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            service = importer(session, services)
            proposed = (await service.rows(import_id, "infirm", 1)).items
            assert [(r.name, r.infirm_sign, r.infirm_confirmed) for r in proposed] == [
                ("张建国", "卧床", False), ("王二", "失能", False),
            ]  # fmt: skip
            await service.confirm_infirm(import_id, proposed[0].line, True)
            await service.commit(import_id, "all", None, actor)
            assert await apply(services, import_id) == ImportStatus.COMMITTED
    assert await infirm() == {"张建国": True, "王二": False, "李三": False}
    async with owner_db.engine.connect() as conn:
        notes = dict((await conn.execute(text("select name, health_notes from people"))).all())
    assert notes["王二"] == "失能"  # the note is kept either way

    # The same file again: 王二 is unchanged but still proposed; confirmed all, he is too.
    import_id, summary = await dry_run()
    assert (summary["same"], summary["infirm_proposed"]) == (3, 1), summary
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await importer(session, services).confirm_infirm(import_id, None, True)
            await importer(session, services).commit(import_id, "all", None, actor)
            assert await apply(services, import_id) == ImportStatus.COMMITTED
    assert await infirm() == {"张建国": True, "王二": True, "李三": False}


async def test_the_rows_with_problems_outlive_the_commit_and_download_to_be_fixed(
    services: AppServices, owner_db: Database, world: World
) -> None:
    """After the commit the rows with problems and warnings stay listable — only they,
    with their cells encrypted — and download as an .xlsx that imports again."""
    from python_calamine import CalamineWorkbook

    from app.core.identity import Actor
    from tests.rosters import as_excel_number, xlsx

    zhang = id_number("370102", "19491001", "123")
    wang = id_number("370103", "19500101", "345")
    rows = [
        [1, "张建国", "男", "1949.10", zhang, "15412345678", "第一支部", "军休干部"],
        [2, "李秀英", "女", "1952.03", id_number("370103", "19520315", "234"), "", "", "军休"],
        [3, "王错", "男", "1950.13", "", "13800138000", "第一支部", "军休干部"],
        [4, "王数", "男", "1950.01", as_excel_number(wang), "", "第一支部", "军休干部"],
    ]
    import_id, summary = await run_import(services, world, small_roster(rows))
    assert (summary["new"], summary["error"], summary["warnings"]) == (2, 2, 1)
    admin = world.a.users[Role.TENANT_ADMIN]
    actor = Actor("user", admin.name, admin.id)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            service = importer(session, services)
            errors = await service.rows(import_id, "error", 1)
            assert [row.name for row in errors.items] == ["王错", "王数"] and errors.total == 2
            warned = (await service.rows(import_id, "warning", 1)).items
            assert [row.name for row in warned] == ["张建国"]
            content = await service.problem_rows_workbook(import_id, actor)
    async with owner_db.engine.connect() as conn:
        kept = (await conn.execute(text(
            "select line, data, id_number_enc, cells_enc from roster_import_rows order by line"
        ))).all()  # fmt: skip
        logged = (await conn.execute(text(
            "select changes from audit_events where action = 'roster.rows_to_fix_downloaded'"
        ))).scalars().all()  # fmt: skip
    assert [row.line for row in kept] == [4, 6, 7]  # only the rows with problems or warnings
    assert all(row.data == {} and row.id_number_enc is None for row in kept)
    assert all(zhang.encode() not in bytes(row.cells_enc) for row in kept)  # encrypted
    assert logged and logged[0]["count"] == 3

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    table = sheet.to_python()
    assert table[0][:4] == ["导入问题", "原行号", "姓名", "性别"] and "身份证号" in table[0]
    by_name = {line[table[0].index("姓名")]: line for line in table[1:]}
    assert set(by_name) == {"张建国", "王错", "王数"}
    assert "不是在用的手机号段" in by_name["张建国"][0] and "没有 13 月" in by_name["王错"][0]
    id_column = table[0].index("身份证号")
    assert by_name["张建国"][id_column] == zhang  # text, all 18 characters
    assert by_name["王数"][id_column] == wang[:15] + "000"  # what the number cell showed
    assert "后几位已经丢失" in by_name["王数"][0]

    # Fixed and uploaded again: the reason and line columns are read past.
    fixed = [list(line) for line in table]
    by_name = {line[2]: line for line in fixed[1:]}
    by_name["张建国"][table[0].index("联系电话")] = "0532-82861234"
    by_name["王错"][table[0].index("出生年月")] = "1950.12"
    by_name["王数"][id_column] = wang
    _, again = await run_import(services, world, xlsx(fixed))
    assert (again["new"], again["update"], again["error"], again["warnings"]) == (2, 1, 0, 0)
    assert again["unknown_columns"] == []
    async with owner_db.engine.connect() as conn:
        phones = dict((await conn.execute(text("select name, phone from people"))).all())
    assert phones["张建国"] == "0532-82861234" and {"王错", "王数"} <= set(phones)

    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await importer(session, services).forget_problem_rows(import_id, SYSTEM)
            assert (await importer(session, services).rows(import_id, "error", 1)).total == 0
