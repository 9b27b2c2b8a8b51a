"""A branch's care cards as ONE PDF (app/care/cards/document.py): 100 members whose
cards name 3 grid workers and 8 group leaders among them (11 different QR codes), A6
(100 pages) and wallet (10 sheets), warm, and the same cards with no contact (no QR
code: the floor of the layout). Laid out at once (as the request did before: 4.9 s of
CPU for A6 made it a report) and as the report's builder does, ten cards a step with
the progress told, then put together (`*_steps`).

It needs no servers (the reads before it are a few milliseconds):
`uv run python -m bench.care_cards`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from bench.harness import in_fresh_process, main_or_step, save, spread

MEMBERS = 100
ROUNDS = 3


def measure() -> dict[str, Any]:
    """In a fresh process: a first PDF (imports, fonts), then ROUNDS of each case."""
    import asyncio

    from app.care.cards.document import cards_pdf, render_html, write_pdf
    from app.care.cards.service import GRID_WORKER, GROUP_LEADER, CareCard, Contact

    def branch(with_contacts: bool) -> list[CareCard]:
        return [
            CareCard(uuid4(), f"老同志{i}", "第一支部", "第一党小组", "历下区退役军人事务局",
                     [Contact(GRID_WORKER, "王网格", f"138000{i % 3:05d}"),
                      Contact(GROUP_LEADER, "张建国", f"1390531{i % 8:04d}")]
                     if with_contacts else [])
            for i in range(MEMBERS)
        ]  # fmt: skip

    async def told(done: int, total: int) -> None:
        pass

    def build(cards: list[CareCard], size: str, steps: bool = False) -> tuple[float, float]:
        begun, cpu = time.perf_counter(), time.process_time()
        if steps:
            asyncio.run(cards_pdf(cards, size, told))
        else:
            write_pdf(render_html(cards, size))
        return (time.perf_counter() - begun) * 1000, (time.process_time() - cpu) * 1000

    build(branch(True)[:1], "a6")
    results: dict[str, Any] = {}
    for name, cards, size, steps in (
        ("a6", branch(True), "a6", False), ("a6_steps", branch(True), "a6", True),
        ("wallet", branch(True), "wallet", False), ("wallet_steps", branch(True), "wallet", True),
        ("a6_no_codes", branch(False), "a6", False),
    ):  # fmt: skip
        walls, cpus = zip(*(build(cards, size, steps) for _ in range(ROUNDS)), strict=True)
        results[name] = {**spread(list(walls)), "cpu_p50_ms": spread(list(cpus))["p50_ms"]}
    return results


def run(env: dict[str, str] | None = None, data_dir: Path | None = None) -> dict[str, Any]:
    load = os.getloadavg()[0]
    results = in_fresh_process("bench.care_cards", dict(env or {}), "measure")
    results["load"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    return results


def report(results: dict[str, Any]) -> str:
    lines = [f"Care cards of a branch of {MEMBERS} as one PDF (WeasyPrint; the report's builder:"
             " *_steps)"]  # fmt: skip
    for name in ("a6", "a6_steps", "wallet", "wallet_steps", "a6_no_codes"):
        found = results[name]
        lines.append(
            f"  {name:<12} p50 {found['p50_ms']} ms, min {found['min_ms']} ms,"
            f" CPU p50 {found['cpu_p50_ms']} ms"
        )
    lines.append(f"  load average {results['load'][0]} → {results['load'][1]}")
    return "\n".join(lines)


def main() -> None:
    results = run()
    save("care_cards", results)
    print(report(results), flush=True)


if __name__ == "__main__":
    main_or_step(main, {"measure": measure})
