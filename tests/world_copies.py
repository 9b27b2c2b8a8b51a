"""make_world's rows, built once per test process and copied afterwards.

Building a world (two districts with their presets, eight accounts, three platform
staff) is about ninety round trips to PostgreSQL — a third of a second on an idle
machine, most of a second on a busy one — and nearly every test builds one. Its rows
are kept in the schema `world_copy` after the first build; each later world is one
statement batch that inserts them again with every id, phone, region code and slug
replaced by a fresh one, so two worlds in one test, and ids cached by a test module
per district, stay as distinct as built ones.

A world is built for real instead (and no copy kept) when the copy could differ from
a build: a test has moved the app's clock (the rules' first day and the rows' times
come from it), a row of the world holds one of its ids inside another value (a copy
could not replace it), or the tables held rows make_world cannot attribute.
"""

from __future__ import annotations

import copy
import datetime
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import asyncpg
from sqlalchemy.engine import make_url

from app.core import clock

if TYPE_CHECKING:
    from app.db import Database
    from tests.factories import World

SCHEMA = "world_copy"
KEEP_TABLES = ("provinces", "alembic_version")  # reference data: never copied, never emptied
_REAL_CLOCK = (clock.now, clock.today)


@dataclass
class _Copy:
    world: World
    day: datetime.date
    tables: list[str]
    uuid_columns: dict[str, list[str]]
    other_columns: dict[str, list[str]]
    text_columns: dict[str, set[str]]
    ids: list[uuid.UUID]
    phones: list[str]
    regions: list[str]
    slugs: list[str]


@dataclass
class WorldCopies:
    """Set up by tests/plugin.py's `servers` fixture with the cluster's superuser (who
    alone may insert with triggers and foreign keys off)."""

    superuser_url: str | None = None
    _copy: _Copy | None = None
    _conn: asyncpg.Connection | None = field(default=None, repr=False)

    def _ours(self, owner: Database) -> bool:
        """The owner's database is the one copied into (a test may start servers of
        its own)."""
        if self.superuser_url is None:
            return False
        ours = make_url(self.superuser_url)
        url = owner.engine.url
        return (url.database, url.query.get("host")) == (ours.database, ours.query.get("host"))

    def usable(self, owner: Database) -> bool:
        return (
            self._ours(owner)
            and (clock.now, clock.today) == _REAL_CLOCK
            and self._copy is not None
            and self._copy.day == clock.today()
        )

    async def _connection(self) -> asyncpg.Connection:
        if self._conn is None or self._conn.is_closed():
            assert self.superuser_url
            self._conn = await asyncpg.connect(self.superuser_url)
        return self._conn

    async def close(self) -> None:
        if self._conn is not None and not self._conn.is_closed():
            await self._conn.close()
        self._conn = None
        self._copy = None

    async def keep(self, world: World, owner: Database) -> None:
        """Keep the rows of a world just built, if a copy can stand for it."""
        if not self._ours(owner) or (clock.now, clock.today) != _REAL_CLOCK:
            return
        self._copy = None
        try:
            await self._keep(world)
        except _NoCopy:
            self._copy = None

    async def _keep(self, world: World) -> None:
        conn = await self._connection()
        tenants = [world.a.tenant_id, world.b.tenant_id]
        staff = [world.operator.id, world.viewer_37.id, world.viewer_11.id]
        columns: dict[str, list[asyncpg.Record]] = {}
        for column in await conn.fetch(
            "select c.relname as table, a.attname, a.atttypid = 'uuid'::regtype as uuid, "
            "t.typcategory = 'S' as text from pg_class c "
            "join pg_attribute a on a.attrelid = c.oid join pg_type t on t.oid = a.atttypid "
            "where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') "
            "and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' "
            "order by c.relname, a.attnum"
        ):
            if column["table"] not in KEEP_TABLES:
                columns.setdefault(column["table"], []).append(column)
        counts = await conn.fetch(
            " union all ".join(
                f"select {_literal(table)} as table, count(*) as rows, "
                f"count(*) filter (where not ({_mine(table, names)})) as others "
                f'from public."{table}"'
                for table, names in ((t, [c["attname"] for c in cs]) for t, cs in columns.items())
            ),
            tenants,
            staff,
        )
        if any(row["others"] for row in counts):  # rows make_world did not write
            raise _NoCopy
        tables = sorted(row["table"] for row in counts if row["rows"])
        uuid_columns = {t: [c["attname"] for c in columns[t] if c["uuid"]] for t in tables}
        other_columns = {t: [c["attname"] for c in columns[t] if not c["uuid"]] for t in tables}
        text_columns = {t: {c["attname"] for c in columns[t] if c["text"]} for t in tables}
        ids = {
            str(value)
            for (value,) in await conn.fetch(
                " union ".join(
                    f'select "{c}" from public."{t}" where "{c}" is not null'
                    for t in tables
                    for c in uuid_columns[t]
                )
            )
        }
        # An id inside another value (text, json, an array) could not be replaced.
        hidden = await conn.fetchval(
            "select "
            + " + ".join(
                f'(select count(*) from public."{t}" where '
                + " or ".join(f'"{c}"::text ~* any($1::text[])' for c in other_columns[t])
                + ")"
                for t in tables
                if other_columns[t]
            ),
            [i.replace("-", "-?") for i in ids],
        )
        if hidden:
            raise _NoCopy
        await conn.execute(
            f"drop schema if exists {SCHEMA} cascade; create schema {SCHEMA}; "
            + "; ".join(
                f'create table {SCHEMA}."{t}" as select * from public."{t}"' for t in tables
            )
        )
        self._copy = _Copy(
            world=copy.deepcopy(world), day=clock.today(), tables=tables,
            uuid_columns=uuid_columns, other_columns=other_columns, text_columns=text_columns,
            ids=[uuid.UUID(i) for i in ids],
            phones=[world.operator.phone, world.viewer_37.phone, world.viewer_11.phone]
            + [account.phone for d in (world.a, world.b) for account in d.users.values()]
            + await _applicant_phones(conn, tenants),
            regions=list(await _regions(conn, tenants)),
            slugs=[world.a.slug, world.b.slug],
        )  # fmt: skip

    async def restore(self) -> World:
        """A new world: the kept rows again, every id, phone, region and slug fresh."""
        from tests.factories import next_phone, next_region

        kept = self._copy
        assert kept is not None
        ids = {old: uuid.uuid4() for old in kept.ids}
        strings = {phone: next_phone() for phone in kept.phones}
        strings |= {region: next_region(region[:2]) for region in kept.regions}
        slugs = {slug: f"d-{ids[tenant].hex[:8]}" for slug, tenant in _slugs(kept)}
        statements = [
            "set local session_replication_role = replica",
            "create temp table wc_ids (wc_old uuid primary key, wc_new uuid) on commit drop",
            "create temp table wc_strings (wc_old text primary key, wc_new text) on commit drop",
            _values("wc_ids", {str(k): str(v) for k, v in ids.items()}, "uuid"),
            _values("wc_strings", strings, "text"),
        ]
        for table in kept.tables:
            columns = kept.uuid_columns[table] + kept.other_columns[table]
            exprs = [
                f'coalesce((select wc_new from wc_ids where wc_old = "{c}"), "{c}")'
                for c in kept.uuid_columns[table]
            ] + [
                _text_expr(c, slugs) if c in kept.text_columns[table] else f'"{c}"'
                for c in kept.other_columns[table]
            ]
            names = ", ".join(f'"{c}"' for c in columns)
            statements.append(
                f'insert into public."{table}" ({names}) overriding system value '
                f'select {", ".join(exprs)} from {SCHEMA}."{table}"'
            )
        conn = await self._connection()
        async with conn.transaction():
            await conn.execute(";\n".join(statements))
        return _renamed(kept.world, ids, strings, slugs)


