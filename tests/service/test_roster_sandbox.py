"""The roster is parsed in a child process with a memory ceiling: a file that would
exhaust it fails the import with a message instead of taking the worker down."""

from __future__ import annotations

import os

import pytest

from app.people.reader import RosterFileError
from app.people.sandbox import TOO_BIG, parse_isolated
from tests.rosters import messy_roster_xlsx


async def test_a_roster_is_parsed_in_a_child_process() -> None:
    parsed = await parse_isolated(messy_roster_xlsx(), "messy.xlsx")
    assert any(row.draft and row.draft.name == "张建国" for row in parsed.rows)


async def test_a_child_that_runs_out_of_memory_fails_the_file_not_the_worker() -> None:
    with pytest.raises(RosterFileError) as caught:
        await parse_isolated(messy_roster_xlsx(), "messy.xlsx", memory_limit=24 * 1024 * 1024)
    assert caught.value.message == TOO_BIG
    assert os.getpid()  # still here
