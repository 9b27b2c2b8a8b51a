"""The database itself keeps districts apart, whatever the application code does."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError

from app.db import Database
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.factories import World

TENANT_TABLES_SQL = """
    select c.relname, c.relrowsecurity, c.relforcerowsecurity,
           (select count(*) from pg_policy p where p.polrelid = c.oid) as policies
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname = 'public' and c.relkind in ('r', 'p')
       and exists (select 1 from pg_attribute a
                    where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
"""


async def tenant_tables(owner_db: Database) -> list[str]:
    async with owner_db.engine.connect() as conn:
        return [row.relname for row in (await conn.execute(text(TENANT_TABLES_SQL))).all()]


async def shared_tables(owner_db: Database) -> list[str]:
    """Tables whose rows belong to a district or, with no tenant, to the platform (the
    notifications): their policy is `tenant_or_platform` (tenants.rls.shared_table_sql)."""
    async with owner_db.engine.connect() as conn:
        return list(
            (
                await conn.execute(
                    text(
                        "select c.relname from pg_policy p join pg_class c on c.oid = p.polrelid"
                        " where p.polname = 'tenant_or_platform'"
                    )
                )
            ).scalars()
        )


async def test_every_tenant_table_has_forced_rls_and_a_policy(owner_db: Database) -> None:
    async with owner_db.engine.connect() as conn:
        rows = (await conn.execute(text(TENANT_TABLES_SQL))).all()
    assert {r.relname for r in rows} >= {"users", "user_roles", "invitations"}
    for row in rows:
        assert row.relrowsecurity, f"{row.relname}: RLS not enabled"
        assert row.relforcerowsecurity, f"{row.relname}: RLS not forced"
        assert row.policies >= 1, f"{row.relname}: no policy"


async def test_tenant_id_leads_every_primary_key(owner_db: Database) -> None:
    sql = """
        select c.relname, a.attname
          from pg_index i join pg_class c on c.oid = i.indrelid
          join pg_attribute a on a.attrelid = c.oid and a.attnum = i.indkey[0]
         where i.indisprimary and c.relname = any(:tables)
    """
    shared = await shared_tables(owner_db)
    assert "notifications" in shared
    # A shared table's tenant may be NULL (the platform's rows), so it cannot lead a key.
    tables = [t for t in await tenant_tables(owner_db) if t not in shared]
    async with owner_db.engine.connect() as conn:
        rows = (await conn.execute(text(sql), {"tables": tables})).all()
    assert len(rows) == len(tables)
    assert {r.relname: r.attname for r in rows} == dict.fromkeys(tables, "tenant_id")


async def test_shared_tables_keep_the_platform_apart_from_every_district(
    services: AppServices, world: World
) -> None:
    """A platform notice is seen with no tenant and by no district; a district's is seen
    by that district only — and a district cannot write a platform row."""
    from app.notifications.kinds import Kind
    from app.notifications.outbox import Notice, notify

    notice = Notice(Kind.SIGNUP, "rls:1", "新的注册申请", "有一个区局申请注册。")
    with tenant_scope(None):
        async with services.db.unit() as session:
            await notify(session, [world.operator.id], notice)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            await notify(session, [world.a.users["tenant_admin"].id], notice)
    counts = {}
    for tenant in (None, world.a.tenant_id, world.b.tenant_id):
        with tenant_scope(tenant):
            async with services.db.session() as session:
                counts[tenant] = (
                    await session.execute(text("select count(*) from notifications"))
                ).scalar()
    assert counts == {None: 1, world.a.tenant_id: 1, world.b.tenant_id: 0}
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            with pytest.raises(DBAPIError, match="row-level security"):
                await session.execute(
                    text(
                        "insert into notifications (id, tenant_id, recipient_id, kind,"
                        " dedupe_key, title, body) values (gen_random_uuid(), null,"
                        " gen_random_uuid(), 'signup', 'x', 't', 'b')"
                    )
                )


async def test_runtime_role_is_plain(services: AppServices) -> None:
    async with services.db.engine.connect() as conn:
        role = (
            await conn.execute(
                text(
                    "select rolsuper, rolbypassrls, "
                    "(select count(*) from pg_class where relowner = r.oid) as owned "
                    "from pg_roles r where rolname = current_user"
                )
            )
        ).one()
    assert (role.rolsuper, role.rolbypassrls, role.owned) == (False, False, 0)


async def test_without_a_tenant_every_tenant_table_reads_empty(
    services: AppServices, owner_db: Database, world: World
) -> None:
    tables = await tenant_tables(owner_db)
    async with owner_db.engine.connect() as conn:  # the rows really are there
        assert (await conn.execute(text("select count(*) from users"))).scalar() == 8
    with tenant_scope(None):
        async with services.db.session() as session:
            for table in tables:
                count = (await session.execute(text(f"select count(*) from {table}"))).scalar()
                assert count == 0, f"{table} leaks {count} rows without a tenant"


async def test_a_tenant_sees_only_its_own_rows(services: AppServices, world: World) -> None:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            tenants = (await session.execute(text("select distinct tenant_id from users"))).all()
    assert [t[0] for t in tenants] == [world.a.tenant_id]


async def test_cross_tenant_insert_is_refused(services: AppServices, world: World) -> None:
    with tenant_scope(world.a.tenant_id):
        async with services.db.session() as session:
            with pytest.raises(DBAPIError, match="row-level security"):
                await session.execute(
                    text(
                        "insert into users (tenant_id, phone, name, password_hash) "
                        "values (:t, '13912345678', 'x', 'x')"
                    ),
                    {"t": world.b.tenant_id},
                )


async def test_tenant_setting_does_not_outlive_its_transaction(
    services: AppServices, world: World
) -> None:
    """A pooled connection must not carry one request's tenant into the next."""
    async with services.db.engine.connect() as conn:
        await conn.execute(
            text("select set_config('app.tenant_id', :t, true)"), {"t": str(world.a.tenant_id)}
        )
        assert (await conn.execute(text("select count(*) from users"))).scalar() == 4
        await conn.commit()
        assert (await conn.execute(text("select count(*) from users"))).scalar() == 0


async def test_runtime_role_cannot_switch_off_row_security(services: AppServices) -> None:
    async with services.db.engine.connect() as conn:
        await conn.execute(text("set row_security = off"))
        with pytest.raises(ProgrammingError, match="row-level security"):
            await conn.execute(text("select count(*) from users"))


async def test_runtime_role_cannot_write_platform_staff_or_rename_tenants(
    services: AppServices, world: World
) -> None:
    async with services.db.engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="permission denied"):
            await conn.execute(
                text(
                    "insert into platform_users (phone, name, password_hash, role) "
                    "values ('13912345678', 'x', 'x', 'operator')"
                )
            )
    async with services.db.engine.connect() as conn:
        with pytest.raises(ProgrammingError, match="permission denied"):
            await conn.execute(text("update tenants set name = 'x'"))


async def test_the_citus_plan_distributes_every_tenant_table(owner_db: Database) -> None:
    """infra/citus/distribute.sql names every tenant table, so the plan stays current."""
    from app.settings import PROJECT_ROOT

    plan = (PROJECT_ROOT / "infra" / "citus" / "distribute.sql").read_text()
    missing = [t for t in await tenant_tables(owner_db) if f"'{t}'" not in plan]
    assert missing == []
