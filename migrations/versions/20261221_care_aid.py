"""Hardship aid (帮扶) from a named fund.

- `aid_funds`: one fund per district, 困难党员帮扶基金, made here for the districts that
  exist and on first use for a new one (app/care/aid/service.py `the_fund`).
- `aid_income`: money put into the fund (date, amount, where it came from).
- `aid_applications`: a person, a reason kind, a description, the amount asked; the
  district admin's decision (approved with an amount, or refused) with a reason.
- `aid_evidence`: files sent with an application (images or PDF, checked by their
  first bytes, at most 10 MB each).
- `aid_payments`: money paid from the fund on an approved application. The balance is
  income − payments; a payment locks the fund's row, so two at once cannot overdraw it.
All money is numeric(12, 2) yuan, more than 0 and under a million. Income, payments and
evidence are append-only for the app (no UPDATE or DELETE grants): the ledger is history.

Revision ID: 20261221_care_aid
Revises: 20261220_political_birthdays
Create Date: 2026-12-19
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261221_care_aid"
down_revision = "20261220_political_birthdays"
branch_labels = None
depends_on = None

MONEY = "numeric(12, 2) not null check ({0} > 0 and {0} < 1000000)"
TABLES = ("aid_payments", "aid_evidence", "aid_applications", "aid_income", "aid_funds")


def upgrade() -> None:
    op.execute("""
        create table aid_funds (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            name text not null check (length(name) between 1 and 60),
            created_at timestamptz not null default now(),
            primary key (tenant_id, id),
            unique (tenant_id)
        )""")
    # Existing districts get their fund now, before RLS is turned on below.
    op.execute(
        "insert into aid_funds (tenant_id, id, name) "
        "select id, gen_random_uuid(), '困难党员帮扶基金' from tenants"
    )
    op.execute(f"""
        create table aid_income (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            fund_id uuid not null,
            received_on date not null,
            amount {MONEY.format("amount")},
            source text not null check (length(source) between 1 and 100),
            recorded_by uuid not null,
            recorded_by_name text not null,
            recorded_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, fund_id) references aid_funds (tenant_id, id)
        )""")
    op.execute("create index ix_aid_income_fund on aid_income (tenant_id, fund_id, received_on)")
    op.execute(f"""
        create table aid_applications (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            person_id uuid not null,
            reason_kind varchar(12) not null
                check (reason_kind in ('illness', 'accident', 'hardship')),
            description text not null check (length(description) between 1 and 1000),
            amount_asked {MONEY.format("amount_asked")},
            status varchar(10) not null default 'pending'
                check (status in ('pending', 'approved', 'refused', 'paid')),
            approved_amount numeric(12, 2)
                check (approved_amount > 0 and approved_amount < 1000000),
            decision_reason text check (length(decision_reason) <= 500),
            applied_by uuid not null,
            applied_by_name text not null,
            applied_at timestamptz not null default now(),
            decided_by uuid,
            decided_by_name text,
            decided_at timestamptz,
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            check ((status = 'pending') = (decided_at is null)),
            check ((status in ('approved', 'paid')) = (approved_amount is not null))
        )""")
    op.execute("create index ix_aid_applications_person on aid_applications (tenant_id, person_id)")
    op.execute("""
        create table aid_evidence (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            application_id uuid not null,
            filename text not null,
            content_type varchar(40) not null,
            content bytea not null,
            size integer not null,
            uploaded_by uuid not null,
            uploaded_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, application_id) references aid_applications (tenant_id, id)
        )""")
    op.execute(
        "create index ix_aid_evidence_application on aid_evidence (tenant_id, application_id)"
    )
    op.execute(f"""
        create table aid_payments (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            fund_id uuid not null,
            application_id uuid not null,
            paid_on date not null,
            amount {MONEY.format("amount")},
            paid_by uuid not null,
            paid_by_name text not null,
            recorded_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, fund_id) references aid_funds (tenant_id, id),
            foreign key (tenant_id, application_id) references aid_applications (tenant_id, id)
        )""")
    op.execute("create index ix_aid_payments_fund on aid_payments (tenant_id, fund_id, paid_on)")
    op.execute(
        "create index ix_aid_payments_application on aid_payments (tenant_id, application_id)"
    )
    for table in ("aid_funds", "aid_applications"):
        for statement in tenant_table_sql(table, privileges="select, insert, update"):
            op.execute(statement)
    for table in ("aid_income", "aid_evidence", "aid_payments"):
        for statement in tenant_table_sql(table, privileges="select, insert"):
            op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.execute(f"drop table {table}")
