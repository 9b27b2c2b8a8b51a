"""Volunteering: an activity's revision, and the district figures read from indexes.

- `volunteer_activities.revision`: bumped by each correction of the participants; a
  participant written or rewritten takes it, so the points reference
  `volunteer:{activity}:{person}:{revision}` is new even for someone taken out and put
  back (their row is deleted when taken out).
- The district's figures for a year sum 20,000 live activities (good deeds,
  beneficiaries, per team): a partial covering index makes that an index-only scan of
  the year's entries instead of 20,000 heap reads.

Revision ID: 20261216_volunteer_totals
Revises: 20261215_orglife_volunteering
Create Date: 2026-12-16
"""

from __future__ import annotations

from alembic import op

revision = "20261216_volunteer_totals"
down_revision = "20261215_orglife_volunteering"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("alter table volunteer_activities add column revision integer not null default 1")
    op.execute("""
        create index ix_volunteer_activities_live on volunteer_activities (tenant_id, held_on)
            include (team_id, good_deeds, beneficiaries) where cancelled_at is null""")


def downgrade() -> None:
    op.execute("drop index ix_volunteer_activities_live")
    op.execute("alter table volunteer_activities drop column revision")
