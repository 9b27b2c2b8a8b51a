"""Organisation and roster: the org tree, people, roster imports, duplicate reviews.

Revision ID: 20261124_people
Revises: 20261124_audit
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261124_people"
down_revision = "20261124_audit"
branch_labels = None
depends_on = None

CATEGORIES = "('military_retiree', 'retired_cadre', 'veteran', 'staff_member')"


def upgrade() -> None:
    # Trusted since PostgreSQL 13: the owner may create it. Substring search on names.
    op.execute("create extension if not exists pg_trgm")

    # The org tree. `path` lists the unit's ancestors and itself, root first, so a
    # subtree is `path @> array[unit]` (GIN-indexed) — the data scope of a leader.
    # Units are retired, never deleted: people's history keeps pointing at them.
    op.execute("""
        create table org_units (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            parent_id uuid,
            kind varchar(16) not null
                check (kind in ('center', 'subcenter', 'branch', 'group')),
            name text not null check (length(name) between 1 and 60),
            path uuid[] not null,
            leader_person_id uuid,
            created_at timestamptz not null default now(),
            retired_at timestamptz,
            primary key (tenant_id, id),
            foreign key (tenant_id, parent_id) references org_units (tenant_id, id),
            check ((parent_id is null) = (kind = 'center'))
        )""")
    op.execute("""
        create unique index uq_org_units_sibling_name on org_units (tenant_id, parent_id, name)
            nulls not distinct where retired_at is null""")
    op.execute("create index ix_org_units_path on org_units using gin (path)")

    op.execute(f"""
        create table people (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            name text not null check (length(name) between 1 and 50),
            search_keys text not null,
            sort_key text collate "C" not null,
            gender varchar(6) check (gender in ('male', 'female')),
            birth_date date,
            birth_day_known boolean not null default true,
            category varchar(20) not null check (category in {CATEGORIES}),
            party_member boolean not null default false,
            party_joined_on date,
            party_joined_day_known boolean not null default true,
            id_number_enc bytea,
            id_number_index bytea,
            id_tail varchar(4),
            phone varchar(11),
            address text,
            branch_id uuid,
            group_id uuid,
            mobile boolean not null default false,
            infirm boolean not null default false,
            deceased_on date,
            health_notes text,
            family_contact_name text,
            family_contact_phone varchar(11),
            notes text,
            user_id uuid,
            created_at timestamptz not null default now(),
            updated_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, branch_id) references org_units (tenant_id, id),
            foreign key (tenant_id, group_id) references org_units (tenant_id, id),
            foreign key (tenant_id, user_id) references users (tenant_id, id),
            check ((id_number_enc is null) = (id_number_index is null)),
            check (party_joined_on is null or party_member)
        )""")
    # One person per ID number and per account within a district.
    op.execute("""
        create unique index uq_people_id_number on people (tenant_id, id_number_index)
            where id_number_index is not null""")
    op.execute("""
        create unique index uq_people_user on people (tenant_id, user_id)
            where user_id is not null""")
    op.execute("create index ix_people_sort on people (tenant_id, sort_key, id)")
    op.execute("create index ix_people_branch on people (tenant_id, branch_id)")
    op.execute("create index ix_people_group on people (tenant_id, group_id)")
    op.execute("create index ix_people_twins on people (tenant_id, name, birth_date)")
    # Counting the living (the roster's default list) from the index alone.
    op.execute("create index ix_people_living on people (tenant_id) where deceased_on is null")
    op.execute("create index ix_people_name_trgm on people using gin (name gin_trgm_ops)")
    op.execute("create index ix_people_keys_trgm on people using gin (search_keys gin_trgm_ops)")
    op.execute("create index ix_people_phone_trgm on people using gin (phone gin_trgm_ops)")
    op.execute("create index ix_people_id_tail on people (tenant_id, id_tail)")
    op.execute("""
        alter table org_units add foreign key (tenant_id, leader_person_id)
            references people (tenant_id, id)""")

    # "These two are different people": a reviewed pair leaves the duplicates list.
    op.execute("""
        create table duplicate_dismissals (
            tenant_id uuid not null references tenants (id),
            person_a uuid not null,
            person_b uuid not null,
            dismissed_by uuid not null,
            dismissed_at timestamptz not null default now(),
            primary key (tenant_id, person_a, person_b),
            foreign key (tenant_id, person_a) references people (tenant_id, id),
            foreign key (tenant_id, person_b) references people (tenant_id, id),
            foreign key (tenant_id, dismissed_by) references users (tenant_id, id),
            check (person_a < person_b)
        )""")

    # A roster import: the uploaded file (encrypted, dropped once checked), then one
    # row per line of the sheet with what it will become, until it is committed.
    op.execute(f"""
        create table roster_imports (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            filename text not null,
            uploaded_by uuid not null,
            uploaded_at timestamptz not null default now(),
            status varchar(12) not null default 'uploaded' check (status in
                ('uploaded', 'checking', 'checked', 'failed', 'committing', 'committed',
                 'discarded')),
            default_category varchar(20) check (default_category in {CATEGORIES}),
            file_enc bytea,
            error text,
            error_args jsonb not null default '{{}}',
            summary jsonb not null default '{{}}',
            commit_mode varchar(4) check (commit_mode in ('all', 'good')),
            committed_by uuid,
            committed_at timestamptz,
            primary key (tenant_id, id),
            foreign key (tenant_id, uploaded_by) references users (tenant_id, id),
            foreign key (tenant_id, committed_by) references users (tenant_id, id)
        )""")
    op.execute("create index ix_roster_imports_at on roster_imports (tenant_id, uploaded_at desc)")
    op.execute("""
        create table roster_import_rows (
            tenant_id uuid not null,
            import_id uuid not null,
            line integer not null,
            outcome varchar(8) not null check (outcome in ('new', 'update', 'same', 'error')),
            person_id uuid,
            name text,
            data jsonb not null,
            id_number_enc bytea,
            id_number_index bytea,
            problems jsonb not null default '[]',
            suspects jsonb not null default '[]',
            primary key (tenant_id, import_id, line),
            foreign key (tenant_id, import_id) references roster_imports (tenant_id, id)
                on delete cascade
        )""")

    for table in (
        "org_units", "people", "duplicate_dismissals", "roster_imports", "roster_import_rows"
    ):  # fmt: skip
        for statement in tenant_table_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("drop table if exists roster_import_rows")
    op.execute("drop table if exists roster_imports")
    op.execute("drop table if exists duplicate_dismissals")
    op.execute("alter table if exists org_units drop column if exists leader_person_id")
    op.execute("drop table if exists people")
    op.execute("drop table if exists org_units")
