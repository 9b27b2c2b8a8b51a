"""通知设置: every account chooses its outside channels per kind, quiet hours and email."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.i18n import _
from app.notifications.kinds import CHANNEL_LABELS, KINDS
from app.notifications.preferences.forms import parse_preferences, tick
from app.notifications.preferences.service import PreferenceService, Settings
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import LOGGED_IN
from app.web.responses import form_data, form_page, see_other

PAGE = "notifications/settings.html"


def settings_form(current: Settings) -> dict[str, str]:
    """The stored choices as the form's fields."""
    return {
        **{tick(kind, c): "1" for kind, chosen in current.chosen.items() for c in chosen},
        "quiet_start": current.quiet_start.strftime("%H:%M"),
        "quiet_end": current.quiet_end.strftime("%H:%M"),
        "email": current.email,
    }


def page_context(current: Settings, form: dict[str, str]) -> dict[str, Any]:
    return {
        "current": current,
        "form": form,
        "kinds": KINDS,
        "missing": [_(CHANNEL_LABELS[channel]) for channel in current.missing],
        "channel_labels": CHANNEL_LABELS,
        "tick": tick,
    }


@get("/inbox/settings", opt=LOGGED_IN)
async def preferences(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    services: NamedDependency[AppServices],
) -> Template:
    current = await PreferenceService(db_session, services.settings.notify).current(identity)
    return form_page(request, PAGE, page_context(current, settings_form(current)))


@post("/inbox/settings", opt=LOGGED_IN)
async def save_preferences(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    services: NamedDependency[AppServices],
) -> Any:
    preferences = PreferenceService(db_session, services.settings.notify)
    current = await preferences.current(identity)
    data = await form_data(request)
    try:
        await preferences.save(identity, parse_preferences(data, current.kinds, current.offered))
    except Refused as refused:
        return form_page(request, PAGE, page_context(current, data), refused)
    flash(request, "success", _("Notice settings saved."))
    return see_other(request, "/inbox/settings")


ROUTES: list[ControllerRouterHandler] = [preferences, save_preferences]
