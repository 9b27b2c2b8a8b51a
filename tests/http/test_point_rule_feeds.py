"""The rule editor maps items to automatic sources (feeds): ticked on the item form,
listed under the item, shown in the difference view, refused when unknown; a source
ticked on two items, or without the Automatic awarder, is a problem of the draft."""

from __future__ import annotations

from typing import Any

from app.db import Database
from app.points.feeds import FEED_LABELS, Feed
from tests.factories import World
from tests.http.conftest import Browser, shown
from tests.http.test_point_rules import draft_categories, draft_items, snapshot, start_draft


def form_of(item: Any, **changes: Any) -> dict[str, Any]:
    return {
        "category_id": str(item.category_id), "code": item.code, "name": item.name,
        "points": str(item.points), "unit": item.unit,
        "cap_quarter": str(item.cap_quarter or ""), "cap_year": str(item.cap_year or ""),
        "awarders": list(item.awarders), "feeds": list(item.feeds), **changes,
    }  # fmt: skip


async def test_an_admin_maps_a_meeting_kind_to_another_item(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await start_draft(browser, world.a)
    items = await draft_items(owner_db, world.a)
    assembly = items["ZZ-01"]  # 三会一课 in the preset: four meeting kinds
    page = await browser.get(f"/points/rules/draft/items/{assembly.id}")
    assert shown(FEED_LABELS[Feed.LECTURE]) in page.text
    assert 'name="feeds" value="meeting.lecture" checked' in page.text
    kept = [f for f in assembly.feeds if f != Feed.LECTURE]
    saved = await browser.post(f"/points/rules/draft/items/{assembly.id}",
                               form_of(assembly, feeds=kept))  # fmt: skip
    assert saved.status_code == 303
    theme = items["ZZ-02"]
    saved = await browser.post(f"/points/rules/draft/items/{theme.id}",
                               form_of(theme, feeds=[Feed.THEME_DAY, Feed.LECTURE]))  # fmt: skip
    assert saved.status_code == 303
    after = await draft_items(owner_db, world.a)
    assert Feed.LECTURE not in after["ZZ-01"].feeds
    assert after["ZZ-02"].feeds == [Feed.LECTURE, Feed.THEME_DAY]  # in the feeds' order
    draft = await browser.get("/points/rules/draft")
    assert shown("scored automatically for") in draft.text  # the difference view
    assert shown("Automatically for:") in draft.text  # the item list


async def test_a_feed_twice_or_without_automatic_is_a_problem(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await start_draft(browser, world.a)
    items = await draft_items(owner_db, world.a)
    due = items["ZZ-04"]  # 党费: no feed, not awarded automatically
    saved = await browser.post(f"/points/rules/draft/items/{due.id}",
                               form_of(due, feeds=[Feed.LECTURE]))  # fmt: skip
    assert saved.status_code == 303
    draft = await browser.get("/points/rules/draft")
    assert shown("Item %(code)s: an item scored by an automatic source needs Automatic "
                 "ticked under who may award it.", code="ZZ-04") in draft.text  # fmt: skip
    assert shown("Items %(first)s and %(code)s are scored by the same automatic source; a "
                 "source scores one item.", first="ZZ-01", code="ZZ-04") in draft.text  # fmt: skip


async def test_an_unknown_feed_is_refused_and_changes_nothing(
    browser: Browser, world: World, owner_db: Database
) -> None:
    await start_draft(browser, world.a)
    politics = (await draft_categories(owner_db, world.a))["政治学习"]
    item = (await draft_items(owner_db, world.a))["XX-01"]
    before = await snapshot(owner_db)
    refused = await browser.post(f"/points/rules/draft/items/{item.id}",
                                 form_of(item, feeds=["meeting.picnic"]))  # fmt: skip
    assert refused.status_code == 422 and shown("Please choose from the list.") in refused.text
    new = form_of(item, code="XX-77", feeds=["meeting.picnic"], category_id=str(politics.id))
    assert (await browser.post("/points/rules/draft/items", new)).status_code == 422
    assert await snapshot(owner_db) == before
