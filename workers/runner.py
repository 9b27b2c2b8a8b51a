"""`redstar worker`: arq's worker, kept running while Valkey is away.

arq's own worker exits when Valkey stops answering (its poll loop raises after a
second). Here a lost connection ends only that worker: jobs already running may
finish (their work is in PostgreSQL), the worker's resources are closed, and after a
backoff (1 s, 2 s, 4 s … 30 s) a new worker connects — so `redstar dev`, systemd or a
container runtime never see the process die for a Valkey restart. SIGINT and SIGTERM
stop it as arq's would: running jobs are cancelled (arq runs them again later).
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import Awaitable
from contextlib import suppress
from typing import Any

import structlog
from arq.worker import Worker, create_worker

from app.core.outages import backoff, server_away

log = structlog.get_logger("redstar.worker")

HEALTHY_AFTER = 60.0
"""A worker that ran this long before losing Valkey starts the backoff over."""


def run(settings_cls: Any) -> None:
    asyncio.run(serve(settings_cls))


async def serve(settings_cls: Any, stopping: asyncio.Event | None = None) -> None:
    """Run workers made from `settings_cls` one after another until `stopping` is set
    (by SIGINT or SIGTERM when not given)."""
    if stopping is None:
        stopping = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stopping.set)
    failures = 0
    while not stopping.is_set():
        if failures:
            delay = backoff(failures)
            log.warning("worker_reconnecting", attempt=failures, wait_s=delay)
            if not await _first(asyncio.sleep(delay), stopping):
                break  # stopped while waiting
        worker = create_worker(settings_cls, handle_signals=False)
        started = time.monotonic()
        main = asyncio.create_task(worker.main())
        worker.main_task = main
        if await _first(main, stopping) and main.exception() is None:
            break  # a burst worker (tests) that ran out of jobs
        if stopping.is_set():
            await _close(worker, stopping)
            break
        lost = main.exception()
        assert lost is not None
        if not server_away(lost):
            await _close(worker, stopping)
            raise lost
        log.warning("worker_lost_connection", error=type(lost).__name__, detail=str(lost))
        await _close(worker, stopping)
        failures = 1 if time.monotonic() - started >= HEALTHY_AFTER else failures + 1


async def _first(work: Awaitable[Any], stopping: asyncio.Event) -> bool:
    """Wait for `work` or for `stopping`, whichever comes first. True when `work` did;
    otherwise it is cancelled."""
    task = work if isinstance(work, asyncio.Task) else asyncio.ensure_future(work)
    stop = asyncio.create_task(stopping.wait())
    done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    stop.cancel()
    if task in done:
        return True
    task.cancel()
    with suppress(asyncio.CancelledError, Exception):
        await task
    return False


async def _close(worker: Worker, stopping: asyncio.Event) -> None:
    """arq's `Worker.close`, but for a Valkey that may be away: running jobs finish
    (or are cancelled when stopping), the job services close, nothing raises."""
    jobs = list(worker.tasks.values())
    if jobs and not stopping.is_set():
        await _first(asyncio.gather(*jobs, return_exceptions=True), stopping)
    for job in jobs:
        job.cancel()
    await asyncio.gather(*jobs, return_exceptions=True)
    pool = worker._pool  # None when Valkey was away from the start
    if pool is not None:
        with suppress(Exception):
            await pool.delete(worker.health_check_key)
    if worker.on_shutdown:
        await worker.on_shutdown(worker.ctx)
    if pool is not None:
        with suppress(Exception):
            await pool.close(close_connection_pool=True)
