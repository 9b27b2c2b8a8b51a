"""Requests per second of the logged-in dashboard against a bare Litestar + Jinja page.

Both are served by uvicorn with the same number of workers on loopback and loaded by
wrk in the same run, so the ratio says what the product's own work costs (session
lookup in Redis, identity and roles from PostgreSQL under RLS, the dashboard's
queries, templates with gettext) on top of the framework's floor.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx

from app.embedded import free_port
from bench.generate import large_district_admin_phone, large_district_member_phone
from bench.harness import app_server, run_and_report, server, session_cookie
from bench.load import WrkResult, wrk

CONNECTIONS = 32
DURATION = 10
WORKERS = 2


def dashboard_cookie(base: str, phone: str) -> str:
    """Logged in, and the dashboard renders for the large district."""
    cookie = session_cookie(base, phone)
    check = httpx.get(f"{base}/dashboard", headers={"Cookie": cookie})
    assert check.status_code == 200 and "合成大区" in check.text, "dashboard did not render"
    return cookie


def run(env: dict[str, str]) -> dict[str, object]:
    bare_port = free_port()
    bare_command = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port",
                    str(bare_port), "--workers", str(WORKERS), "--log-level", "warning",
                    "--no-access-log"]  # fmt: skip
    with (
        app_server(env, workers=WORKERS) as app,
        server(bare_command, dict(os.environ), bare_port, "/") as bare,
    ):
        pages = {
            "admin": dashboard_cookie(app.base, large_district_admin_phone()),
            "member": dashboard_cookie(app.base, large_district_member_phone()),
        }
        bare_url, page_url = f"{bare.base}/", f"{app.base}/dashboard"
        wrk(bare_url, CONNECTIONS, 3)  # warm-up
        for cookie in pages.values():
            wrk(page_url, CONNECTIONS, 3, cookie)
        rounds: list[tuple[str, WrkResult]] = []
        for _ in range(2):
            rounds.append(("bare", wrk(bare_url, CONNECTIONS, DURATION)))
            for name, cookie in pages.items():
                rounds.append((name, wrk(page_url, CONNECTIONS, DURATION, cookie)))
    results: dict[str, Any] = {}
    for name in ("bare", *pages):
        runs = [r for n, r in rounds if n == name]
        if any(r.non_2xx for r in runs):
            raise RuntimeError(f"{name}: non-2xx responses during the run")
        results[name] = {
            "rps": round(sum(r.rps for r in runs) / len(runs)),
            "p50_ms": round(sum(r.p50_ms for r in runs) / len(runs), 1),
            "p99_ms": round(sum(r.p99_ms for r in runs) / len(runs), 1),
        }
    for name in pages:
        results[f"ratio_{name}"] = round(results[name]["rps"] / results["bare"]["rps"], 3)
    return results


LABELS = {
    "bare": "bare Litestar + Jinja page",
    "admin": "dashboard, admin, 40k district",
    "member": "dashboard, member",
}


def report(results: dict[str, Any]) -> str:
    lines = [
        f"Dashboard vs bare page (uvicorn x{WORKERS}, wrk -c{CONNECTIONS}, "
        f"{DURATION}s x2, loopback)",
        f"  {'page':<34}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'ratio':>8}",
    ]
    for name, label in LABELS.items():
        row = results[name]
        ratio = results.get(f"ratio_{name}", 1.0)
        lines.append(f"  {label:<34}{row['rps']:>8}{row['p50_ms']:>9}{row['p99_ms']:>9}{ratio:>8}")
    return "\n".join(lines)


if __name__ == "__main__":
    run_and_report("dashboard", lambda env, _data_dir: run(env), report)
