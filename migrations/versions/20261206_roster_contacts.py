"""Roster: landlines as contact phones, and what a roster import keeps of its rows.

A person's phone and family contact's phone may be a landline, stored as
`0532-82861234` (13 characters) or as the local number; accounts keep their 11-digit
mobiles in `users`.

A bad contact value no longer refuses the row: the dry run lists it as a warning
beside the row, which is imported without that value. A health note that says 卧床 or
失能 proposes the infirm flag, which the admin confirms row by row before the commit.
The rows with problems or warnings outlive the commit, with their cells encrypted
like ID numbers, to be downloaded, fixed and uploaded again.

Revision ID: 20261206_roster_contacts
Revises: 20261125_grid
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "20261206_roster_contacts"
down_revision = "20261125_grid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        alter table people
            alter column phone type varchar(20),
            alter column family_contact_phone type varchar(20)""")
    op.execute("""
        alter table roster_import_rows
            add column warnings jsonb not null default '[]',
            add column infirm_sign text,
            add column infirm_confirmed boolean not null default false,
            add column cells_enc bytea,
            add check (infirm_sign is not null or not infirm_confirmed)""")


def downgrade() -> None:
    op.execute("""
        alter table roster_import_rows
            drop column warnings, drop column infirm_sign, drop column infirm_confirmed,
            drop column cells_enc""")
    op.execute("""
        alter table people
            alter column phone type varchar(11) using left(replace(phone, '-', ''), 11),
            alter column family_contact_phone type varchar(11)
                using left(replace(family_contact_phone, '-', ''), 11)""")
