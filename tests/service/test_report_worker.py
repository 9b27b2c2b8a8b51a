"""A worker killed in the middle of a report: the next worker finishes it at once,
not after arq's job timeout (600 s) — the claim died with the killed process's
connection, and the new worker's sweep (run when it starts) queues a new attempt."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.reports import running
from app.reports.models import ReportStatus
from app.settings import PROJECT_ROOT
from app.state import AppServices
from tests.factories import World
from tests.servers import ServerPair
from tests.service.test_reports import add_report, row

FINISH_WITHIN = 90
"""Seconds the second worker has: its start (up to 20 s on a busy 2-core machine), a
build of 8 s, and the sweep's next minute should the killed worker's connection
linger. Far below arq's job timeout of 600 s, which the first attempt's job waits out."""


def start_worker(servers: ServerPair, log: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, **servers.environment(), "APP_ENV": "test"}
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "tests.report_worker"], env=env, cwd=PROJECT_ROOT,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=15)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=5)


async def test_a_report_outlives_a_killed_worker(
    services: AppServices, world: World, servers: ServerPair
) -> None:
    report_id = await add_report(services, world.a, {"seconds": 8})
    assert await running.enqueue(services.redis, world.a.tenant_id, report_id, 1)
    logs = [servers.root / "report-worker-1.log", servers.root / "report-worker-2.log"]
    first = start_worker(servers, logs[0])
    try:
        deadline = time.monotonic() + 60
        while (found := await row(services, world.a, report_id)).progress < 20:
            assert first.poll() is None, logs[0].read_text()[-2000:]
            assert time.monotonic() < deadline, f"never got going: {found.status}"
            await asyncio.sleep(0.2)
        assert found.status == ReportStatus.RUNNING
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        stop(first)
    started = time.monotonic()
    second = start_worker(servers, logs[1])
    try:
        while (found := await row(services, world.a, report_id)).status != ReportStatus.DONE:
            waited = time.monotonic() - started
            assert waited < FINISH_WITHIN, (found.status, logs[1].read_text()[-3000:])
            await asyncio.sleep(0.5)
    finally:
        stop(second)
    assert found.attempt == 2  # a new job id: the killed one's stays blocked in arq
    assert found.file_key == f"{world.a.tenant_id}/{report_id}-2.txt"
