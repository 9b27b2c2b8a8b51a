"""Sessions end when the password changes, even when the change races a login."""

from __future__ import annotations

import pytest

from app.access import load_identity
from app.accounts.login import service as login_service
from app.accounts.login.service import LoginService
from app.accounts.passwords.service import PasswordService
from app.accounts.throttle import login_throttle
from app.core.identity import Actor
from app.core.roles import Role
from app.db.tenant import tenant_scope
from app.state import AppServices
from tests.factories import PASSWORD, World


async def test_a_reset_committed_during_a_login_check_ends_that_login(
    services: AppServices, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = world.a.users[Role.MEMBER]
    admin = world.a.users[Role.TENANT_ADMIN]
    auth = services.settings.auth
    throttle = login_throttle(services.redis, auth)
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            token, _ = await PasswordService(session, auth, throttle).issue_reset(
                member.id, Actor("user", admin.name, admin.id)
            )
    real_verify = login_service.verify_password

    async def verify_while_resetting(password_hash: str | None, password: str) -> bool:
        ok = await real_verify(password_hash, password)  # the old password still matches
        async with services.db.unit() as session:  # another request, meanwhile
            await PasswordService(session, auth, throttle).reset(
                token, "Brand-new-2026", "Brand-new-2026"
            )
        return ok

    monkeypatch.setattr(login_service, "verify_password", verify_while_resetting)
    async with services.db.unit() as session:
        outcome = await LoginService(session, throttle).authenticate(
            member.phone, PASSWORD, "192.0.2.1"
        )
    assert outcome.session is not None  # the check itself passed…
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            identity = await load_identity(session, services.settings, outcome.session)
    assert identity is None  # …but the session is dead
