"""Reports built by the worker: one row per report asked for (its kind, parameters,
progress, file and expiry), and each district's keeping time for the files.

Revision ID: 20261212_reports
Revises: 20261211_notifications
Create Date: 2026-12-12
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261212_reports"
down_revision = "20261211_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create table reports (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            kind varchar(40) not null,
            parameters jsonb not null default '{}',
            subject text not null,
            requested_by uuid not null,
            status varchar(8) not null default 'queued'
                check (status in ('queued', 'running', 'done', 'failed', 'expired')),
            progress smallint not null default 0 check (progress between 0 and 100),
            attempt smallint not null default 1,
            file_key text,
            filename text,
            media_type text,
            size integer,
            error text,
            error_args jsonb not null default '{}',
            created_at timestamptz not null,
            started_at timestamptz,
            finished_at timestamptz,
            moved_at timestamptz not null,
            expires_at timestamptz,
            primary key (tenant_id, id),
            foreign key (tenant_id, requested_by) references users (tenant_id, id),
            check (status <> 'done' or (file_key is not null and expires_at is not null))
        )""")
    # An account's list, newest first; the sweep's two questions (what waits, what expired).
    op.execute("create index ix_reports_requested on reports (tenant_id, requested_by, created_at)")
    op.execute(
        "create index ix_reports_waiting on reports (tenant_id, moved_at)"
        " where status in ('queued', 'running')"
    )
    op.execute(
        "create index ix_reports_expiring on reports (tenant_id, expires_at)"
        " where file_key is not null"
    )
    for statement in tenant_table_sql("reports", privileges="select, insert, update"):
        op.execute(statement)
    op.execute("""
        create table report_settings (
            tenant_id uuid not null references tenants (id),
            keep_days smallint not null default 7 check (keep_days between 1 and 90),
            changed_by_name text not null,
            changed_at timestamptz not null,
            primary key (tenant_id)
        )""")
    for statement in tenant_table_sql("report_settings", privileges="select, insert, update"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("drop table if exists report_settings")
    op.execute("drop table if exists reports")
