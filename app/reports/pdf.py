"""PDF files from Jinja templates through WeasyPrint, in Chinese on A4.

WeasyPrint lays out HTML and CSS for paper (page size, margins, running page numbers,
table headers repeated on each page) with Pango, so Chinese is set by the system's
fonts — Debian's fonts-noto-cjk, which `make` installs. The templates are documents,
not pages: Chinese whatever the reader's language, like the paper ledger they replace,
so their words are written in them rather than looked up in the catalogs.
"""

from __future__ import annotations

import asyncio
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.points.numbers import points_text
from app.settings import PROJECT_ROOT

TEMPLATE_DIRS = sorted(str(p) for p in (PROJECT_ROOT / "app" / "reports").glob("**/templates"))

_env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIRS),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["points"] = lambda value, signed=False: points_text(value, signed)


def render_html(template: str, context: dict[str, Any]) -> str:
    return _env.get_template(template).render(**context)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported when first used: it loads Pango

    return HTML(string=html, base_url=str(PROJECT_ROOT)).write_pdf()  # type: ignore[no-any-return]


async def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The template rendered and laid out in a worker thread (seconds for a long
    document), so the job's event loop goes on recording progress."""
    return await asyncio.to_thread(html_to_pdf, render_html(template, context))
