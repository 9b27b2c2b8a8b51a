"""Every route of accounts, gathered from its sub-packages for app.main."""

from __future__ import annotations

from litestar.types import ControllerRouterHandler

from app.accounts.invitations import routes as invitations
from app.accounts.login import routes as login
from app.accounts.passwords import routes as passwords
from app.accounts.users import routes as users

ROUTES: list[ControllerRouterHandler] = [
    *login.ROUTES,
    *users.ROUTES,
    *invitations.ROUTES,
    *passwords.ROUTES,
]
