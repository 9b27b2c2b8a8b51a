"""What every benchmark under bench/ shares: the bench's servers and data, a fresh
process for a measurement, the web server under test, logging in, the spread of
timings. (wrk, CPU and the server's own `ms=`: bench.load.)

Imports nothing of the product at module level but the settings' project root, the
embedded servers' `free_port` and the database URL helper, so that a script built on
it (bench.transactions) also runs unchanged against older code.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx

from app.db.session import async_url
from app.embedded import free_port
from app.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results"
SECRET_KEY = "bench-secret-key-0123456789-0123456789"
BENCH_KEYS = {  # fixed, so the ID numbers one run stores stay readable by the next
    "ID_NUMBER_KEYS": "bench:YmVuY2gtaWQta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTI=",
    "ID_NUMBER_INDEX_KEY": "YmVuY2gtaW5kZXgta2V5LTAxMjM0NTY3ODlhYmNkZWY=",
}
BENCH_PASSWORD = "Bench-2026"
T = TypeVar("T")
"""Every synthetic account's password (bench.generate stores one hash for all)."""


# --- the bench's servers and data ------------------------------------------------------------


def bench_dir() -> Path:
    """The embedded servers' data for the benchmarks (REDSTAR_BENCH_DIR), apart from the
    development data; reused by every run, so the synthetic data is generated once."""
    default = PROJECT_ROOT / ".redstar" / "bench"
    return Path(os.environ.get("REDSTAR_BENCH_DIR", default)).resolve()


@contextmanager
def bench_stack() -> Iterator[tuple[dict[str, str], Path]]:
    """The bench's PostgreSQL and Valkey up, migrated, the synthetic province loaded
    (once): the environment the app and the measuring processes run with."""
    from app.db.migrate import upgrade_to_head
    from app.embedded import EmbeddedStack
    from bench.generate import generate

    data_dir = bench_dir()
    stack = EmbeddedStack(data_dir, database="redstar_bench")
    env = stack.up() | {"SECRET_KEY": SECRET_KEY} | BENCH_KEYS  # production mode needs keys
    try:
        upgrade_to_head(env["DATABASE_OWNER_URL"])
        print("synthetic province:", asyncio.run(generate(env["DATABASE_OWNER_URL"])), flush=True)
        yield env, data_dir
    finally:
        stack.down()


