"""Site-wide routes that belong to no capability."""

from __future__ import annotations

from typing import Any

from litestar import Request, post

from app.i18n import LOCALES
from app.web.guards import PUBLIC
from app.web.identity import LOCALE_COOKIE
from app.web.responses import form_data, safe_next, see_other


@post("/locale", opt=PUBLIC)
async def switch_locale(request: Request) -> Any:
    """Remember the chosen language for a year and return to the page it was chosen on."""
    data = await form_data(request)
    locale = data.get("locale", "")
    response = see_other(request, safe_next(data.get("next"), "/"), full_reload=True)
    if locale in LOCALES:
        response.set_cookie(LOCALE_COOKIE, locale, max_age=365 * 86400, path="/", samesite="lax")
    return response
