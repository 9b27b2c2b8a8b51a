"""A real server process and Debian's Chromium, driven by Playwright.

Playwright cannot download its own browsers here, so it launches /usr/bin/chromium
(`make test` installs it). Screenshots go to e2e/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, BrowserContext, Page, Playwright, async_playwright

from app.embedded import free_port
from app.settings import PROJECT_ROOT
from tests.receivers import SmtpInbox, smtp_server
from tests.servers import ServerPair

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SCREENSHOTS = PROJECT_ROOT / "e2e" / "screenshots"

CLOCK_SHIFT = "clock-shift"
"""File under the servers' root: seconds the web and worker processes' clocks run ahead
(app.core.clock honours it with APP_ENV=test only)."""

DESKTOP: dict[str, Any] = {"viewport": {"width": 1280, "height": 860}, "locale": "zh-CN"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under `make test`'s parallel workers (pytest-xdist) the browser tests are one unit
    of work, started first on one worker (one Chromium, one live server), while the
    other workers take the rest a test at a time. (xdist's own --dist loadgroup does
    not group under pytest 9, which no longer reads the node id it rewrites.)"""
    from xdist.scheduler import LoadScopeScheduling

    class BrowserTestsTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser" if nodeid.startswith("e2e/") else nodeid

    return BrowserTestsTogether(config, log)


def _start(command: str, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """`redstar <command>` in its own process group, its output in `log`."""
    with log.open("w") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", command], env=env, cwd=PROJECT_ROOT,
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip


def _stop(process: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM, as a process manager stops it; a hang is a failure, not a leak."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)
        raise RuntimeError(
            f"{log.stem} did not stop on SIGTERM: {log.read_text()[-2000:]}"
        ) from None


def _tail(*logs: Path) -> str:
    return "\n".join(f"--- {log.name}\n{log.read_text()[-2000:]}" for log in logs if log.exists())


@pytest.fixture(scope="package")
def mail() -> Iterator[SmtpInbox]:
    """A real SMTP server the live server's worker sends notification email to."""
    with smtp_server() as (inbox, _port):
        yield inbox


STARTUP_SECONDS = 120


@pytest.fixture(scope="package")
def live_server(servers: ServerPair, mail: SmtpInbox) -> Iterator[str]:
    """`redstar web` and `redstar worker` as separate processes, as in production: the
    worker runs the roster imports' dry runs and commits, builds reports and delivers
    notices (email to `mail`). For this package only: they stop once its tests are
    done, so that a parallel worker running other tests after them has no second job
    worker taking its queued jobs."""
    port = free_port()
    env = {
        **os.environ, **servers.environment(), "PORT": str(port), "APP_ENV": "test",
        "REDSTAR_CLOCK_SHIFT_FILE": str(servers.root / CLOCK_SHIFT),
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(mail.port), "SMTP_STARTTLS": "off",
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
    }  # fmt: skip
    web_log, worker_log = servers.root / "web.log", servers.root / "worker.log"
    web = _start("web", env, web_log)
    worker = _start("worker", env, worker_log)
    base = f"http://127.0.0.1:{port}"
    try:
        # Importing the app takes ~3 s alone and 30–40 s on a loaded 2-core machine; a
        # server that starts slowly is not a failure of what these tests check.
        # One client for the polling: httpx.get() builds a TLS context each call, which
        # over a slow start was seconds of this process's CPU.
        deadline = time.monotonic() + STARTUP_SECONDS
        with httpx.Client(timeout=1) as probe:
            while time.monotonic() < deadline:
                if web.poll() is not None or worker.poll() is not None:
                    raise RuntimeError(
                        f"a server process exited early\n{_tail(web_log, worker_log)}"
                    )
                try:
                    if probe.get(f"{base}/readyz").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            else:
                raise RuntimeError(f"the web server did not start\n{_tail(web_log, worker_log)}")
        while b"worker_started" not in worker_log.read_bytes():
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start\n{_tail(worker_log)}")
            time.sleep(0.2)
        yield base
    finally:
        errors = []
        for process, log in ((worker, worker_log), (web, web_log)):
            try:
                _stop(process, log)
            except RuntimeError as exc:
                errors.append(str(exc))
        if errors:
            raise RuntimeError("\n".join(errors))


@pytest.fixture(scope="package")
async def playwright() -> AsyncIterator[Playwright]:
    async with async_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium")
    return CHROMIUM


@pytest.fixture(scope="package")
async def chromium(playwright: Playwright, chromium_path: str) -> AsyncIterator[Browser]:
    browser = await playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
    yield browser
    await browser.close()


@pytest.fixture(params=["desktop", "pixel7"])
async def device(request: pytest.FixtureRequest, playwright: Playwright) -> dict[str, Any]:
    """Each end-to-end test runs on a desktop viewport and on a phone."""
    if request.param == "desktop":
        return {"name": "desktop", **DESKTOP}
    return {"name": "pixel7", **playwright.devices["Pixel 7"], "locale": "zh-CN"}


class ConsoleErrors(list[str]):
    """What the pages of a test wrote to the console as errors. A test that takes the
    network down on purpose `forgive`s what htmx reports about the requests it lost."""

    def __init__(self) -> None:
        super().__init__()
        self.forgiven: set[str] = set()

    def forgive(self, *messages: str) -> None:
        self.forgiven.update(messages)

    def unexpected(self) -> list[str]:
        return [error for error in self if error.split(": ", 1)[-1] not in self.forgiven]


NETWORK_DROPPED = ("htmx:sendError", "htmx:afterRequest")
"""htmx's console errors for a request the network dropped (a test set it offline)."""


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
async def new_context(  # type: ignore[no-untyped-def]
    chromium: Browser, device: dict[str, Any], live_server: str, console_errors: ConsoleErrors
):
    contexts: list[BrowserContext] = []

    def watch(page: Page) -> None:
        page.on(
            "console",
            lambda msg: (
                console_errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error" and not msg.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda exc: console_errors.append(f"{page.url}: {exc}"))

    async def make() -> BrowserContext:
        options = {k: v for k, v in device.items() if k != "name"}
        context = await chromium.new_context(base_url=live_server, **options)
        context.set_default_timeout(10_000)
        context.on("page", watch)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        await context.close()
    # A script error or a CSP violation fails the test even when the page still works;
    # HTTP error statuses the tests ask for on purpose ("Failed to load resource") do not.
    assert console_errors.unexpected() == [], "\n".join(console_errors.unexpected())


@pytest.fixture
def shoot(device: dict[str, Any]):  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    async def screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
        await page.screenshot(
            path=str(SCREENSHOTS / f"{device['name']}-{name}.png"), full_page=True, scale="css"
        )

    return screenshot


@pytest.fixture
def move_clock(servers: ServerPair) -> Iterator[Any]:
    """Move the live server's clock forward, e.g. `move_clock(hours=30)`; back after."""
    shift_file = servers.root / CLOCK_SHIFT

    def move(**delta: float) -> None:
        from datetime import timedelta

        shift_file.write_text(str(timedelta(**delta).total_seconds()))

    yield move
    shift_file.unlink(missing_ok=True)
