"""The roster report: the people the roster page's filter found for the account that
asked (its data scope, kept in the parameters when it asked), as an .xlsx that the
import reads again unchanged.

A search for a whole ID number is kept encrypted in the parameters, like ID numbers
in the roster; the filter kept beside it masks the number (it is what the change log
shows)."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import parse_qsl
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import clock
from app.core.crypto import IdCipher
from app.core.scope import Scope
from app.db.tenant import require_tenant
from app.people.pinyin import normalise_query
from app.people.roster.export import COLUMNS
from app.people.roster.service import PeopleService
from app.people.search import WHOLE_ID, PersonFilter, audited_filter
from app.reports.building import Builder, Built, Progress
from app.reports.xlsx import MEDIA_TYPE as XLSX_MEDIA
from app.reports.xlsx import Book

ROWS_PER_STEP = 5000


def roster_parameters(cipher: IdCipher, scope: Scope, wanted: PersonFilter) -> dict[str, Any]:
    """What the build needs: the filter (a whole ID number encrypted) and the scope."""
    parameters: dict[str, Any] = {
        "filter": audited_filter(wanted),
        "everyone": scope.everyone,
        "units": sorted(str(u) for u in scope.units),
        "id_numbers": scope.sees_id_numbers,
    }
    if WHOLE_ID.fullmatch(normalise_query(wanted.q)):
        secret = cipher.encrypt(require_tenant(), wanted.q)
        parameters["q_enc"] = base64.b64encode(secret).decode()
    return parameters


def wanted_of(cipher: IdCipher, parameters: Mapping[str, Any]) -> PersonFilter:
    wanted = PersonFilter.from_query(dict(parse_qsl(parameters.get("filter", ""))))
    if "q_enc" in parameters:
        secret = base64.b64decode(parameters["q_enc"])
        wanted = replace(wanted, q=cipher.decrypt(require_tenant(), secret))
    return replace(wanted, page=1)


def roster_builder(cipher: IdCipher) -> Builder:
    async def build_roster(
        session: AsyncSession, parameters: Mapping[str, Any], progress: Progress
    ) -> Built:
        scope = Scope(everyone=parameters["everyone"], sees_id_numbers=parameters["id_numbers"],
                      units=frozenset(UUID(u) for u in parameters["units"]))  # fmt: skip
        people = PeopleService(session, cipher)
        found = await people.everyone(scope, wanted_of(cipher, parameters))
        await progress(30)
        rows = await people.export_rows(scope, found)
        await progress(50)
        book = Book()
        sheet, _first = book.sheet("花名册", COLUMNS, text_columns=True)
        sheet.freeze_panes(1, 1)
        for line, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if value not in (None, ""):
                    sheet.write_string(line, column, str(value))
            if line % ROWS_PER_STEP == 0:
                await progress(50 + 45 * line // len(rows))
        content = await asyncio.to_thread(book.content)
        return Built(content, f"花名册-{clock.now():%Y%m%d-%H%M}.xlsx", XLSX_MEDIA)

    return build_roster
