"""Password resets: one-time links an admin issues, and ending older sessions.

Revision ID: 20261124_password_resets
Revises: 20261124_foundation
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

from tenants.rls import RUNTIME_ROLE, tenant_table_sql

revision = "20261124_password_resets"
down_revision = "20261124_foundation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Bumped by every reset or change; a session remembers the version it logged in
    # with and ends when they differ (no clocks compared, no race with a login).
    op.execute("alter table users add column password_version integer not null default 0")
    op.execute("""
        create table password_resets (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            user_id uuid not null,
            token_hash bytea not null,
            issued_by uuid not null,
            created_at timestamptz not null default now(),
            expires_at timestamptz not null,
            used_at timestamptz,
            primary key (tenant_id, id),
            unique (tenant_id, token_hash),
            foreign key (tenant_id, user_id) references users (tenant_id, id) on delete cascade,
            foreign key (tenant_id, issued_by) references users (tenant_id, id)
        )""")
    op.execute("create index ix_password_resets_token_hash on password_resets (token_hash)")
    for statement in tenant_table_sql("password_resets"):
        op.execute(statement)
    op.execute("""
        create function password_reset_tenant(p_token_hash bytea) returns uuid
        language sql stable security definer set search_path = public, pg_temp as $$
            select tenant_id from password_resets
             where token_hash = p_token_hash and used_at is null and expires_at > now()
        $$""")
    op.execute("revoke all on function password_reset_tenant(bytea) from public")
    op.execute(f"grant execute on function password_reset_tenant(bytea) to {RUNTIME_ROLE}")


def downgrade() -> None:
    op.execute("drop function if exists password_reset_tenant(bytea)")
    op.execute("drop table if exists password_resets")
    op.execute("alter table users drop column if exists password_version")
