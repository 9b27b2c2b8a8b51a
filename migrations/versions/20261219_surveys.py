"""The anonymous satisfaction survey (不记名调查).

- `surveys` and `survey_questions`: what is asked of whom (a unit's subtree, or the
  whole district when `unit_id` is null); questions are fixed once the survey opens.
- `survey_participants`: who has answered — (survey, person) and nothing else: no
  time, no order worth reading (its primary key is all it has).
- `survey_answers`: what was answered — a random id, the survey and the answers; no
  person, account, session or time. Rows are written only in shuffled batches of at
  least five, or all rewritten at once when the survey closes (app/care/README.md says
  why and what that does not protect against). No index but the primary key, which
  orders by the random id.

Revision ID: 20261219_surveys
Revises: 20261218_care
Create Date: 2026-12-19
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261219_surveys"
down_revision = "20261218_care"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create table surveys (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            title text not null check (length(title) between 1 and 60),
            intro text check (length(intro) <= 500),
            unit_id uuid,
            status varchar(8) not null default 'draft'
                check (status in ('draft', 'open', 'closed')),
            created_by uuid not null,
            created_by_name text not null,
            created_at timestamptz not null default now(),
            opened_on date,
            closed_on date,
            primary key (tenant_id, id),
            foreign key (tenant_id, unit_id) references org_units (tenant_id, id),
            foreign key (tenant_id, created_by) references users (tenant_id, id)
        )""")
    op.execute("""
        create table survey_questions (
            tenant_id uuid not null,
            survey_id uuid not null,
            position smallint not null check (position between 1 and 10),
            kind varchar(8) not null check (kind in ('choice', 'rating', 'text')),
            text text not null check (length(text) between 1 and 200),
            options text[] not null default '{}',
            check ((kind = 'choice') = (cardinality(options) between 2 and 8)),
            primary key (tenant_id, survey_id, position),
            foreign key (tenant_id, survey_id) references surveys (tenant_id, id)
                on delete cascade
        )""")
    op.execute("""
        create table survey_participants (
            tenant_id uuid not null,
            survey_id uuid not null,
            person_id uuid not null,
            primary key (tenant_id, survey_id, person_id),
            foreign key (tenant_id, survey_id) references surveys (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id)
        )""")
    op.execute("""
        create table survey_answers (
            tenant_id uuid not null,
            id uuid not null,
            survey_id uuid not null,
            answers jsonb not null check (jsonb_typeof(answers) = 'object'),
            primary key (tenant_id, id),
            foreign key (tenant_id, survey_id) references surveys (tenant_id, id)
        )""")
    for table in ("surveys", "survey_questions"):
        for statement in tenant_table_sql(table):
            op.execute(statement)
    # Participation is never changed or taken back once written, except by the answer
    # path undoing its own row when the answer could not be pooled (app/care/surveys).
    for statement in tenant_table_sql("survey_participants", privileges="select, insert, delete"):
        op.execute(statement)
    # Answers are deleted only to be rewritten, shuffled, when their survey closes.
    for statement in tenant_table_sql("survey_answers", privileges="select, insert, delete"):
        op.execute(statement)


def downgrade() -> None:
    op.execute("drop table survey_answers")
    op.execute("drop table survey_participants")
    op.execute("drop table survey_questions")
    op.execute("drop table surveys")
