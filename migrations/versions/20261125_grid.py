"""Grid service and service requests: grids and household assignment, must-visit rules
and the due items they produce, visits with the four knows, concerns that call for a
visit, and service requests with their SLA categories and escalation chain.

Revision ID: 20261125_grid
Revises: 20261124_points_counted
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261125_grid"
down_revision = "20261124_points_counted"
branch_labels = None
depends_on = None

TABLES = (
    "service_settings",
    "grids",
    "grid_workers",
    "grid_assignments",
    "visit_rules",
    "concerns",
    "visit_photos",
    "visits",
    "visit_due_items",
    "request_categories",
    "escalation_levels",
    "service_requests",
    "service_request_events",
)

APPEND_ONLY = {"visits", "visit_photos", "service_request_events"}
"""A visit is a record of what happened; the runtime role may add, never rewrite."""


def upgrade() -> None:
    op.execute("""
        create table service_settings (
            tenant_id uuid not null references tenants (id),
            meeting_day smallint not null default 10 check (meeting_day between 1 and 28),
            updated_at timestamptz not null default now(),
            primary key (tenant_id)
        )""")

    # A grid is the set of people one or more grid workers answer for (定人包户). It
    # belongs to an org unit (usually a sub-center): that unit's leaders see it.
    op.execute("""
        create table grids (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            name text not null check (length(name) between 1 and 40),
            unit_id uuid,
            month_target smallint not null default 30 check (month_target between 0 and 100),
            quarter_target smallint not null default 90
                check (quarter_target between 0 and 100),
            created_at timestamptz not null default now(),
            retired_at timestamptz,
            primary key (tenant_id, id),
            foreign key (tenant_id, unit_id) references org_units (tenant_id, id)
        )""")
    op.execute("""
        create unique index uq_grids_name on grids (tenant_id, name) where retired_at is null""")
    op.execute("""
        create table grid_workers (
            tenant_id uuid not null,
            grid_id uuid not null,
            user_id uuid not null,
            since timestamptz not null default now(),
            primary key (tenant_id, grid_id, user_id),
            foreign key (tenant_id, grid_id) references grids (tenant_id, id) on delete cascade,
            foreign key (tenant_id, user_id) references users (tenant_id, id)
        )""")
    op.execute("create index ix_grid_workers_user on grid_workers (tenant_id, user_id)")

    # Assignment history: a reassignment ends the current row and starts a new one, so
    # "who answered for this person in March" has an answer.
    op.execute("""
        create table grid_assignments (
            tenant_id uuid not null,
            id uuid not null default gen_random_uuid(),
            person_id uuid not null,
            grid_id uuid not null,
            starts_at timestamptz not null default now(),
            ends_at timestamptz,
            assigned_by uuid,
            ended_by uuid,
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, grid_id) references grids (tenant_id, id),
            foreign key (tenant_id, assigned_by) references users (tenant_id, id),
            foreign key (tenant_id, ended_by) references users (tenant_id, id),
            check (ends_at is null or ends_at >= starts_at)
        )""")
    op.execute("""
        create unique index uq_grid_assignments_current on grid_assignments (tenant_id, person_id)
            where ends_at is null""")
    op.execute("""
        create index ix_grid_assignments_grid on grid_assignments (tenant_id, grid_id, person_id)
            where ends_at is null""")
    op.execute("create index ix_grid_assignments_person on grid_assignments "
               "(tenant_id, person_id, starts_at)")  # fmt: skip

    # Must-visit rules (四必访 / 五个必访): a trigger and a deadline.
    op.execute("""
        create table visit_rules (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            code varchar(30) not null,
            position integer not null default 0,
            name text not null check (length(name) between 1 and 30),
            trigger varchar(16) not null check (trigger in
                ('birthday', 'holiday', 'hospitalisation', 'hardship', 'dispute', 'emotional')),
            holiday varchar(20),
            days_before smallint not null default 0 check (days_before between 0 and 60),
            days_after smallint not null default 0 check (days_after between 0 and 60),
            due_hours smallint check (due_hours between 1 and 720),
            party_only boolean not null default false,
            in_person boolean not null default false,
            enabled boolean not null default true,
            primary key (tenant_id, id),
            unique (tenant_id, code),
            check ((trigger = 'holiday') = (holiday is not null)),
            check ((trigger in ('birthday', 'holiday')) = (due_hours is null))
        )""")

    # A concern is a situation that calls for a visit: in hospital, a hardship, a
    # dispute, emotional trouble. Open until someone closes it.
    op.execute("""
        create table concerns (
            tenant_id uuid not null,
            id uuid not null default gen_random_uuid(),
            person_id uuid not null,
            kind varchar(16) not null
                check (kind in ('hospitalisation', 'hardship', 'dispute', 'emotional')),
            note text,
            noted_at timestamptz not null default now(),
            noted_by uuid not null,
            closed_at timestamptz,
            closed_by uuid,
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, noted_by) references users (tenant_id, id),
            foreign key (tenant_id, closed_by) references users (tenant_id, id),
            check ((closed_at is null) = (closed_by is null))
        )""")
    op.execute("""
        create index ix_concerns_open on concerns (tenant_id, person_id)
            where closed_at is null""")

    op.execute("""
        create table visit_photos (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            content bytea not null,
            content_type varchar(20) not null,
            uploaded_by uuid not null,
            uploaded_at timestamptz not null default now(),
            primary key (tenant_id, id)
        )""")
    op.execute("""
        create table visits (
            tenant_id uuid not null,
            id uuid not null default gen_random_uuid(),
            person_id uuid not null,
            visited_on date not null,
            kind varchar(12) not null check (kind in ('holiday', 'hospital', 'birthday',
                'hardship', 'emotional', 'dispute', 'routine')),
            place varchar(8) not null check (place in ('home', 'hospital', 'phone')),
            notes text,
            knows_where text,
            knows_doing text,
            knows_difficulties text,
            knows_help text,
            follow_up boolean not null default false,
            photo_id uuid,
            grid_id uuid,
            visitor_id uuid not null,
            visitor_name text not null,
            logged_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, photo_id) references visit_photos (tenant_id, id),
            foreign key (tenant_id, grid_id) references grids (tenant_id, id),
            foreign key (tenant_id, visitor_id) references users (tenant_id, id)
        )""")
    op.execute("create index ix_visits_person on visits (tenant_id, person_id, visited_on)")
    op.execute("create index ix_visits_date on visits (tenant_id, visited_on)")

    # What the rules ask for: one row per person, rule and occasion ("birthday:2026",
    # "mid_autumn:2026", "concern:<id>"), resolved by the first visit that satisfies it.
    op.execute("""
        create table visit_due_items (
            tenant_id uuid not null,
            id uuid not null default gen_random_uuid(),
            person_id uuid not null,
            rule_id uuid not null,
            occasion varchar(60) not null,
            opens_on date not null,
            due_at timestamptz not null,
            concern_id uuid,
            visit_id uuid,
            resolved_at timestamptz,
            primary key (tenant_id, id),
            unique (tenant_id, person_id, rule_id, occasion),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, rule_id) references visit_rules (tenant_id, id)
                on delete cascade,
            foreign key (tenant_id, concern_id) references concerns (tenant_id, id),
            foreign key (tenant_id, visit_id) references visits (tenant_id, id),
            check ((visit_id is null) = (resolved_at is null))
        )""")
    op.execute("""
        create index ix_visit_due_items_open on visit_due_items (tenant_id, person_id, due_at)
            where visit_id is null""")

    # Service requests (诉求): categories with SLAs the tenant sets.
    op.execute("""
        create table request_categories (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            code varchar(20) not null,
            position integer not null default 0,
            name text not null check (length(name) between 1 and 20),
            sla_hours smallint check (sla_hours between 1 and 720),
            same_day_by time,
            retired_at timestamptz,
            primary key (tenant_id, id),
            unique (tenant_id, code),
            check ((sla_hours is null) <> (same_day_by is null))
        )""")
    # The escalation chain: level 1 is the assignee with the category's SLA; each
    # later level has its own limit after the one before it ran out.
    op.execute("""
        create table escalation_levels (
            tenant_id uuid not null references tenants (id),
            level smallint not null check (level between 1 and 5),
            name text not null check (length(name) between 1 and 20),
            holder varchar(16) not null check (holder in ('assignee', 'unit_leader', 'admin')),
            limit_hours smallint check (limit_hours between 1 and 720),
            primary key (tenant_id, level),
            check ((level = 1) = (limit_hours is null))
        )""")
    op.execute("""
        create table service_requests (
            tenant_id uuid not null,
            id uuid not null default gen_random_uuid(),
            person_id uuid not null,
            category_id uuid not null,
            description text not null,
            status varchar(12) not null default 'new' check (status in
                ('new', 'assigned', 'in_progress', 'resolved', 'confirmed', 'reopened')),
            assignee_id uuid,
            grid_id uuid,
            created_at timestamptz not null default now(),
            created_by uuid not null,
            due_at timestamptz not null,
            level smallint not null default 1,
            resolved_at timestamptz,
            resolution text,
            confirmed_at timestamptz,
            satisfaction smallint check (satisfaction between 1 and 5),
            callback_level smallint,
            reopen_count integer not null default 0,
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, category_id) references request_categories (tenant_id, id),
            foreign key (tenant_id, assignee_id) references users (tenant_id, id),
            foreign key (tenant_id, grid_id) references grids (tenant_id, id),
            foreign key (tenant_id, created_by) references users (tenant_id, id),
            check ((status = 'confirmed') = (confirmed_at is not null))
        )""")
    op.execute("""
        create index ix_service_requests_open on service_requests (tenant_id, due_at)
            where status not in ('resolved', 'confirmed')""")
    op.execute("create index ix_service_requests_person on service_requests "
               "(tenant_id, person_id, created_at)")  # fmt: skip
    op.execute("""
        create table service_request_events (
            tenant_id uuid not null,
            id uuid not null default gen_random_uuid(),
            request_id uuid not null,
            at timestamptz not null default now(),
            actor_id uuid,
            actor_name text,
            kind varchar(12) not null,
            status varchar(12),
            level smallint,
            note text,
            satisfaction smallint,
            primary key (tenant_id, id),
            foreign key (tenant_id, request_id) references service_requests (tenant_id, id)
        )""")
    op.execute("create index ix_service_request_events_request on service_request_events "
               "(tenant_id, request_id, at)")  # fmt: skip

    for table in TABLES:
        privileges = "select, insert" if table in APPEND_ONLY else "select, insert, update, delete"
        for statement in tenant_table_sql(table, privileges=privileges):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"drop table {table}")
