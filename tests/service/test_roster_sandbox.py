"""The roster is parsed in a child process with a memory ceiling: a file that would
exhaust it fails the import with a message instead of taking the worker down."""

from __future__ import annotations

import os

import pytest

from app.people.imports.reader import RosterFileError
from app.people.imports.sandbox import TOO_BIG, parse_isolated
from tests.rosters import messy_roster_xlsx


async def test_a_roster_is_parsed_in_a_child_process() -> None:
    parsed = await parse_isolated(messy_roster_xlsx(), "messy.xlsx")
    assert any(row.draft and row.draft.name == "张建国" for row in parsed.rows)


async def test_a_child_that_runs_out_of_memory_fails_the_file_not_the_worker() -> None:
    with pytest.raises(RosterFileError) as caught:
        await parse_isolated(messy_roster_xlsx(), "messy.xlsx", memory_limit=24 * 1024 * 1024)
    assert caught.value.message == TOO_BIG
    assert os.getpid()  # still here


async def test_the_childs_refusal_comes_back_with_its_message() -> None:
    with pytest.raises(RosterFileError) as caught:
        await parse_isolated("说明\n没有表头\n".encode(), "a.csv")
    assert "header" in caught.value.message


async def test_a_cancelled_parse_kills_its_child(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    from tests.rosters import large_roster_xlsx

    children = []
    started = asyncio.Event()
    spawn = asyncio.create_subprocess_exec

    async def recording_spawn(*args, **kwargs):  # type: ignore[no-untyped-def]
        children.append(await spawn(*args, **kwargs))
        started.set()
        return children[-1]

    monkeypatch.setattr(
        "app.people.imports.sandbox.asyncio.create_subprocess_exec", recording_spawn
    )
    task = asyncio.create_task(parse_isolated(large_roster_xlsx(5000), "big.xlsx"))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert children[0].returncode == -9  # killed and reaped, not left running
