"""Rotating the ID number key: re-encrypt every stored ID number (and the uploads,
dry-run rows and kept problem rows that hold them, and the secrets of the SMS and
WeChat gateways) under the current key, district by district, then the platform's.

Run `redstar rotate-id-keys` after putting a new key first in ID_NUMBER_KEYS; when
it reports nothing left under the old key, the old key can be removed. It is safe
to run again, or after an interruption: tokens already under the current key are
left alone. The blind index (ID_NUMBER_INDEX_KEY) is not involved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import Column, func, select, update

from app.db import Database
from app.db.tenant import tenant_scope
from app.notifications.delivery import PLATFORM
from app.notifications.models import ChannelEndpoint
from app.people.crypto import IdCipher
from app.people.models import ImportRow, Person, RosterImport
from tenants.models import Tenant

BATCH = 2000

# (table, its encrypted column, the columns that identify a row)
ENCRYPTED: list[tuple[Any, Column[Any], tuple[str, ...]]] = [
    (Person, Person.id_number_enc, ("id",)),  # type: ignore[list-item]
    (ImportRow, ImportRow.id_number_enc, ("import_id", "line")),  # type: ignore[list-item]
    (ImportRow, ImportRow.cells_enc, ("import_id", "line")),  # type: ignore[list-item]
    (RosterImport, RosterImport.file_enc, ("id",)),  # type: ignore[list-item]
    (ChannelEndpoint, ChannelEndpoint.secret_enc, ("id",)),  # type: ignore[list-item]
]
PLATFORM_ENCRYPTED = ENCRYPTED[-1:]
"""The platform's own gateways (no tenant) hold secrets too."""


@dataclass
class Rotation:
    tenants: int = 0
    rotated: int = 0
    current_key: str = ""
    left: int = 0
    """Values still under an old key (locked by a concurrent change): run it again."""


async def rotate_id_keys(db: Database, cipher: IdCipher) -> Rotation:
    """Each batch of rows is its own unit of work: a long rotation holds no lock for
    long, and an interrupted one keeps what it did."""
    report = Rotation(current_key=cipher.current_key_id)
    async with db.unit() as session:
        tenant_ids = list(await session.scalars(select(Tenant.id)))
    for tenant_id in tenant_ids:
        with tenant_scope(tenant_id):
            for model, column, keys in ENCRYPTED:
                report.rotated += await _rotate_table(db, cipher, tenant_id, model, column, keys)
        report.tenants += 1
    with tenant_scope(None):
        for model, column, keys in PLATFORM_ENCRYPTED:
            report.rotated += await _rotate_table(db, cipher, PLATFORM, model, column, keys)
    report.left = await _left_under_old_keys(db, tenant_ids, cipher)
    return report


async def _left_under_old_keys(db: Database, tenant_ids: list[UUID], cipher: IdCipher) -> int:
    """Rows a concurrent transaction held while the batches ran (they were skipped)."""
    current = b"v1:" + cipher.current_key_id.encode() + b":"
    left = 0
    for tenant_id in [*tenant_ids, None]:
        with tenant_scope(tenant_id):
            async with db.unit() as session:
                for _model, column, _keys in ENCRYPTED if tenant_id else PLATFORM_ENCRYPTED:
                    left += (
                        await session.scalar(
                            select(func.count()).where(
                                column.is_not(None),
                                func.substring(column, 1, len(current)) != current,
                            )
                        )
                        or 0
                    )
    return left


async def _rotate_table(
    db: Database, cipher: IdCipher, tenant_id: UUID, model: Any,
    column: Column[Any], keys: tuple[str, ...],
) -> int:  # fmt: skip
    """Batches of rows still under an old key, each batch in its own transaction
    (`tenant_id` is the encryption context: the district, or PLATFORM)."""
    current = b"v1:" + cipher.current_key_id.encode() + b":"
    rotated = 0
    while True:
        async with db.unit() as session:
            rows = (
                await session.execute(
                    select(*(getattr(model, key) for key in keys), column)
                    .where(column.is_not(None), func.substring(column, 1, len(current)) != current)
                    .limit(BATCH)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return rotated
            for row in rows:
                *ids, token = row
                await session.execute(
                    update(model)
                    .where(
                        *(
                            getattr(model, key) == value
                            for key, value in zip(keys, ids, strict=True)
                        )
                    )
                    .values({column.key: cipher.rotate(tenant_id, token)})
                )
            await session.commit()
            rotated += len(rows)