class _NoCopy(Exception):
    pass


def _mine(table: str, columns: list[str]) -> str:
    """Which of a table's rows make_world writes ($1 the districts, $2 the staff)."""
    if "tenant_id" in columns:
        return "tenant_id = any($1::uuid[])"
    if table == "tenants":
        return "id = any($1::uuid[])"
    if table == "platform_users":
        return "id = any($2::uuid[])"
    return "false"


def _values(table: str, mapping: dict[str, str], kind: str) -> str:
    rows = ", ".join(f"({_literal(k)}::{kind}, {_literal(v)}::{kind})" for k, v in mapping.items())
    return f"insert into {table} values {rows}" if rows else "select 1"


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _text_expr(column: str, slugs: dict[str, str]) -> str:
    """A text column's value: phones and region codes swapped, slugs replaced inside."""
    quoted = f'"{column}"'
    swapped = f"(select wc_new from wc_strings where wc_old = {quoted}::text)"
    text = f"coalesce({swapped}, {quoted}::text)"
    for old, new in slugs.items():
        text = f"replace({text}, {_literal(old)}, {_literal(new)})"
    return f"case when {quoted} is null then null else {text} end"


def _slugs(kept: _Copy) -> list[tuple[str, uuid.UUID]]:
    return [
        (kept.world.a.slug, kept.world.a.tenant_id),
        (kept.world.b.slug, kept.world.b.tenant_id),
    ]


async def _applicant_phones(conn: asyncpg.Connection, tenants: list[uuid.UUID]) -> list[str]:
    rows = await conn.fetch(
        "select applicant_phone from tenants where id = any($1::uuid[])", tenants
    )
    return [r[0] for r in rows if r[0]]


async def _regions(conn: asyncpg.Connection, tenants: list[uuid.UUID]) -> list[str]:
    rows = await conn.fetch("select region_code from tenants where id = any($1::uuid[])", tenants)
    return [r[0] for r in rows if r[0]]


def _renamed(
    world: World, ids: dict[uuid.UUID, uuid.UUID], strings: dict[str, str], slugs: dict[str, str]
) -> World:
    new = copy.deepcopy(world)
    for district in (new.a, new.b):
        district.tenant_id = ids[district.tenant_id]
        district.slug = slugs[district.slug]
        for account in district.users.values():
            account.id = ids[account.id]
            account.tenant_id = district.tenant_id
            account.phone = strings[account.phone]
            account.name = _replaced(account.name, slugs)
    for staff in (new.operator, new.viewer_37, new.viewer_11):
        staff.id = ids[staff.id]
        staff.phone = strings[staff.phone]
    return new


def _replaced(text: str, slugs: dict[str, str]) -> str:
    for old, new in slugs.items():
        text = text.replace(old, new)
    return text


WORLD_COPIES = WorldCopies()
