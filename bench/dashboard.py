"""Requests per second of the logged-in dashboard against a bare Litestar + Jinja page.

Both are served by uvicorn with the same number of workers on loopback and loaded by
wrk in the same run, so the ratio says what the product's own work costs (session
lookup in Redis, identity and roles from PostgreSQL under RLS, the dashboard's
queries, templates with gettext) on top of the framework's floor.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Any

import httpx

from app.embedded import free_port
from app.settings import PROJECT_ROOT
from bench.generate import (
    BENCH_PASSWORD,
    large_district_admin_phone,
    large_district_member_phone,
)

CONNECTIONS = 32
DURATION = 10
WORKERS = 2


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def _ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, cookie: str = "", duration: int = DURATION) -> WrkResult:
    command = ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+(\S+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkResult(rps, p50, p99, int(bad.group(1)) if bad else 0)


def start(command: list[str], env: dict[str, str], port: int, probe: str) -> subprocess.Popen:
    process = subprocess.Popen(
        command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}{probe}", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"{command} did not start")


def session_cookie(base: str, phone: str) -> str:
    """Log in with a synthetic account; returns the Cookie header a browser would send.

    The app runs in production mode, so its cookies are Secure and an HTTP client
    would not send them back over plain loopback HTTP: carry them by hand. Like a
    browser, the load sends the CSRF cookie too, so pages reuse its token.
    """
    with httpx.Client(base_url=base, follow_redirects=False) as client:
        login_page = client.get("/login")
        token = re.search(r'name="_csrf_token" value="([^"]+)"', login_page.text).group(1)  # type: ignore[union-attr]
        csrf_cookie = login_page.headers["set-cookie"].split(";")[0]
        response = client.post(
            "/login",
            headers={"Cookie": csrf_cookie},
            data={"_csrf_token": token, "phone": phone,
                  "password": BENCH_PASSWORD},
        )  # fmt: skip
        assert response.status_code == 303, response.text[:300]
        session = re.search(r"redstar_session=([^;]+)", response.headers["set-cookie"]).group(1)  # type: ignore[union-attr]
    cookie = f"redstar_session={session}; {csrf_cookie}"
    check = httpx.get(f"{base}/dashboard", headers={"Cookie": cookie})
    assert check.status_code == 200 and "合成大区" in check.text, "dashboard did not render"
    return cookie


def run(env: dict[str, str]) -> dict[str, object]:
    app_port, bare_port = free_port(), free_port()
    app_env = {**os.environ, **env, "PORT": str(app_port), "WEB_WORKERS": str(WORKERS),
               "APP_ENV": "production"}  # fmt: skip
    app = start([sys.executable, "-m", "app.cli", "web"], app_env, app_port, "/readyz")
    bare = start(
        [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--port", str(bare_port),
         "--workers", str(WORKERS), "--log-level", "warning", "--no-access-log"],
        dict(os.environ), bare_port, "/",
    )  # fmt: skip
    base = f"http://127.0.0.1:{app_port}"
    bare_url = f"http://127.0.0.1:{bare_port}/"
    try:
        pages = {
            "admin": session_cookie(base, large_district_admin_phone()),
            "member": session_cookie(base, large_district_member_phone()),
        }
        wrk(bare_url, duration=3)  # warm-up
        for cookie in pages.values():
            wrk(f"{base}/dashboard", cookie, duration=3)
        rounds: list[tuple[str, WrkResult]] = []
        for _ in range(2):
            rounds.append(("bare", wrk(bare_url)))
            for name, cookie in pages.items():
                rounds.append((name, wrk(f"{base}/dashboard", cookie)))
    finally:
        for process in (app, bare):
            process.terminate()
            process.wait(timeout=10)
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
