"""`make bench`: generate the synthetic province (once) and run every benchmark.

The servers are the embedded pair under REDSTAR_BENCH_DIR (default .redstar/bench),
kept apart from the development data (bench.harness). Figures are printed and written
to bench/results/*.json; bench/README.md keeps their history, README.md the current ones.
"""

from __future__ import annotations

from bench import (
    annual_summary,
    attendance,
    care_cards,
    certificates,
    dashboard,
    digests,
    grid,
    grid_data,
    home,
    points,
    pool_checkout,
    reports,
    roster,
    transactions,
    volunteering,
)
from bench.harness import bench_stack, save


def main() -> None:
    with bench_stack() as (env, data_dir):
        results = dashboard.run(env)
        print(dashboard.report(results))
        save("dashboard", results)
        points.clear(env)  # the ledger of an earlier run holds on to the roster's people
        grid_data.clear(env)  # and so do the grids, visits and due items
        for name, bench in (("roster", roster), ("points", points), ("reports", reports),
                            ("grid", grid), ("transactions", transactions), ("home", home),
                            ("annual_summary", annual_summary), ("digests", digests),
                            ("certificates", certificates), ("attendance", attendance),
                            ("volunteering", volunteering),
                            ("care_cards", care_cards)):  # fmt: skip
            results = bench.run(env, data_dir)
            save(name, results)
            print(bench.report(results), flush=True)
    pool_checkout.main()  # a throwaway PostgreSQL of its own (it restarts it)


if __name__ == "__main__":
    main()
