"""After-care: a record keeps the due items it removed, so an undo puts them back.

Recording a death removes the person's unanswered due items from the day of death on
(calendar, concern and 送学上门 items alike). The nightly refresh writes calendar items
only a week ahead and 送学上门 items come from meetings, so neither could be rebuilt on
an undo: `after_care_cases.removed_due_items` keeps the removed rows (their ids, rule,
occasion, window and deadline) and the undo inserts them again, as they were.

Revision ID: 20261224_after_care_undo
Revises: 20261223_care_rules
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "20261224_after_care_undo"
down_revision = "20261223_care_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "alter table after_care_cases add column removed_due_items jsonb not null default '[]'"
    )


def downgrade() -> None:
    op.execute("alter table after_care_cases drop column removed_due_items")
