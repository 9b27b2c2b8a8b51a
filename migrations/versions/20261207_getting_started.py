"""A new district's getting-started card: the steps an administrator has declared done
(the org tree checked, the preset point rules kept), and each administrator's choice to
hide the card.

The other steps are read from the district's own data (people, grids, rule versions,
invitations), so only what no table can show is stored here.

Revision ID: 20261207_getting_started
Revises: 20261206_roster_contacts
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261207_getting_started"
down_revision = "20261206_roster_contacts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create table setup_checks (
            tenant_id uuid not null references tenants (id),
            step varchar(20) not null check (step in ('org_tree', 'point_rules')),
            checked_by uuid not null,
            checked_by_name text not null,
            checked_at timestamptz not null default now(),
            primary key (tenant_id, step),
            foreign key (tenant_id, checked_by) references users (tenant_id, id)
        )""")
    # A step once declared done stays done: the app adds and reads, never rewrites.
    for statement in tenant_table_sql("setup_checks", privileges="select, insert"):
        op.execute(statement)
    op.execute("alter table users add column getting_started_hidden_at timestamptz")


def downgrade() -> None:
    op.execute("alter table users drop column if exists getting_started_hidden_at")
    op.execute("drop table if exists setup_checks")
