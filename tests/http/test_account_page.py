"""One's own account page: who one is, the language, the password, logging out."""

from __future__ import annotations

from app.core.roles import Role
from tests.factories import World
from tests.http.conftest import Browser


async def test_the_language_is_chosen_on_the_account_page_and_by_a_link(
    browser: Browser, world: World
) -> None:
    await browser.login(world.a.users[Role.MEMBER])
    page = await browser.get("/account")
    assert page.status_code == 200, page.text[-3000:]
    assert "我的账号" in page.text and 'value="en"' in page.text
    assert 'action="/locale"' not in (await browser.get("/dashboard")).text  # not in the footer

    english = await browser.get("/dashboard?lang=en")
    assert "Main menu" in english.text
    assert "redstar_lang=en" in english.headers.get("set-cookie", "")
    assert "Main menu" in (await browser.get("/dashboard")).text  # remembered
    await browser.get("/dashboard?lang=xx")  # not a language: nothing changes
    assert "Main menu" in (await browser.get("/dashboard")).text
    back = await browser.post("/locale", {"locale": "zh_CN", "next": "/account"})
    assert back.headers["location"] == "/account"
    assert "主菜单" in (await browser.get("/dashboard")).text
