"""Care cards as PDF (WeasyPrint, Noto CJK, like the volunteer certificate): one
member's card (in the request: one page is quick), or a whole branch's in ONE file
(the report kind `care_cards`, made by the worker: 4.9 s CPU for 100 A6 cards).

Two sizes, chosen on the page:
- A6 (105 × 148 mm): one card a page, a page of A6 each — printed on A6 card, or
  on A4 by the printer's "fit"; a branch's file has one page per member.
- Wallet (85.6 × 54 mm, a bank card's size): one face, compact — two contacts beside
  each other, each with its QR code — ten to an A4 sheet (2 × 5, cut along the thin
  lines); a branch's file has one sheet per ten members. One face, not two: a
  double-sided sheet must be fed back in the right way round, which an office
  printer's user gets wrong as often as right.
A card holds at most CONTACTS[size] contacts (grid workers first, then the group
leader or secretary): the rest would not be readable at that size.

Chinese whatever the reader's language, like the paper it replaces: the words are
in the template (paper/card.html), the contacts' roles through the zh-CN catalogue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.care.cards.service import CareCard
from app.i18n import DEFAULT_LOCALE, translations

if TYPE_CHECKING:
    from weasyprint import Document

PAPER = Path(__file__).parent / "paper"
SIZES = ("a6", "wallet")
CONTACTS = {"a6": 3, "wallet": 2}
SIZE_WORDS = {"a6": "A6", "wallet": "钱包卡"}
"""The size in a file's name (亲情服务卡-党员甲-A6.pdf) and a report's subject."""
PER_SHEET = {"a6": 1, "wallet": 10}
"""Cards on one page of the PDF."""
STEP = 10
"""Cards laid out at a time when the progress is told (a whole sheet of either size)."""

Step = Callable[[int, int], Awaitable[None]]
"""`step(done, total)`: told after each STEP cards are laid out."""


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(PAPER),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )


def render_html(cards: list[CareCard], size: str) -> str:
    per = PER_SHEET[size]
    sheets = [cards[i : i + per] for i in range(0, len(cards), per)]
    chinese = translations(DEFAULT_LOCALE).gettext
    return (
        environment()
        .get_template("card.html")
        .render(sheets=sheets, size=size, limit=CONTACTS[size], role=chinese)
    )


def layout(html: str) -> Document:
    """WeasyPrint is imported here, when first needed: it loads Pango."""
    from weasyprint import CSS, HTML

    css = CSS(filename=PAPER / "card.css")
    return HTML(string=html, base_url=str(PAPER)).render(stylesheets=[css])


def write_pdf(html: str) -> bytes:
    pdf = layout(html).write_pdf()
    assert pdf is not None  # no target given: the bytes come back
    return pdf


def combine(documents: list[Document]) -> bytes:
    """Documents laid out apart as ONE file (WeasyPrint's way: the pages of all)."""
    pages = [page for document in documents for page in document.pages]
    pdf = documents[0].copy(pages).write_pdf()
    assert pdf is not None
    return pdf


async def cards_pdf(cards: list[CareCard], size: str, step: Step | None = None) -> bytes:
    """Set in a thread, so the event loop goes on serving. With `step` (a branch's
    cards, built by the report worker) STEP cards are laid out at a time and
    `step` told after each, then the pages put together as one file."""
    if step is None:
        return await asyncio.to_thread(write_pdf, render_html(cards, size))
    documents = []
    for start in range(0, len(cards), STEP):
        part = render_html(cards[start : start + STEP], size)
        documents.append(await asyncio.to_thread(layout, part))
        await step(min(start + STEP, len(cards)), len(cards))
    return await asyncio.to_thread(combine, documents)


def sheets_of(count: int, size: str) -> int:
    """Pages a file of `count` cards has."""
    return -(-count // PER_SHEET[size])
