"""`python -m tests.report_worker`: the arq worker as `redstar worker` runs it, with the
test-only slow report kind registered (tests/service/test_report_worker.py)."""

from __future__ import annotations

from arq.worker import run_worker

import tests.slow_report  # noqa: F401  (registers the kind)
from workers.settings import WorkerSettings

if __name__ == "__main__":
    run_worker(WorkerSettings)  # type: ignore[arg-type]
