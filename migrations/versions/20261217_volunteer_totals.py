"""Volunteering: an activity's revision, and the district figures read from indexes.

- `volunteer_activities.revision`: bumped by each correction of the participants; a
  participant written or rewritten takes it, so the points reference
  `volunteer:{activity}:{person}:{revision}` is new even for someone taken out and put
  back (their row is deleted when taken out).
- `volunteer_activities.hours`: the sum of its participants' hours, kept by the service
  in the same transaction as the rows. The district's figures for a year then sum
  20,000 activities instead of 100,000 hours rows (a seq scan of 65 ms in the bench,
  where the year is half the table), and a partial covering index makes that an
  index-only scan of the year's live activities (11 ms).

Revision ID: 20261217_volunteer_totals
Revises: 20261216_home_study_rule
Create Date: 2026-12-16
"""

from __future__ import annotations

from alembic import op

revision = "20261217_volunteer_totals"
down_revision = "20261216_home_study_rule"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        alter table volunteer_activities
            add column revision integer not null default 1,
            add column hours numeric(8, 1) not null default 0 check (hours >= 0)""")
    op.execute("""
        create index ix_volunteer_activities_live on volunteer_activities (tenant_id, held_on)
            include (team_id, hours, good_deeds, beneficiaries) where cancelled_at is null""")


def downgrade() -> None:
    op.execute("drop index ix_volunteer_activities_live")
    op.execute("alter table volunteer_activities drop column revision, drop column hours")
