"""Files people download: one way to send them, and one rule that keeps them out of
htmx.

A download route declares `opt=DOWNLOAD` (merged with its access rule) and answers
with `attachment()`. The link to it is a plain link (`hx-boost="false" download`);
should a page forget that, the boosted request is answered with `HX-Redirect` to the
same address, so the browser fetches the file itself and saves it instead of htmx
pouring its bytes into the page.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response

from app.web.responses import client_redirect

DOWNLOAD: dict[str, Any] = {"download": True, "skip_compression": True}
"""Route opt of a file download (spreadsheets are compressed already)."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(
    content: bytes, filename: str, *, fallback: str, media_type: str = XLSX
) -> Response[bytes]:
    """A file saved under `filename` (Chinese is fine: RFC 6266's filename*; `fallback`
    is the plain ASCII name for old browsers). Downloads hold personal data: no cache
    may keep them (a shared office PC, a proxy)."""
    disposition = f"attachment; filename={fallback}; filename*=UTF-8''{quote(filename)}"
    return Response(
        content,
        media_type=media_type,
        headers={"Content-Disposition": disposition, "Cache-Control": "no-store"},
    )


PHOTO: dict[str, Any] = {"skip_compression": True}
"""Route opt of a photo shown in a page (JPEG is compressed already)."""


def private_photo(content: bytes) -> Response[bytes]:
    """A photo of a visit or of a claim's evidence: shown in a page, personal all the
    same, so no cache keeps it either."""
    return Response(content, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


def send_downloads_past_htmx(request: Request) -> Response[Any] | None:
    """App-wide `before_request`: an htmx request for a download is told to let the
    browser fetch it."""
    if request.route_handler.opt.get("download") and request.headers.get("hx-request"):
        query = request.url.query
        return client_redirect(request.url.path + (f"?{query}" if query else ""))
    return None
