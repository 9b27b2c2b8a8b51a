"""Organisational life and volunteering, and the automatic sources that score them.

- `point_items.feeds`: the automatic sources (app.points.feeds) a rule item is scored
  by, versioned with the rule set like the rest of the item.
  The rows that scored keep their event's id without a foreign key: the ledger is
  append-only, and the benchmarks' clean-up truncates it on its own.
- Organisational life: the meeting kinds a district owes, meetings, attendance (one row
  per member and meeting), files of a held meeting, mobile members' thought reports.
- Volunteering: teams in three levels, members, activities, each participant's hours,
  photos, issued certificates; `certificate_tenant()` finds a certificate's district by
  its code for the public check (it returns nothing but a tenant id).

Revision ID: 20261215_orglife_volunteering
Revises: 20261214_open_items_by_deadline
Create Date: 2026-12-15
"""

from __future__ import annotations

from alembic import op

from tenants.rls import RUNTIME_ROLE, tenant_table_sql

revision = "20261215_orglife_volunteering"
down_revision = "20261214_open_items_by_deadline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("alter table point_items add column feeds text[] not null default '{}'")
    # The active rules are frozen by trigger; a column default fills them as they are.

    op.execute("""
        create table meeting_kinds (
            tenant_id uuid not null references tenants (id),
            code varchar(30) not null,
            name text not null check (length(name) between 1 and 40),
            frequency varchar(12) not null
                check (frequency in ('monthly', 'quarterly', 'half_yearly', 'yearly', 'none')),
            position smallint not null default 0,
            enabled boolean not null default true,
            primary key (tenant_id, code)
        )""")
    op.execute("""
        create table orglife_settings (
            tenant_id uuid not null references tenants (id),
            thought_report_months smallint not null default 3
                check (thought_report_months between 1 and 12),
            changed_by_name text,
            changed_at timestamptz,
            primary key (tenant_id)
        )""")
    # Districts made before this revision get the standard kinds (app/presets/orglife/),
    # written before RLS is turned on below.
    op.execute("insert into orglife_settings (tenant_id) select id from tenants")
    op.execute("""
        insert into meeting_kinds (tenant_id, code, name, frequency, position)
        select t.id, k.code, k.name, k.frequency, k.position
          from tenants t cross join (values
            ('branch_assembly', '支部党员大会', 'quarterly', 0),
            ('committee', '支部委员会', 'monthly', 1),
            ('group', '党小组会', 'monthly', 2),
            ('lecture', '党课', 'quarterly', 3),
            ('theme_day', '主题党日', 'monthly', 4),
            ('life_meeting', '组织生活会', 'yearly', 5),
            ('study', '集中学习', 'none', 6)
          ) as k (code, name, frequency, position)""")
    op.execute("""
        create table meetings (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            branch_id uuid not null,
            group_id uuid,
            kind varchar(30) not null,
            topic text not null,
            starts_at timestamptz not null,
            place text,
            host_name text,
            recorder_name text,
            status varchar(10) not null default 'planned'
                check (status in ('planned', 'held', 'cancelled')),
            held_on date,
            minutes text,
            planned_by uuid not null,
            planned_by_name text not null,
            planned_at timestamptz not null default now(),
            recorded_by uuid,
            recorded_by_name text,
            recorded_at timestamptz,
            primary key (tenant_id, id),
            foreign key (tenant_id, branch_id) references org_units (tenant_id, id),
            foreign key (tenant_id, group_id) references org_units (tenant_id, id),
            foreign key (tenant_id, kind) references meeting_kinds (tenant_id, code),
            check ((status = 'held') = (held_on is not null))
        )""")
    # A branch's calendar and its year's counts per kind.
    op.execute("create index ix_meetings_branch on meetings (tenant_id, branch_id, starts_at)")
    op.execute("""
        create table meeting_files (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            meeting_id uuid not null,
            filename text not null,
            content_type varchar(100) not null,
            content bytea not null,
            size integer not null,
            uploaded_by uuid not null,
            uploaded_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, meeting_id) references meetings (tenant_id, id)
        )""")
    op.execute("create index ix_meeting_files on meeting_files (tenant_id, meeting_id)")
    op.execute("""
        create table meeting_attendance (
            tenant_id uuid not null references tenants (id),
            meeting_id uuid not null,
            person_id uuid not null,
            presence varchar(12) not null
                check (presence in ('present', 'absent', 'excused', 'online', 'home_study')),
            reason text,
            home_study_on date,
            home_study_by_name text,
            event_id uuid,
            revision smallint not null default 1,
            recorded_by uuid not null,
            recorded_by_name text not null,
            recorded_at timestamptz not null default now(),
            primary key (tenant_id, meeting_id, person_id),
            foreign key (tenant_id, meeting_id) references meetings (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            check ((presence = 'home_study') = (home_study_on is not null))
        )""")
    # A member's meetings (their page, the home-study items of the infirm).
    op.execute(
        "create index ix_meeting_attendance_person on meeting_attendance (tenant_id, person_id)"
    )
    op.execute("""
        create table thought_reports (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            person_id uuid not null,
            reported_on date not null,
            channel varchar(12) not null
                check (channel in ('wechat', 'phone', 'letter', 'in_person', 'online')),
            note text,
            event_id uuid,
            recorded_by uuid not null,
            recorded_by_name text not null,
            recorded_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id)
        )""")
    op.execute(
        "create index ix_thought_reports_person on thought_reports"
        " (tenant_id, person_id, reported_on)"
    )

    op.execute("""
        create table volunteer_teams (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            parent_id uuid,
            level varchar(12) not null check (level in ('station', 'substation', 'team')),
            name text not null check (length(name) between 1 and 60),
            specialty varchar(20),
            specialty_name text,
            path uuid[] not null,
            created_at timestamptz not null default now(),
            retired_at timestamptz,
            primary key (tenant_id, id),
            foreign key (tenant_id, parent_id) references volunteer_teams (tenant_id, id),
            check ((level = 'station') = (parent_id is null))
        )""")
    op.execute("create index ix_volunteer_teams_path on volunteer_teams using gin (path)")
    op.execute("""
        create table volunteer_members (
            tenant_id uuid not null references tenants (id),
            team_id uuid not null,
            person_id uuid not null,
            role varchar(8) not null default 'member' check (role in ('leader', 'member')),
            joined_on date not null,
            left_on date,
            primary key (tenant_id, team_id, person_id),
            foreign key (tenant_id, team_id) references volunteer_teams (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id)
        )""")
    op.execute(
        "create index ix_volunteer_members_person on volunteer_members (tenant_id, person_id)"
    )
    op.execute("""
        create table volunteer_activities (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            team_id uuid not null,
            kind varchar(20) not null,
            target varchar(12) not null check (target in
                ('community', 'enterprise', 'school', 'office', 'barracks', 'village')),
            held_on date not null,
            place text not null,
            description text,
            beneficiaries integer not null default 0 check (beneficiaries between 0 and 1000000),
            good_deeds integer not null default 0 check (good_deeds between 0 and 100000),
            recorded_by uuid not null,
            recorded_by_name text not null,
            recorded_at timestamptz not null default now(),
            cancelled_at timestamptz,
            cancelled_reason text,
            primary key (tenant_id, id),
            foreign key (tenant_id, team_id) references volunteer_teams (tenant_id, id)
        )""")
    op.execute(
        "create index ix_volunteer_activities_held on volunteer_activities (tenant_id, held_on)"
    )
    op.execute(
        "create index ix_volunteer_activities_team on volunteer_activities"
        " (tenant_id, team_id, held_on)"
    )
    op.execute("""
        create table volunteer_hours (
            tenant_id uuid not null references tenants (id),
            activity_id uuid not null,
            person_id uuid not null,
            hours numeric(4, 1) not null check (hours > 0 and hours <= 24 and hours % 0.5 = 0),
            held_on date not null,
            team_id uuid not null,
            event_id uuid,
            revision integer not null default 1,
            primary key (tenant_id, activity_id, person_id),
            foreign key (tenant_id, activity_id) references volunteer_activities (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id)
        )""")
    op.execute(
        "create index ix_volunteer_hours_person on volunteer_hours"
        " (tenant_id, person_id, held_on) include (hours)"
    )
    op.execute(
        "create index ix_volunteer_hours_held on volunteer_hours"
        " (tenant_id, held_on) include (person_id, hours, team_id)"
    )
    op.execute("""
        create table volunteer_photos (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            activity_id uuid not null,
            content bytea not null,
            content_type varchar(20) not null,
            uploaded_by uuid not null,
            uploaded_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, activity_id) references volunteer_activities (tenant_id, id)
        )""")
    op.execute("create index ix_volunteer_photos on volunteer_photos (tenant_id, activity_id)")
    op.execute("""
        create table volunteer_certificates (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            code varchar(16) not null,
            person_id uuid not null,
            period_start date not null,
            period_end date not null,
            hours numeric(8, 1) not null,
            activities integer not null,
            issued_by uuid not null,
            issued_by_name text not null,
            issued_at timestamptz not null default now(),
            revoked_at timestamptz,
            revoked_by_name text,
            revoked_reason text,
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            unique (tenant_id, code),
            check (period_start <= period_end)
        )""")
    # The public check's lookup by code alone. Codes are random (a collision is not
    # expected in the life of the platform); unique per tenant so the table can be
    # distributed by tenant.
    op.execute("create index ix_volunteer_certificates_code on volunteer_certificates (code)")
    op.execute(
        "create index ix_volunteer_certificates_person on volunteer_certificates"
        " (tenant_id, person_id)"
    )
    for table in (
        "meeting_kinds", "orglife_settings", "meetings", "meeting_files", "meeting_attendance",
        "thought_reports", "volunteer_teams", "volunteer_members", "volunteer_activities",
        "volunteer_hours", "volunteer_photos", "volunteer_certificates",
    ):  # fmt: skip
        for statement in tenant_table_sql(table):
            op.execute(statement)
    # The public check knows only the code: this finds the district to read it in, and
    # nothing else (the page then reads the certificate under that district's RLS).
    op.execute("""
        create function certificate_tenant(p_code text) returns uuid
            language sql stable security definer set search_path = public, pg_temp as $$
                select tenant_id from volunteer_certificates where code = p_code limit 1
            $$""")
    op.execute("revoke all on function certificate_tenant(text) from public")
    op.execute(f"grant execute on function certificate_tenant(text) to {RUNTIME_ROLE}")


def downgrade() -> None:
    op.execute("drop function if exists certificate_tenant(text)")
    for table in (
        "volunteer_certificates", "volunteer_photos", "volunteer_hours", "volunteer_activities",
        "volunteer_members", "volunteer_teams", "thought_reports", "meeting_attendance",
        "meeting_files", "meetings", "orglife_settings", "meeting_kinds",
    ):  # fmt: skip
        op.execute(f"drop table if exists {table}")
    op.execute("alter table point_items drop column if exists feeds")
