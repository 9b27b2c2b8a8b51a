"""Health endpoints, friendly error pages, and what happens when a dependency is down."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from app.main import create_app
from app.settings import AppSettings, DatabaseSettings, RedisSettings, Settings
from tests.http.conftest import Browser
from tests.servers import ServerPair


async def test_healthz_and_readyz(browser: Browser) -> None:
    assert (await browser.get("/healthz")).json() == {"status": "ok"}
    ready = await browser.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}


def settings_with(
    servers: ServerPair, *, db: str | None = None, redis: str | None = None
) -> Settings:
    return Settings(
        app=AppSettings(env="test", secret_key="x" * 40),
        db=DatabaseSettings(url=db or servers.runtime_url, pool_size=2),
        redis=RedisSettings(url=redis or servers.valkey.url),
    )


async def test_database_down_gives_503_and_a_friendly_page(servers: ServerPair) -> None:
    dead = "postgresql://redstar_app@/redstar_test?host=/nonexistent"
    async with AsyncTestClient(app=create_app(settings_with(servers, db=dead))) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["database"] == "unavailable"
        page = await client.get("/signup")  # needs the province list
        assert page.status_code == 503
        assert "系统暂时不可用" in page.text and "Traceback" not in page.text


async def test_redis_down_gives_503_and_a_friendly_page(servers: ServerPair) -> None:
    dead = "redis://127.0.0.1:1/0"
    async with AsyncTestClient(app=create_app(settings_with(servers, redis=dead))) as client:
        ready = await client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["checks"]["redis"] == "unavailable"
        client.cookies.set("redstar_session", "some-session")
        page = await client.get("/dashboard")  # the session lives in Redis
        assert page.status_code == 503 and "系统暂时不可用" in page.text


async def test_not_found_page_is_in_chinese_and_english_on_request(browser: Browser) -> None:
    page = await browser.get("/no-such-page")
    assert page.status_code == 404 and "找不到这个页面" in page.text
    await browser.post("/locale", {"locale": "en", "next": "/login"})
    english = await browser.get("/no-such-page")
    assert "Page not found" in english.text and 'lang="en"' in english.text
    assert "Log in" in (await browser.get("/login")).text


async def test_locale_switch_ignores_unknown_locales_and_foreign_next(browser: Browser) -> None:
    response = await browser.post("/locale", {"locale": "xx", "next": "https://evil.example/"})
    assert response.status_code == 303 and response.headers["location"] == "/"
    assert "登录" in (await browser.get("/login")).text


async def test_every_response_has_a_request_id(browser: Browser) -> None:
    response = await browser.get("/login", headers={"x-request-id": "abc123"})
    assert response.headers["x-request-id"] == "abc123"
    assert len((await browser.get("/login")).headers["x-request-id"]) == 32


async def test_pages_forbid_framing_and_inline_code(browser: Browser) -> None:
    headers = (await browser.get("/login")).headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"


async def test_responses_made_outside_routes_carry_the_same_headers(browser: Browser) -> None:
    for response in (
        await browser.get("/no-such-page"),
        await browser.get("/users/not-a-uuid/disable"),
        await browser.client.post("/login", data={}),  # CSRF failure
    ):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert len(response.headers["x-request-id"]) == 32


async def test_login_redirect_keeps_the_query(browser: Browser) -> None:
    response = await browser.get("/users?page=2")
    assert response.headers["location"] == "/login?next=/users%3Fpage%3D2"


async def test_request_log_names_the_route_not_the_token(
    browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="redstar.request"):
        await browser.get("/invite/secret-token-value")
    events = [r.msg for r in caplog.records if r.name == "redstar.request"]
    assert events and events[0]["path"] == "/invite/{token}"  # type: ignore[index]
    assert "secret-token-value" not in repr(events)
