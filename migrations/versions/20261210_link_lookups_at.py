"""The cross-tenant link lookups take the moment to judge expiry at from the app.

`invitation_tenant()`, `invitation_link_state()` and `password_reset_tenant()` compared
`expires_at` with the database's `now()`, while the app writes `expires_at` from its
own clock (app.core.clock), which tests and end-to-end runs move. Each now takes the
moment as `p_now`, so one clock decides whether a link is open. They still return only
a tenant id or a state word, for a token hash the caller already holds.

Revision ID: 20261210_link_lookups_at
Revises: 20261209_invitation_link_state
Create Date: 2026-12-10
"""

from __future__ import annotations

from alembic import op

from tenants.rls import RUNTIME_ROLE

revision = "20261210_link_lookups_at"
down_revision = "20261209_invitation_link_state"
branch_labels = None
depends_on = None

LOOKUPS = {
    "invitation_tenant": """returns uuid
        language sql stable security definer set search_path = public, pg_temp as $$
            select tenant_id from invitations
             where token_hash = p_token_hash and accepted_at is null and revoked_at is null
               and expires_at > {now}
        $$""",
    "invitation_link_state": """returns text
        language sql stable security definer set search_path = public, pg_temp as $$
            select case when accepted_at is not null then 'used'
                        when revoked_at is not null then 'revoked'
                        when expires_at <= {now} then 'expired'
                        else 'open' end
              from invitations where token_hash = p_token_hash
             limit 1
        $$""",
    "password_reset_tenant": """returns uuid
        language sql stable security definer set search_path = public, pg_temp as $$
            select tenant_id from password_resets
             where token_hash = p_token_hash and used_at is null and expires_at > {now}
        $$""",
}


def _replace(old_signature: str, new_signature: str, now: str) -> None:
    for name, body in LOOKUPS.items():
        op.execute(f"drop function {name}({old_signature})")
        op.execute(f"create function {name}({new_signature}) {body.format(now=now)}")
        signature = new_signature.replace("p_token_hash ", "").replace("p_now ", "")
        op.execute(f"revoke all on function {name}({signature}) from public")
        op.execute(f"grant execute on function {name}({signature}) to {RUNTIME_ROLE}")


def upgrade() -> None:
    _replace("bytea", "p_token_hash bytea, p_now timestamptz", "p_now")


def downgrade() -> None:
    _replace("bytea, timestamptz", "p_token_hash bytea", "now()")
