"""The app through Litestar's test client, against the session's real servers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from httpx import Response
from litestar import Litestar
from litestar.testing import AsyncTestClient
from markupsafe import escape

from app.i18n import _
from app.main import create_app
from tests.factories import PASSWORD, Account
from tests.servers import ServerPair

CSRF_INPUT = re.compile(r'name="_csrf_token" value="([^"]+)"')


def shown(message: str, **args: object) -> str:
    """A message as a page shows it: translated to zh-CN (the English msgid until its
    translation exists) and HTML-escaped the way Jinja escapes it."""
    return str(escape(_(message, **args)))


class Browser:
    """A test client that behaves like a person's browser: cookies, CSRF, forms."""

    def __init__(self, client: AsyncTestClient) -> None:
        self.client = client
        self.token = ""

    async def get(self, path: str, **kwargs) -> Response:  # type: ignore[no-untyped-def]
        response = await self.client.get(path, **kwargs)
        if match := CSRF_INPUT.search(response.text):
            self.token = match.group(1)
        return response

    async def post(
        self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True, **kw
    ) -> Response:  # type: ignore[no-untyped-def]
        if csrf and not self.token:
            await self.get("/login")
        form = dict(data or {})
        if csrf:
            form["_csrf_token"] = self.token
        response = await self.client.post(path, data=form, **kw)
        if match := CSRF_INPUT.search(response.text):
            self.token = match.group(1)
        return response

    async def login(self, account: Account, password: str = PASSWORD) -> Response:
        return await self.login_with(account.phone, password)

    async def login_with(self, phone: str, password: str) -> Response:
        response = await self.post("/login", {"phone": phone, "password": password})
        assert response.status_code == 303, response.text[:500]
        return response


@pytest.fixture(scope="session")
def app(servers: ServerPair) -> Litestar:
    """One app for the session: building one registers every route (about a third of a
    second), while each test's client runs the app's lifespan afresh, so every test
    gets its own connections and nothing open outlives it."""
    return create_app(servers.settings())


@pytest.fixture(scope="session")
def other_app(servers: ServerPair) -> Litestar:
    return create_app(servers.settings())


@pytest.fixture
async def browser(app: Litestar) -> AsyncIterator[Browser]:
    async with AsyncTestClient(app=app) as client:
        client.follow_redirects = False
        yield Browser(client)


@pytest.fixture
async def other_browser(other_app: Litestar) -> AsyncIterator[Browser]:
    """A second person at the same time; a test client runs its app on its own loop,
    so each browser gets its own app instance."""
    async with AsyncTestClient(app=other_app) as client:
        client.follow_redirects = False
        yield Browser(client)
