"""Parsing an uploaded file in a child process with memory and CPU ceilings.

python-calamine is fast, but a crafted workbook can make it ask for gigabytes, and a
failed allocation in Rust aborts the process. In the worker that would kill every
job it runs and, since an unfinished job is retried, do it again after the restart.
So the file is read by `python -m app.people.imports.sandbox`, which limits itself before it
reads anything: if it dies, the import fails with a plain message and the worker
carries on. A cancelled job (timeout, shutdown) kills the child without waiting.
"""

from __future__ import annotations

import asyncio
import pickle
import resource
import sys
from datetime import date
from typing import Any

from app.i18n import N_
from app.people.imports.drafts import ParsedRoster, parse_roster
from app.people.imports.reader import RosterFileError
from app.settings import PROJECT_ROOT

MEMORY_LIMIT = 1536 * 1024 * 1024
"""Address space of the child: the 40,000-row roster needs about 300 MB."""
CPU_SECONDS = 300
"""…and CPU time: the 40,000-row roster takes about 12 s."""

TOO_BIG = N_(
    "This file needs too much memory to read. Delete the empty rows and columns "
    "around the data, or split the roster into smaller files."
)


async def parse_isolated(
    data: bytes,
    filename: str,
    *,
    default_category: str | None = None,
    today: date | None = None,
    memory_limit: int = MEMORY_LIMIT,
) -> ParsedRoster:
    """parse_roster() in a child process; RosterFileError if it refuses the file or
    cannot finish."""
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app.people.imports.sandbox", str(memory_limit),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL, cwd=PROJECT_ROOT,
    )  # fmt: skip
    request = pickle.dumps((data, filename, default_category, today))
    try:
        answer, _ = await child.communicate(request)
    except asyncio.CancelledError:
        child.kill()
        await child.wait()
        raise
    if child.returncode != 0 or not answer:
        raise RosterFileError(TOO_BIG)
    outcome: tuple[Any, ...] = pickle.loads(answer)  # noqa: S301 — our own child's answer
    if outcome[0] == "refused":
        raise RosterFileError(outcome[1], **outcome[2])
    return outcome[1]


def _serve(memory_limit: int) -> None:
    """The child: limit itself, read one request from stdin, answer on stdout."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    data, filename, default_category, today = pickle.loads(sys.stdin.buffer.read())  # noqa: S301
    try:
        parsed = parse_roster(data, filename, default_category=default_category, today=today)
        answer: tuple[Any, ...] = ("parsed", parsed)
    except RosterFileError as exc:
        answer = ("refused", exc.message, exc.args_)
    except MemoryError:
        answer = ("refused", TOO_BIG, {})
    sys.stdout.buffer.write(pickle.dumps(answer))


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
