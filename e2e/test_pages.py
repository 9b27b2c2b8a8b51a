"""Every page, as each role, on a desktop and a phone: readable for people over 75.

Checks what the product promises about its pages — body text of at least 18px on
phones, no sideways scrolling, tap targets of at least 44px (radio buttons and check
boxes are tapped through their labels, which are) — and saves a screenshot of each
page for a person to look at.
"""

from __future__ import annotations

from typing import Any

from playwright.async_api import Page

from app.accounts.models import Role
from tests.factories import PASSWORD, Account, World

# Who sees which pages; every page of the foundation issue appears at least once.
TOUR: list[tuple[str, list[str]]] = [
    ("anonymous", ["/", "/login", "/signup", "/no-such-page"]),
    (Role.OPERATOR, ["/dashboard", "/approvals"]),
    (Role.PROVINCIAL_VIEWER, ["/dashboard", "/approvals"]),
    (Role.TENANT_ADMIN, ["/dashboard", "/users", "/users/invite", "/audit", "/users/{member}"]),
    (Role.MEMBER, ["/dashboard", "/users", "/account/password"]),
]

MEASURE = """() => {
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  const wide = document.scrollingElement.scrollWidth > window.innerWidth + 1;
  const targets = 'main a, main button, main input, main select, header button, nav a';
  const small = [...document.querySelectorAll(targets)]
    .filter(el => el.offsetParent !== null && !['hidden', 'radio', 'checkbox'].includes(el.type))
    .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])
    .filter(([, h]) => h < 44);
  return {body, wide, small};
}"""


def account_for(role: str, world: World) -> Account | None:
    if role == "anonymous":
        return None
    return {Role.OPERATOR: world.operator, Role.PROVINCIAL_VIEWER: world.viewer_37}.get(
        role,
        world.a.users.get(role),  # type: ignore[arg-type]
    )


async def log_in(page: Page, account: Account) -> None:
    await page.goto("/login")
    await page.get_by_label("手机号码").fill(account.phone)
    await page.get_by_label("密码").fill(PASSWORD)
    await page.get_by_role("button", name="登录").click()
    await page.wait_for_url("**/dashboard")


async def test_every_page_is_readable(
    new_context, shoot, device: dict[str, Any], world: World
) -> None:  # type: ignore[no-untyped-def]
    problems = []
    for role, paths in TOUR:
        page = await (await new_context()).new_page()
        account = account_for(role, world)
        if account:
            await log_in(page, account)
        for template in paths:
            path = template.format(member=world.a.users[Role.MEMBER].id)
            await page.goto(path)
            found = await page.evaluate(MEASURE)
            where = f"{role} {path}"
            if device["name"] == "pixel7" and found["body"] < 18:
                problems.append(f"{where}: body text {found['body']}px")
            if found["wide"]:
                problems.append(f"{where}: scrolls sideways")
            problems.extend(f"{where}: small target {h:.0f}px {html}" for html, h in found["small"])
            name = template.strip("/").replace("/", "-").replace("{member}", "member") or "home"
            await shoot(page, f"page-{role}-{name}")
    assert problems == []
