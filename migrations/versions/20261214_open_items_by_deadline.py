"""Open must-visits by their deadline, for the homes' count of overdue ones.

The admin's home counts the district's overdue must-visits on every visit (unanswered,
due between thirty days ago and now). The one index of open items leads with the
person (the due list reads a grid's people one by one), so a district-wide count read
all 390,000 items of the large bench district; this one reads the few hundred overdue.

Revision ID: 20261214_open_items_by_deadline
Revises: 20261213_roster_import_queued_at
Create Date: 2026-12-11
"""

from __future__ import annotations

from alembic import op

revision = "20261214_open_items_by_deadline"
down_revision = "20261213_roster_import_queued_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create index ix_visit_due_items_open_by_deadline on visit_due_items (tenant_id, due_at)
            where visit_id is null""")


def downgrade() -> None:
    op.execute("drop index ix_visit_due_items_open_by_deadline")
