"""The certificate as an A4 PDF in Chinese (WeasyPrint, Noto CJK fonts, like the
annual summary in app/reports/summary/), with its verification code and a QR code
of the public check's address.

It is set in the request, in a thread: measured by bench/certificates.py, a warm
certificate takes 0.5 s (one page) to 1.4 s (150 activities, six pages) on the
loaded 2-core machine — under the 2 s past which it would be a report kind built by
the worker. Importing WeasyPrint (Pango, the fonts) costs a process 3–4 s more, once:
the record page, which comes before any download, starts that import in a thread of
its own (`warm_up`), so the first download of a web process does not pay for it.

The document is Chinese whatever the reader's language, like the paper it replaces:
its words are written in the template (paper/certificate.html), not looked up.
"""

from __future__ import annotations

import asyncio
import importlib
import threading
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import segno
from babel.dates import format_date
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.i18n import DEFAULT_LOCALE, translations
from app.volunteering.certificates.codes import grouped
from app.volunteering.certificates.service import CertificateDocument, figures_of, when

PAPER = Path(__file__).parent / "paper"


def check_url(public_url: str, code: str) -> str:
    """The public check's absolute address, as the QR code holds it."""
    return f"{public_url.rstrip('/')}/verify/{code}"


def qr_code(url: str) -> segno.QRCode:
    """Medium error correction: still readable from a creased or photocopied sheet."""
    return segno.make(url, error="m", micro=False)


def qr_data_uri(url: str) -> str:
    return qr_code(url).svg_data_uri(scale=4, border=2)


def hours_text(hours: Decimal | int) -> str:
    """2.0 → 2, 2.5 → 2.5."""
    hours = Decimal(hours)
    return f"{hours.normalize():f}" if hours == hours.to_integral() else f"{hours:f}"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(PAPER),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
    )
    env.filters["hours"] = hours_text
    env.filters["day"] = lambda day: format_date(day, format="long", locale=DEFAULT_LOCALE)
    return env


def render_html(document: CertificateDocument, url: str) -> str:
    c = document.certificate
    chinese = translations(DEFAULT_LOCALE).gettext
    return environment().get_template("certificate.html").render(
        c=c, name=document.name, district=document.district,
        lines=[(line, chinese(line.kind_label)) for line in document.lines],
        total=figures_of(document.lines), code=grouped(c.code), url=url,
        qr=qr_data_uri(url), issued_on=when(c.issued_at),
    )  # fmt: skip


_warming = threading.Lock()
_warmed = False


def warm_up() -> None:
    """Import WeasyPrint in a background thread, once per process (the import lock
    makes a download that comes before it is done wait for it, not import twice)."""
    global _warmed
    with _warming:
        if _warmed:
            return
        _warmed = True
    loading = threading.Thread(
        target=importlib.import_module, args=("weasyprint",), name="weasyprint", daemon=True
    )
    loading.start()


def write_pdf(html: str) -> bytes:
    """WeasyPrint is imported here, when first needed: it loads Pango."""
    from weasyprint import CSS, HTML

    css = CSS(filename=PAPER / "certificate.css")
    pdf = HTML(string=html, base_url=str(PAPER)).write_pdf(stylesheets=[css])
    assert pdf is not None  # no target given: the bytes come back
    return pdf


async def certificate_pdf(document: CertificateDocument, url: str) -> bytes:
    """Set in a thread, so the web process's event loop goes on serving."""
    return await asyncio.to_thread(write_pdf, render_html(document, url))


def filename(document: CertificateDocument) -> str:
    return f"志愿服务记录证明-{document.name}-{document.certificate.code}.pdf"
