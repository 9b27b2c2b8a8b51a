"""Invitation links that no longer work say why: used, withdrawn or expired.

`invitation_tenant()` finds only open invitations, so a used link looked like one that
never existed (a bare 404). This function answers, for any token, only the state of
its invitation — no tenant, name or phone — so the page can say "already used, log in"
without revealing anything about the account. Like the other cross-tenant lookups it
is a narrow SECURITY DEFINER function owned by the migrating role.

Revision ID: 20261209_invitation_link_state
Revises: 20261208_request_callbacks
Create Date: 2026-12-09
"""

from __future__ import annotations

from alembic import op

from tenants.rls import RUNTIME_ROLE

revision = "20261209_invitation_link_state"
down_revision = "20261208_request_callbacks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create function invitation_link_state(p_token_hash bytea) returns text
        language sql stable security definer set search_path = public, pg_temp as $$
            select case when accepted_at is not null then 'used'
                        when revoked_at is not null then 'revoked'
                        when expires_at <= now() then 'expired'
                        else 'open' end
              from invitations where token_hash = p_token_hash
             limit 1
        $$""")
    op.execute("revoke all on function invitation_link_state(bytea) from public")
    op.execute(f"grant execute on function invitation_link_state(bytea) to {RUNTIME_ROLE}")


def downgrade() -> None:
    op.execute("drop function if exists invitation_link_state(bytea)")
