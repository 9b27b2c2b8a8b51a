"""Rotating the ID number key re-encrypts everything under the new key, once."""

from __future__ import annotations

from sqlalchemy import select, text

from app.db import Database
from app.db.tenant import tenant_scope
from app.people.crypto import IdCipher
from app.people.keys import rotate_id_keys
from app.people.models import Person
from app.state import AppServices
from tests.factories import World, add_person
from tests.servers import TEST_ID_KEYS, TEST_INDEX_KEY

ZHANG = "370102194910011236"


async def test_rotation_moves_every_id_number_to_the_current_key(
    services: AppServices, owner_db: Database, world: World
) -> None:
    old_only = IdCipher.from_config(TEST_ID_KEYS.split(",")[1], TEST_INDEX_KEY)
    services_before = AppServices(
        services.settings, services.db, services.redis, services.sessions, old_only
    )
    await add_person(services_before, world.a, "张建国", None, id_number=ZHANG)
    await add_person(services_before, world.b, "张建国", None, id_number=ZHANG)
    async with owner_db.engine.connect() as conn:
        tokens = (await conn.execute(text("select id_number_enc from people"))).scalars().all()
    assert {services.cipher.key_id(bytes(t)) for t in tokens} == {"t1"}

    report = await rotate_id_keys(services.db, services.cipher)
    assert (report.rotated, report.current_key) == (2, "t2")
    assert (await rotate_id_keys(services.db, services.cipher)).rotated == 0  # idempotent
    for district in (world.a, world.b):
        with tenant_scope(district.tenant_id):
            async with services.db.session() as session:
                token = await session.scalar(select(Person.id_number_enc))
        assert token is not None and services.cipher.key_id(token) == "t2"
        assert services.cipher.decrypt(district.tenant_id, token) == ZHANG


async def test_the_rows_an_import_keeps_to_fix_rotate_with_the_id_numbers(
    services: AppServices, owner_db: Database, world: World
) -> None:
    """Their cells hold ID numbers too: left under an old key, they would become
    unreadable once that key is retired."""
    from app.people.imports.problems import unpack_row
    from tests.service.test_roster_import import run_import, small_roster

    old_only = IdCipher.from_config(TEST_ID_KEYS.split(",")[1], TEST_INDEX_KEY)
    services_before = AppServices(
        services.settings, services.db, services.redis, services.sessions, old_only
    )
    rows = [[1, "张建国", "男", "1949.13", ZHANG, "", "", "军休"]]  # kept: month 13
    await run_import(services_before, world, small_roster(rows))
    report = await rotate_id_keys(services.db, services.cipher)
    assert (report.rotated, report.left) == (1, 0)
    async with owner_db.engine.connect() as conn:
        token = (await conn.execute(text("select cells_enc from roster_import_rows"))).scalar_one()
    assert services.cipher.key_id(bytes(token)) == "t2"
    cells = unpack_row(services.cipher, world.a.tenant_id, bytes(token)).cells
    assert cells["id_number"] == ZHANG and cells["birth_date"] == "1949.13"


async def test_gateway_secrets_rotate_too_the_platform_s_included(
    services: AppServices, world: World
) -> None:
    from app.notifications.delivery import PLATFORM
    from app.notifications.models import ChannelEndpoint

    old_only = IdCipher.from_config(TEST_ID_KEYS.split(",")[1], TEST_INDEX_KEY)
    for tenant, context in ((world.a.tenant_id, world.a.tenant_id), (None, PLATFORM)):
        with tenant_scope(tenant):
            async with services.db.unit() as session:
                session.add(
                    ChannelEndpoint(
                        tenant_id=tenant,
                        channel="sms",
                        url="https://sms.example/hook",
                        secret_enc=old_only.encrypt(context, "s3cret"),
                        updated_by=world.operator.id,
                    )
                )
    report = await rotate_id_keys(services.db, services.cipher)
    assert (report.rotated, report.left) == (2, 0)
    for tenant, context in ((world.a.tenant_id, world.a.tenant_id), (None, PLATFORM)):
        with tenant_scope(tenant):
            async with services.db.session() as session:
                token = await session.scalar(select(ChannelEndpoint.secret_enc))
        assert token is not None and services.cipher.key_id(token) == "t2"
        assert services.cipher.decrypt(context, token) == "s3cret"
