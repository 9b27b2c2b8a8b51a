"""A report kind for tests only: it builds for `seconds` (parameter), recording its
progress as it goes, and can be told to fail. Imported by the tests that use it and by
the worker process the killed-worker test starts (tests/report_worker.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import InterfaceError
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.roles import Role
from app.reports.building import Built, Progress
from app.reports.kinds import Kind, register

STEPS = 20


async def build_slowly(
    session: AsyncSession, parameters: Mapping[str, Any], progress: Progress
) -> Built:
    if parameters.get("fail") == "refused":
        raise Refused("This file could not be read.")
    if parameters.get("fail") == "bug":
        raise ValueError("a bug in a builder")
    if parameters.get("fail") == "hiccup":  # the database connection dropped
        raise InterfaceError("select", {}, ConnectionError("connection was closed"))
    seconds = float(parameters.get("seconds", 0))
    for step in range(1, STEPS + 1):
        await asyncio.sleep(seconds / STEPS)
        await progress(100 * step // STEPS)
    people = await session.scalar(text("select count(*) from people"))
    return Built(f"people: {people}".encode(), "慢报表.txt", "text/plain")


SLOW = register(
    Kind("test_slow", "Report", None, False, ("txt",), frozenset({Role.TENANT_ADMIN}),
         build=build_slowly, listed=False)
)  # fmt: skip
