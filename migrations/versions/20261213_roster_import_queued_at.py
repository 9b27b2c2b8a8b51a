"""A roster import remembers when its current job was queued.

An import waiting to be checked or committed whose job is gone — the worker was
killed mid-check, or Valkey lost the queue — is queued again by the worker's sweep
or from its page, but only when nobody holds its claim and its last job was queued
more than a minute ago: a job still waiting its turn in a busy queue is left alone.

Revision ID: 20261213_roster_import_queued_at
Revises: 20261212_reports
Create Date: 2026-12-11
"""

from __future__ import annotations

from alembic import op

revision = "20261213_roster_import_queued_at"
down_revision = "20261212_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("alter table roster_imports add column queued_at timestamptz not null default now()")
    op.execute("update roster_imports set queued_at = uploaded_at")
    # The sweep looks for running imports in every district each minute.
    op.execute(
        "create index roster_imports_running on roster_imports (tenant_id, queued_at) "
        "where status in ('uploaded', 'checking', 'committing')"
    )


def downgrade() -> None:
    op.execute("drop index roster_imports_running")
    op.execute("alter table roster_imports drop column queued_at")
