"""What it costs to check a pooled connection before a unit of work uses it (issue 13).

After a PostgreSQL restart every pooled connection is dead; the first request or job
to take one fails. Two ways to not hand one out, against none:

- `pool_pre_ping=True`: SQLAlchemy's asyncpg dialect pings inside a transaction of
  its own (BEGIN, an empty statement, ROLLBACK — three round trips per checkout);
- a `checkout` hook that asks asyncpg whether the connection is closed: no round trip.
  The server closing the socket (a restart, a terminated backend) reaches the event
  loop as end-of-file, and asyncpg marks the connection closed; the hook then makes
  the pool drop it and connect afresh.

Each variant runs the shape of a request's unit of work — check out, BEGIN, the
tenant's `set_config`, one statement, COMMIT, check in — one after another on a
throwaway PostgreSQL over its unix socket, taking turns; then a restart
checks that each variant's next unit succeeds; a second engine without a check shows
the noise floor. Wall time moves with whatever else
the machine runs; the client's CPU time per unit (what a CPU-bound web worker pays)
much less. Printed and written to
bench/results/pool_checkout.json.

    uv run python -m bench.pool_checkout
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from app.db.session import TenantSession, async_url, drop_closed_connections
from app.embedded import EmbeddedPostgres
from bench.harness import save

UNITS = 2000
VARIANTS = ("none", "none_again", "pre_ping", "closed_check")
"""`none_again` is `none` on an engine of its own: the difference between the two is
the noise of the measurement (which PostgreSQL backend, which core)."""


def engine_for(url: str, variant: str) -> AsyncEngine:
    engine = create_async_engine(
        async_url(url), pool_size=2, max_overflow=0, pool_pre_ping=variant == "pre_ping"
    )
    if variant == "closed_check":
        drop_closed_connections(engine)
    return engine


async def unit(engine: AsyncEngine) -> tuple[float, float]:
    """One unit of work: (wall seconds, this process's CPU seconds)."""
    sessions = async_sessionmaker(engine, sync_session_class=TenantSession)
    wall, cpu = time.perf_counter(), time.process_time()
    async with sessions() as session:
        await session.execute(text("select 1"))
        await session.commit()
    return time.perf_counter() - wall, time.process_time() - cpu


async def after_a_restart(
    engines: dict[str, AsyncEngine], postgres: EmbeddedPostgres
) -> dict[str, bool]:
    """Every engine holds an idle connection; PostgreSQL restarts (in a thread, so this
    loop runs meanwhile, as a server's does); does each engine's next unit succeed?"""
    for engine in engines.values():
        await unit(engine)
    await asyncio.to_thread(lambda: (postgres.stop(), postgres.start()))
    succeeded = {}
    for variant, engine in engines.items():
        try:
            await unit(engine)
        except Exception:
            succeeded[variant] = False
        else:
            succeeded[variant] = True
    return succeeded


async def measure(url: str, postgres: EmbeddedPostgres) -> dict[str, Any]:
    """The variants take turns unit by unit (in a shuffled order each time), so a
    machine busy with other work slows them alike."""
    engines = {variant: engine_for(url, variant) for variant in VARIANTS}
    wall: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    cpu: dict[str, list[float]] = {variant: [] for variant in VARIANTS}
    for engine in engines.values():
        for _ in range(50):  # warm: connections made, statements prepared
            await unit(engine)
    order = list(VARIANTS)
    for _ in range(UNITS):
        random.shuffle(order)
        for variant in order:
            took, spent = await unit(engines[variant])
            wall[variant].append(took)
            cpu[variant].append(spent)
    restart = await after_a_restart(engines, postgres)
    for engine in engines.values():
        await engine.dispose()

    def micros(samples: dict[str, list[float]], how: Any) -> dict[str, float]:
        return {v: round(how(s) * 1e6, 1) for v, s in samples.items()}

    return {
        "units": UNITS,
        "wall_us_median": micros(wall, statistics.median),
        "cpu_us_mean": micros(cpu, statistics.fmean),
        "next_unit_after_a_restart_succeeds": restart,
        "load_average": os.getloadavg(),
    }


def report(results: dict[str, Any]) -> str:
    wall, cpu = results["wall_us_median"], results["cpu_us_mean"]
    lines = [
        f"load average {results['load_average'][0]:.1f}; {results['units']} units each",
        "variant        wall µs (median, +)   client CPU µs (mean, +)   after a restart",
    ]
    for v in VARIANTS:
        after = "ok" if results["next_unit_after_a_restart_succeeds"][v] else "FAILS"
        lines.append(
            f"{v:<13} {wall[v]:>9} {wall[v] - wall['none']:>+9.1f}   "
            f"{cpu[v]:>12} {cpu[v] - cpu['none']:>+9.1f}        {after}"
        )
    return "\n".join(lines)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="redstar-bench-pool-"))
    postgres = EmbeddedPostgres(root / "postgres")
    try:
        postgres.start()
        postgres.ensure_database("redstar")
        results = asyncio.run(measure(postgres.url("redstar_app", "redstar"), postgres))
    finally:
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)
    save("pool_checkout", results)
    print(report(results), flush=True)


if __name__ == "__main__":
    main()
