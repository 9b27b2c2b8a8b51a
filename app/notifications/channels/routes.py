"""The admin's pages for sending: the SMS and WeChat gateways, and the deliveries that
failed for good, each retried with a button. A district admin looks after the
district's; the operator after the platform's (for operators and provincial viewers)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from litestar.types import ControllerRouterHandler
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import Refused
from app.core.identity import Identity
from app.core.query_params import query_page
from app.core.roles import Role
from app.i18n import N_, _
from app.notifications.channels.forms import (
    GATEWAY_CHANNELS,
    Address,
    own_address,
    parse_gateway,
)
from app.notifications.channels.service import FailedDeliveries, GatewayService, error_words
from app.notifications.kinds import CHANNEL_LABELS, KINDS, Channel
from app.state import AppServices
from app.web.flash import flash
from app.web.guards import allow
from app.web.responses import form_data, form_page, refused_back, render, see_other

ADMINS = allow(Role.TENANT_ADMIN, Role.OPERATOR)
PAGE = "notifications/channels.html"


def own_addresses(request: Request, services: AppServices) -> set[Address]:
    """This app's addresses: the one the admin is using and the public one."""
    found = {own_address(str(request.base_url)), own_address(services.settings.notify.public_url)}
    return {address for address in found if address is not None}


async def channels_context(
    gateways: GatewayService, sent: str = "", form: dict[str, str] | None = None
) -> dict[str, Any]:
    """The page's context; a refused form (`sent` names its channel) shows what was
    typed, its message above it and each field's beside it."""
    found = await gateways.gateways()
    forms = {
        channel: {"url": found[channel].url} if channel in found else {}
        for channel in GATEWAY_CHANNELS
    }
    if sent in forms and form is not None:
        forms[Channel(sent)] = form
    return {
        "channels": GATEWAY_CHANNELS,
        "labels": CHANNEL_LABELS,
        "gateways": found,
        "forms": forms,
        "sent": sent,
        "form": form or {},
    }


@get("/notifications/channels", opt=ADMINS)
async def channels(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    services: NamedDependency[AppServices],
) -> Template:
    gateways = GatewayService(db_session, services.cipher)
    return form_page(request, PAGE, await channels_context(gateways))


@post("/notifications/channels", opt=ADMINS)
async def save_channel(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    services: NamedDependency[AppServices],
) -> Any:
    gateways = GatewayService(db_session, services.cipher)
    data = await form_data(request)
    has_secret = data.get("channel", "") in await gateways.gateways()
    try:
        form = parse_gateway(data, own_addresses(request, services), has_secret=has_secret)
        await gateways.save(identity, form)
    except Refused as refused:
        data.pop("secret", None)  # never sent back to the page
        context = await channels_context(gateways, data.get("channel", ""), data)
        return form_page(request, PAGE, context, refused)
    flash(
        request, "success", _("%(channel)s gateway saved.", channel=_(CHANNEL_LABELS[form.channel]))
    )
    return see_other(request, "/notifications/channels")


@post("/notifications/channels/remove", opt=ADMINS)
async def remove_channel(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
    services: NamedDependency[AppServices],
) -> Any:
    data = await form_data(request)
    channel = data.get("channel", "")
    if channel not in GATEWAY_CHANNELS:
        return refused_back(
            request, Refused(N_("Please choose text message or WeChat.")), "/notifications/channels"
        )
    if await GatewayService(db_session, services.cipher).remove(identity, Channel(channel)):
        flash(
            request,
            "success",
            _("%(channel)s gateway removed.", channel=_(CHANNEL_LABELS[Channel(channel)])),
        )
    return see_other(request, "/notifications/channels")


@get("/notifications/failed", opt=ADMINS)
async def failed(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    identity: NamedDependency[Identity],
) -> Template:
    found = await FailedDeliveries(db_session).page(identity, query_page(request.query_params))
    return render(
        request,
        "notifications/failed.html",
        {
            "found": found,
            # Looked up by value: a StrEnum key matches its plain string.
            "kind_label": lambda kind: _(KINDS[kind].label) if kind in KINDS else kind,
            "channel_label": lambda channel: _(CHANNEL_LABELS.get(channel) or channel),
            "error_words": error_words,
        },
    )


@post("/notifications/failed/{delivery_id:uuid}/retry", opt=ADMINS)
async def retry(
    request: Request,
    db_session: NamedDependency[AsyncSession],
    services: NamedDependency[AppServices],
    delivery_id: FromPath[UUID],
) -> Any:
    if await FailedDeliveries(db_session).retry(delivery_id, services.redis):
        flash(request, "success", _("Sending it again now."))
    else:
        flash(request, "info", _("It is already being sent again."))
    return see_other(request, "/notifications/failed")


ROUTES: list[ControllerRouterHandler] = [channels, save_channel, remove_channel, failed, retry]
