"""The large district's quarterly points report (issue 13): the 40,000-person district's
report for last year's fourth quarter, built as the worker builds it — the figures
from the standings, a summary sheet and one sheet per branch in constant memory — in a
fresh process, timed, with the process's peak resident memory (ru_maxrss, the figure
a container's limit is held to), before and after. The district's one-table PDF too.

The roster (bench.roster) and the year of points (bench.points) are made first if they
are missing. The file is read back and its ranked members counted against the database.
Figures are printed and written to bench/results/reports.json, never asserted.

    uv run python -m bench.reports        (alone; `make bench` runs it after the points)
"""

from __future__ import annotations

import asyncio
import io
import os
import resource
import time
import uuid
from pathlib import Path
from typing import Any

from bench import points, roster
from bench.generate import large_district_admin_phone, province_shape
from bench.harness import BENCH_KEYS, in_fresh_process, main_or_step, run_and_report, with_owner
from bench.points_floors import bench_quarter

TARGETS = {"seconds": 30, "peak_mb": 1024}


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def _build(fmt: str) -> dict[str, Any]:
    """One build in this (fresh) process, as the worker's job runs it."""
    from python_calamine import CalamineWorkbook
    from sqlalchemy import select, text

    from app.accounts.models import User
    from app.core import clock
    from app.db.tenant import tenant_scope
    from app.reports import running
    from app.reports.models import Report, ReportStatus
    from app.reports.storage import storage_for
    from app.settings import get_settings
    from app.state import open_services

    settings = get_settings()
    tenant_id = province_shape()[0].tenant_id
    async with open_services(settings) as services:
        with tenant_scope(tenant_id):
            async with services.db.unit() as session:
                admin = await session.scalar(
                    select(User.id).where(User.phone == large_district_admin_phone())
                )
                now = clock.now()
                report = Report(
                    tenant_id=tenant_id, id=uuid.uuid4(), kind="points_district",
                    parameters={"period": bench_quarter().key, "format": fmt},
                    subject="bench", requested_by=admin, status=ReportStatus.QUEUED,
                    progress=0, attempt=1, created_at=now, moved_at=now, error_args={},
                )  # fmt: skip
                session.add(report)
            storage = storage_for(settings)
            before = peak_mb()
            started = time.perf_counter()
            outcome = await running.build(services.db, services.cipher, storage, report.id)
            seconds = time.perf_counter() - started
            peak = peak_mb()
            async with services.db.session() as session:
                built = await session.get(Report, {"tenant_id": tenant_id, "id": report.id})
                members = await session.scalar(
                    text(
                        "select count(*) from people where party_member and not infirm"
                        " and deceased_on is null and branch_id is not null"
                    )
                )
        assert built and built.file_key, outcome
        content = await storage.get(built.file_key)
        results = {
            "format": fmt, "outcome": outcome, "seconds": round(seconds, 2),
            "peak_mb": peak, "peak_before_mb": before, "kb": round(len(content) / 1024),
            "members_ranked_in_db": members,
        }  # fmt: skip
        results |= await _phases(services, tenant_id, fmt)
        if fmt == "xlsx":
            book = CalamineWorkbook.from_filelike(io.BytesIO(content))
            sheets = book.sheet_names
            rows = book.get_sheet_by_name("汇总").to_python()
            total = next(row for row in rows if row[0] == "合计")
            results |= {"sheets": len(sheets), "ranked_in_file": int(total[1])}
        await storage.delete(built.file_key)
        return results


async def _phases(services: Any, tenant_id: uuid.UUID, fmt: str) -> dict[str, float]:
    """Where the time goes, measured again after the build: the figures (the standings'
    statement and the Python objects), then writing the file."""
    from app.db.tenant import tenant_scope
    from app.reports.pdf import render_pdf
    from app.reports.points.build import points_workbook
    from app.reports.points.figures import points_report

    async def no_progress(percent: int) -> None:
        return None

    with tenant_scope(tenant_id):
        async with services.db.session() as session:
            started = time.perf_counter()
            figures = await points_report(session, bench_quarter(), None)
            middle = time.perf_counter()
    if fmt == "xlsx":
        await points_workbook(figures, no_progress)
    else:
        await render_pdf("reports/pdf/points.html", {"report": figures})
    ended = time.perf_counter()
    return {"figures_s": round(middle - started, 2), "writing_s": round(ended - middle, 2)}


def measure(env: dict[str, str], fmt: str) -> dict[str, Any]:
    return in_fresh_process("bench.reports", env, "build", fmt)


def ensure_points(env: dict[str, str]) -> None:
    """The year of points of bench.points, unless the ledger holds last year already."""
    tenant_id = province_shape()[0].tenant_id
    year = bench_quarter().year

    async def events(conn: Any) -> int:
        return await conn.fetchval(  # type: ignore[no-any-return]
            "select count(*) from point_events where tenant_id = $1"
            " and occurred_on >= make_date($2, 1, 1)",
            tenant_id, year,
        )  # fmt: skip

    if not with_owner(env, events):
        print("points generated first:", asyncio.run(points.prepare(env["DATABASE_OWNER_URL"])))


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    load = os.getloadavg()[0]
    env = {**BENCH_KEYS, **env, "REPORTS_STORAGE": (data_dir / "reports").as_uri()}
    roster.ensure_people(env, data_dir)
    ensure_points(env)
    results = {
        "quarter": bench_quarter().key,
        "xlsx": measure(env, "xlsx"),
        "pdf": measure(env, "pdf"),
        "load": [load, os.getloadavg()[0]],
    }
    return results


def report(results: dict[str, Any]) -> str:
    x, p = results["xlsx"], results["pdf"]
    lines = [
        f"Quarterly points report of the 40,000-person district, {results['quarter']}:"
        f" {x['ranked_in_file']:,} members ranked in the file ({x['members_ranked_in_db']:,}"
        f" in the database), {x['sheets']} sheets",
        "",
        "| report | wall s | of which figures / writing s (again, warm) | peak memory MB"
        " (before the build) | file KB | target |",
        "|---|---:|---:|---:|---:|---|",
        f"| .xlsx, summary + a sheet per branch | {x['seconds']} | {x['figures_s']} /"
        f" {x['writing_s']} | {x['peak_mb']} ({x['peak_before_mb']}) | {x['kb']:,}"
        f" | < {TARGETS['seconds']} s, < {TARGETS['peak_mb']:,} MB |",
        f"| .pdf, the district's one table | {p['seconds']} | {p['figures_s']} /"
        f" {p['writing_s']} | {p['peak_mb']} ({p['peak_before_mb']}) | {p['kb']:,} | |",
    ]
    start, end = results["load"]
    lines.append(f"\nLoad average {start:.1f} at the start, {end:.1f} at the end.")
    return "\n".join(lines)


def main() -> None:
    run_and_report("reports", run, report)


if __name__ == "__main__":
    main_or_step(main, {"build": _build})
