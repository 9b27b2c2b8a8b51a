"""Parsing an uploaded file in a child process with a memory ceiling.

python-calamine is fast, but a crafted workbook can make it ask for gigabytes, and a
failed allocation in Rust aborts the process. In the worker that would kill every
job it runs and, since an unfinished job is retried, do it again after the restart.
So the file is read in a throwaway child limited to MEMORY_LIMIT: if it dies, the
import fails with a plain message and the worker carries on.
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import resource
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date

from app.i18n import N_
from app.people.drafts import ParsedRoster, parse_roster
from app.people.reader import RosterFileError

MEMORY_LIMIT = 1536 * 1024 * 1024
"""Address space of the child: the 40,000-row roster needs about 300 MB."""
CPU_SECONDS = 300
"""…and CPU time: the 40,000-row roster takes about 12 s."""


def _limit_memory(limit: int) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))


def _parse(
    data: bytes, filename: str, default_category: str | None, today: date | None
) -> ParsedRoster:
    try:
        return parse_roster(data, filename, default_category=default_category, today=today)
    except MemoryError as exc:
        raise RosterFileError(TOO_BIG) from exc


TOO_BIG = N_("This file needs too much memory to read. Delete the empty rows and columns "
             "around the data, or split the roster into smaller files.")  # fmt: skip


async def parse_isolated(
    data: bytes, filename: str, *, default_category: str | None = None,
    today: date | None = None, memory_limit: int = MEMORY_LIMIT,
) -> ParsedRoster:  # fmt: skip
    """parse_roster() in a child process; RosterFileError if the child cannot finish."""
    loop = asyncio.get_running_loop()
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        1, mp_context=context, initializer=_limit_memory, initargs=(memory_limit,)
    ) as pool:
        try:
            return await loop.run_in_executor(
                pool, functools.partial(_parse, data, filename, default_category, today)
            )
        except BrokenProcessPool as exc:
            raise RosterFileError(TOO_BIG) from exc
