"""Site-wide routes that belong to no capability."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Response

from app.i18n import LOCALES
from app.settings import PROJECT_ROOT
from app.web.assets import Assets
from app.web.guards import PUBLIC
from app.web.identity import LOCALE_COOKIE
from app.web.responses import form_data, safe_next, see_other

A_YEAR = 365 * 86400


@post("/locale", opt=PUBLIC)
async def switch_locale(request: Request) -> Any:
    """Remember the chosen language for a year and return to the page it was chosen on."""
    data = await form_data(request)
    locale = data.get("locale", "")
    response = see_other(request, safe_next(data.get("next"), "/"), full_reload=True)
    if locale in LOCALES:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=A_YEAR, path="/", samesite="lax")
    return response


FAVICON = PROJECT_ROOT / "static" / "favicon.ico"


@get("/favicon.ico", opt={**PUBLIC, "skip_compression": True}, include_in_schema=False)
async def favicon() -> Response[bytes]:
    """The red star browsers ask for at the site's root (and show on its tab)."""
    return Response(
        FAVICON.read_bytes(),
        media_type="image/x-icon",
        headers={"Cache-Control": "public, max-age=2592000"},
    )


@get("/assets/{name:str}", opt={**PUBLIC, "skip_compression": True}, include_in_schema=False)
async def asset(request: Request, name: FromPath[str]) -> Response[bytes]:
    """A bundle (app.web.assets) under its hashed name, kept by browsers for a year. A
    page rendered before a deploy may ask for the previous name: it gets today's file,
    to be asked for again next time."""
    assets: Assets = request.app.state.assets
    found = assets.find(name)
    if found is None:
        raise NotFoundException()
    bundle, current = found
    headers = {
        "Cache-Control": "public, max-age=31536000, immutable" if current else "no-cache",
        "Vary": "Accept-Encoding",
    }
    body = bundle.body
    if "gzip" in request.headers.get("accept-encoding", ""):
        body = bundle.gzipped
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=bundle.media_type, headers=headers)
