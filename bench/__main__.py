"""`make bench`: generate the synthetic province (once) and run every benchmark.

The servers are the embedded pair under REDSTAR_BENCH_DIR (default .redstar/bench),
kept apart from the development data. Figures are printed and written to
bench/results/*.json; the README's performance section records them.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

from app.db.migrate import upgrade_to_head
from app.embedded import EmbeddedStack
from app.settings import PROJECT_ROOT
from bench import dashboard, grid, points, roster
from bench.generate import generate

RESULTS = PROJECT_ROOT / "bench" / "results"


def main() -> None:
    data_dir = Path(os.environ.get("REDSTAR_BENCH_DIR", PROJECT_ROOT / ".redstar" / "bench"))
    stack = EmbeddedStack(data_dir, database="redstar_bench")
    env = stack.up()
    env["SECRET_KEY"] = "bench-secret-key-0123456789-0123456789"
    env.update(roster.BENCH_KEYS)  # production mode needs ID number keys
    try:
        upgrade_to_head(env["DATABASE_OWNER_URL"])
        print("synthetic province:", asyncio.run(generate(env["DATABASE_OWNER_URL"])))
        results = dashboard.run(env)
        print(dashboard.report(results))
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "dashboard.json").write_text(json.dumps(results, indent=2))
        points.clear(env)  # the ledger of an earlier run holds on to the roster's people
        grid.clear(env)  # and so do the grids, visits and due items
        results = roster.run(env, data_dir)
        (RESULTS / "roster.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
        print(roster.report(results))
        results = points.run(env, data_dir)
        (RESULTS / "points.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False, default=str)
        )
        print(points.report(results))
        results = grid.run(env, data_dir)
        (RESULTS / "grid.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False, default=str)
        )
        print(grid.report(results))
    finally:
        stack.down()


if __name__ == "__main__":
    main()
