"""The collective birthday party list (集体生日会) as an A4 PDF in Chinese (WeasyPrint,
Noto CJK, like the volunteer certificate in app/volunteering/certificates/): a sheet
the secretary prints for the party, with a column to sign.

Set in the request, in a thread (a list of a large center is two or three pages, well
under the 2 s past which it would be a report the worker builds). The sheet is Chinese
whatever the reader's language, like the paper it replaces: its words are written in
the template (paper/birthday_parties.html), not looked up.
"""

from __future__ import annotations

import asyncio
from datetime import date
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.care.calendar.service import PartyList

PAPER = Path(__file__).parent / "paper"


def chinese_day(day: date) -> str:
    return f"{day.month}月{day.day}日"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(PAPER),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    env.filters["day"] = chinese_day
    return env


def render_html(party: PartyList, district: str) -> str:
    return (
        environment()
        .get_template("birthday_parties.html")
        .render(party=party, district=district, month=party.month)
    )


def write_pdf(html: str) -> bytes:
    """WeasyPrint is imported here, when first needed: it loads Pango."""
    from weasyprint import CSS, HTML

    css = CSS(filename=PAPER / "birthday_parties.css")
    pdf = HTML(string=html, base_url=str(PAPER)).write_pdf(stylesheets=[css])
    assert pdf is not None  # no target given: the bytes come back
    return pdf


async def party_pdf(party: PartyList, district: str) -> bytes:
    """Set in a thread, so the web process's event loop goes on serving."""
    return await asyncio.to_thread(write_pdf, render_html(party, district))


def filename(party: PartyList) -> str:
    unit = party.unit.name if party.unit else ""
    return f"集体生日会-{unit}-{party.month.year}年{party.month.month}月.pdf"
