"""Both processes hear the events a lower capability announces: a listener registered
only where the web happens to import it would miss what the worker does (the nightly
refresh answers 送学上门 items by visits too)."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("entry", ["workers.settings", "app.main"])
def test_each_process_subscribes_home_study_to_answered_items(entry: str) -> None:
    code = (
        f"import {entry}\n"
        "from app.grid.events import _listeners\n"
        "print(sorted(f'{l.__module__}.{l.__name__}' for l in _listeners))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "app.orglife.home_study.home_study_delivered" in out
