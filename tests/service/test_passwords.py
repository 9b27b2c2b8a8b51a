"""Sessions end when the password changes, even when the change races a login."""

from __future__ import annotations

import pytest

from app.access import load_identity
from app.accounts import service as accounts_service
from app.accounts.password_changes import PasswordService
from app.accounts.service import AccountService
from app.core.identity import Actor
from app.core.roles import Role
from app.state import AppServices
from tenants.context import tenant_scope
from tests.factories import PASSWORD, World


async def test_a_reset_committed_during_a_login_check_ends_that_login(
    services: AppServices, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = world.a.users[Role.MEMBER]
    admin = world.a.users[Role.TENANT_ADMIN]
    passwords = PasswordService(services)
    with tenant_scope(world.a.tenant_id):
        token, _ = await passwords.issue_reset(member.id, Actor("user", admin.name, admin.id))
    real_verify = accounts_service.verify_password

    async def verify_while_resetting(password_hash: str | None, password: str) -> bool:
        ok = await real_verify(password_hash, password)  # the old password still matches
        await passwords.reset(token, "Brand-new-2026", "Brand-new-2026")
        return ok

    monkeypatch.setattr(accounts_service, "verify_password", verify_while_resetting)
    outcome = await AccountService(services).authenticate(member.phone, PASSWORD, "192.0.2.1")
    assert outcome.session is not None  # the check itself passed…
    with tenant_scope(world.a.tenant_id):
        async with services.db.unit() as session:
            identity = await load_identity(session, services.settings, outcome.session)
    assert identity is None  # …but the session is dead
