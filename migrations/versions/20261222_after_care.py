"""After-care (善后): a death recorded with the help given to the family.

- `after_care_cases`: one per death recorded through after-care — the date and cause,
  what the record changed so an admin can undo a mistaken one (the date of death the
  roster had before, the concerns it closed, whether it disabled the person's account),
  and the undo itself (who, when, why). At most one live case per person.
- `after_care_help`: each piece of help given to the family — a day, what, who gave
  it, and money where there was some (numeric(12, 2) yuan, never a float).
  The condolence visit itself is a visit of kind `condolence` (20261218_care).

Revision ID: 20261222_after_care
Revises: 20261221_care_aid
Create Date: 2026-12-19
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261222_after_care"
down_revision = "20261221_care_aid"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create table after_care_cases (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            person_id uuid not null,
            deceased_on date not null,
            cause text check (length(cause) <= 200),
            previous_deceased_on date,
            closed_concerns uuid[] not null default '{}',
            account_disabled boolean not null default false,
            recorded_by uuid not null,
            recorded_by_name text not null,
            recorded_at timestamptz not null default now(),
            undone_at timestamptz,
            undone_by_name text,
            undo_reason text check (length(undo_reason) <= 200),
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, recorded_by) references users (tenant_id, id)
        )""")
    op.execute("""
        create unique index uq_after_care_cases_person on after_care_cases
            (tenant_id, person_id) where undone_at is null""")
    op.execute("create index ix_after_care_cases_year on after_care_cases (tenant_id, deceased_on)")
    op.execute("""
        create table after_care_help (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            case_id uuid not null,
            given_on date not null,
            what text not null check (length(what) between 1 and 200),
            given_by text not null check (length(given_by) between 1 and 60),
            money numeric(12, 2) check (money > 0 and money < 1000000),
            recorded_by_name text not null,
            recorded_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, case_id) references after_care_cases (tenant_id, id)
        )""")
    op.execute("create index ix_after_care_help_case on after_care_help (tenant_id, case_id)")
    for table in ("after_care_cases", "after_care_help"):
        for statement in tenant_table_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("drop table after_care_help")
    op.execute("drop table after_care_cases")
