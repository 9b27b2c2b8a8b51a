"""Service requests: who resolved one, and whom it asks to call the person back.

A resolved request waits for the person's answer, which someone who did not do the
work asks for (回访). Who that is — the grid workers of the person's grid, else the
next level of the escalation chain that has someone, never the assignee nor whoever
resolved it — is decided at resolution and kept, as an assignment is, so each
account's list of call-backs is one indexed lookup rather than the chain walked
again for every resolved request on every page.

Revision ID: 20261208_request_callbacks
Revises: 20261207_getting_started
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "20261208_request_callbacks"
down_revision = "20261207_getting_started"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        alter table service_requests
            add column resolved_by uuid,
            add column callback_by uuid[] not null default '{}',
            add foreign key (tenant_id, resolved_by) references users (tenant_id, id)""")
    op.execute("""
        create index ix_service_requests_callback_by on service_requests
            using gin (callback_by) where status = 'resolved'""")


def downgrade() -> None:
    op.execute("drop index ix_service_requests_callback_by")
    op.execute("alter table service_requests drop column callback_by, drop column resolved_by")
