"""Both processes hear the events a lower capability announces: a listener registered
only where the web happens to import it would miss what the worker does (the nightly
refresh answers 送学上门 items by visits too)."""

from __future__ import annotations

import subprocess
import sys


def test_the_worker_subscribes_home_study_to_answered_items() -> None:
    """The web process imports it with its routes (its flows test it end to end)."""
    code = (
        "import workers.settings\n"
        "from app.grid.events import _listeners\n"
        "print(sorted(f'{l.__module__}.{l.__name__}' for l in _listeners))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "app.orglife.home_study.home_study_delivered" in out
