"""Every route of notifications: the inbox and its settings for every account, and
the admin's gateways and failed deliveries."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.notifications.channels import routes as channels
from app.notifications.inbox import routes as inbox
from app.notifications.preferences import routes as preferences

ROUTES: list[ControllerRouterHandler] = [
    *inbox.ROUTES,
    *preferences.ROUTES,
    *channels.ROUTES,
]