def save(name: str, results: dict[str, Any]) -> Path:
    """bench/results/<name>.json."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{name}.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    return out


Runner = Callable[[dict[str, str], Path], dict[str, Any]]


def run_and_report(name: str, run: Runner, report: Callable[[dict[str, Any]], str]) -> None:
    """One benchmark alone (`uv run python -m bench.<name>`): servers up, run, figures
    saved and printed."""
    with bench_stack() as (env, data_dir):
        results = run(env, data_dir)
        save(name, results)
        print(report(results), flush=True)


# --- a measurement in a fresh process ----------------------------------------------------------


def in_fresh_process(module: str, env: dict[str, str], *args: str) -> dict[str, Any]:
    """`python -m module *args` with the bench's environment; its last line of output,
    JSON. A fresh process measures without the warm caches (or memory) of the caller."""
    command = [sys.executable, "-m", module, *args]
    out = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(f"{module} {args[:1]} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


Step = Callable[..., Coroutine[Any, Any, dict[str, Any]] | dict[str, Any]]


def main_or_step(main: Callable[[], None], steps: dict[str, Step]) -> None:
    """A benchmark module's `__main__`: `python -m bench.x STEP ARG…` runs one step in
    this process and prints its JSON (in_fresh_process reads it); no step runs `main`."""
    step = steps.get(sys.argv[1]) if len(sys.argv) > 1 else None
    if step is None:
        main()
        return
    found = step(*sys.argv[2:])
    if inspect.iscoroutine(found):
        found = asyncio.run(found)
    print(json.dumps(found, default=str, ensure_ascii=False))


# --- the database as its owner -----------------------------------------------------------------


async def owner_connection(owner_url: str) -> asyncpg.Connection:
    """A plain asyncpg connection as the owner (bulk loads, counts, clean-ups)."""
    return await asyncpg.connect(async_url(owner_url).replace("+asyncpg", ""))


def with_owner(env: dict[str, str], work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    """`work` done on an owner connection, from synchronous code."""

    async def run() -> T:
        conn = await owner_connection(env["DATABASE_OWNER_URL"])
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def postgres_pid(data_dir: Path) -> int:
    return int((data_dir / "postgres" / "postmaster.pid").read_text().split()[0])


# --- the web server under test -------------------------------------------------------------------


@dataclass
class Server:
    base: str
    process: subprocess.Popen[bytes]
    log: Path | None = None

    @property
    def pid(self) -> int:
        return self.process.pid

    def log_size(self) -> int:
        return self.log.stat().st_size if self.log else 0


def web_env(env: dict[str, str], port: int, workers: int) -> dict[str, str]:
    """The app as `redstar web` runs it in production, on `port`."""
    return {**os.environ, **env, "PORT": str(port), "WEB_WORKERS": str(workers),
            "APP_ENV": "production"}  # fmt: skip


@contextmanager
def server(
    command: list[str], env: dict[str, str], port: int, probe: str, log: Path | None = None
) -> Iterator[Server]:
    """`command` started, waited for until `probe` answers 200, stopped at the end. Its
    stderr (the app's JSON log) goes to `log` when given."""
    with log.open("wb") if log else open(os.devnull, "wb") as err:
        process = subprocess.Popen(
            command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=err,
            start_new_session=True,  # its own process group: its workers stop with it
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        # Spawned uvicorn workers each import the app: on a busy machine, a minute or more.
        # One client for the polling (httpx.get builds a TLS context every call).
        deadline = time.monotonic() + 180
        with httpx.Client(timeout=1) as client:
            while True:
                try:
                    if client.get(f"{base}{probe}").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or process.poll() is not None:
                    where = f"; see {log}" if log else ""
                    raise RuntimeError(f"{command} did not start{where}")
                time.sleep(0.2)
        yield Server(base, process, log)
    finally:
        stop_group(process)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """A process started in its own session stopped with its children: SIGTERM, and
    SIGKILL if it has not gone within 30 s."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@contextmanager
def app_server(
    env: dict[str, str], workers: int = 1, factory: str = "", log: Path | None = None
) -> Iterator[Server]:
    """The app under uvicorn in production mode, as `redstar web` serves it; with
    `factory` ("module:function"), the app that function makes (serve_factory)."""
    port = free_port()
    command = [sys.executable, "-m", "app.cli", "web"]
    if factory:
        command = [sys.executable, "-m", "bench.harness", "serve", factory]
    with server(command, web_env(env, port, workers), port, "/readyz", log) as running:
        yield running


def serve_factory(factory: str) -> None:
    """`redstar web` (app.cli), serving the app that `factory` makes in each worker."""
    import uvicorn

    from app.cli import prepare_environment

    settings = prepare_environment()
    uvicorn.run(
        factory, factory=True, host=settings.app.host, port=settings.app.port,
        workers=settings.app.web_workers, proxy_headers=True, log_config=None, access_log=False,
    )  # fmt: skip


# --- logging in ---------------------------------------------------------------------------------

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def log_in(client: httpx.Client, phone: str, password: str = BENCH_PASSWORD) -> str:
    """Log a synthetic account in through the login form; returns the Cookie header a
    browser would send back.

    The app runs in production mode, so its cookies are Secure and an HTTP client
    would not send them back over plain loopback HTTP: carry them by hand (and keep
    them out of the client's jar, so that it logs in one account after another). Like a
    browser, the load sends the CSRF cookie too, so pages reuse its token.
    """
    client.cookies.clear()  # carried by hand, never by the client's jar
    login_page = client.get("/login")
    token = CSRF_INPUT.search(login_page.text)
    csrf_cookie = login_page.headers["set-cookie"].split(";")[0]
    response = client.post(
        "/login",
        headers={"Cookie": csrf_cookie},
        data={"_csrf_token": token.group(1) if token else "", "phone": phone,
              "password": password},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text[:300]
    session = re.search(r"redstar_session=([^;]+)", response.headers["set-cookie"])
    assert session is not None
    client.cookies.clear()
    return f"redstar_session={session.group(1)}; {csrf_cookie}"


def session_cookie(base: str, phone: str) -> str:
    """log_in over HTTP against the server at `base`."""
    with httpx.Client(base_url=base) as client:
        return log_in(client, phone)


# --- timings ------------------------------------------------------------------------------------


def spread(samples: list[float], *, mean: bool = False) -> dict[str, float]:
    """Median and minimum in ms; the 95th percentile from 20 samples on."""
    result = {"p50_ms": round(statistics.median(samples), 1), "min_ms": round(min(samples), 1)}
    if len(samples) >= 20:
        result["p95_ms"] = round(statistics.quantiles(samples, n=20)[18], 1)
    if mean:
        result["mean_ms"] = round(statistics.mean(samples), 1)
    return result


def timed_get(client: httpx.Client, url: str, **kwargs: Any) -> tuple[httpx.Response, float]:
    """A GET and its ms, as the client saw them."""
    started = time.perf_counter()
    response = client.get(url, **kwargs)
    return response, (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve_factory(sys.argv[2])
