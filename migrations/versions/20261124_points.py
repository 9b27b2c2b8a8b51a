"""Points: versioned rule sets, the append-only ledger and its tally, claims, publications.

Revision ID: 20261124_points
Revises: 20261124_people
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261124_points"
down_revision = "20261124_people"
branch_labels = None
depends_on = None

TABLES = (
    "point_rule_sets",
    "point_categories",
    "point_items",
    "point_photos",
    "point_claims",
    "point_events",
    "point_tallies",
    "point_publications",
    "point_publication_entries",
    "point_objections",
)


def upgrade() -> None:
    # A rule set is a version of the district's scheme. One draft at a time; an
    # active version is in force from `effective_from` until the next one starts.
    op.execute("""
        create table point_rule_sets (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            version integer not null check (version > 0),
            status varchar(8) not null check (status in ('draft', 'active')),
            preset varchar(60),
            base_score numeric(7, 1) check (base_score >= 0),
            objection_days integer not null default 7 check (objection_days between 1 and 30),
            effective_from date,
            created_by uuid,
            created_at timestamptz not null default now(),
            activated_by uuid,
            activated_at timestamptz,
            primary key (tenant_id, id),
            unique (tenant_id, version),
            check ((status = 'draft') = (effective_from is null))
        )""")
    op.execute("""
        create unique index uq_point_rule_sets_draft on point_rule_sets (tenant_id)
            where status = 'draft'""")
    op.execute("""
        create unique index uq_point_rule_sets_start on point_rule_sets (tenant_id, effective_from)
            where status = 'active'""")

    op.execute("""
        create table point_categories (
            tenant_id uuid not null,
            id uuid not null default gen_random_uuid(),
            rule_set_id uuid not null,
            position integer not null,
            name text not null check (length(name) between 1 and 30),
            primary key (tenant_id, id),
            foreign key (tenant_id, rule_set_id) references point_rule_sets (tenant_id, id)
                on delete cascade,
            unique (tenant_id, rule_set_id, name)
        )""")
    op.execute("""
        create table point_items (
            tenant_id uuid not null,
            id uuid not null default gen_random_uuid(),
            rule_set_id uuid not null,
            category_id uuid not null,
            position integer not null,
            code varchar(20) not null,
            name text not null check (length(name) between 1 and 80),
            points numeric(6, 1) not null check (points <> 0),
            unit varchar(10) not null check (unit in ('event', 'hour', 'occurrence')),
            cap_quarter numeric(7, 1) check (cap_quarter > 0),
            cap_year numeric(7, 1) check (cap_year > 0),
            evidence_required boolean not null default false,
            awarders text[] not null,
            primary key (tenant_id, id),
            foreign key (tenant_id, rule_set_id) references point_rule_sets (tenant_id, id)
                on delete cascade,
            foreign key (tenant_id, category_id) references point_categories (tenant_id, id)
                on delete cascade,
            check (awarders <@ array['secretary', 'grid_worker', 'automatic']
                   and cardinality(awarders) > 0)
        )""")
    # Codes are not unique here: a draft may hold mistakes (two items with one code)
    # that the admin sees listed and must fix before activation.
    op.execute("create index ix_point_items_code on point_items (tenant_id, rule_set_id, code)")
    # Only a draft's rules change: an active version's rules scored events and must
    # explain them for ever.
    op.execute("""
        create function point_rules_frozen() returns trigger language plpgsql as $$
        begin
            if exists (select 1 from point_rule_sets s
                       where s.tenant_id = old.tenant_id and s.id = old.rule_set_id
                         and s.status <> 'draft') then
                raise exception 'the rules of an active version do not change'
                    using errcode = 'P0001';
            end if;
            return case when tg_op = 'DELETE' then old else new end;
        end $$""")
    for table in ("point_categories", "point_items"):
        op.execute(f"""
            create trigger frozen before update or delete on {table}
                for each row execute function point_rules_frozen()""")

    op.execute("""
        create table point_photos (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            content bytea not null,
            content_type varchar(20) not null,
            uploaded_by uuid not null,
            uploaded_at timestamptz not null default now(),
            primary key (tenant_id, id)
        )""")

    op.execute("""
        create table point_claims (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            person_id uuid not null,
            rule_item_id uuid not null,
            occurred_on date not null,
            quantity numeric(7, 1) not null check (quantity > 0),
            evidence text,
            photo_id uuid,
            claimed_by uuid not null,
            claimed_by_name text not null,
            claimed_at timestamptz not null default now(),
            status varchar(10) not null default 'pending'
                check (status in ('pending', 'approved', 'rejected')),
            decided_by uuid,
            decided_by_name text,
            decided_at timestamptz,
            decision_reason text,
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, rule_item_id) references point_items (tenant_id, id),
            foreign key (tenant_id, photo_id) references point_photos (tenant_id, id),
            check ((status = 'pending') = (decided_at is null))
        )""")
    op.execute("create index ix_point_claims_pending on point_claims (tenant_id, claimed_at) "
               "where status = 'pending'")  # fmt: skip
    op.execute("create index ix_point_claims_person on point_claims (tenant_id, person_id)")
    op.execute("create index ix_point_claims_claimant on point_claims "
               "(tenant_id, claimed_by, claimed_at desc)")  # fmt: skip
    op.execute("create index ix_point_claims_item on point_claims (tenant_id, rule_item_id)")

    # The ledger (台账). Append-only: the app may select and insert, and a trigger
    # refuses update and delete to everyone. A correction is a new row that names the
    # row it reverses; each row is reversed at most once, each claim scored once.
    op.execute("""
        create table point_events (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            person_id uuid not null,
            branch_id uuid,
            rule_item_id uuid not null,
            occurred_on date not null,
            quantity numeric(7, 1) not null check (quantity <> 0),
            points numeric(9, 2) not null,
            source varchar(10) not null
                check (source in ('claim', 'award', 'automatic', 'reversal')),
            claim_id uuid,
            reverses_id uuid,
            source_ref text,
            note text,
            recorded_by uuid,
            recorded_by_name text not null,
            recorded_at timestamptz not null default now(),
            primary key (tenant_id, id),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, rule_item_id) references point_items (tenant_id, id),
            foreign key (tenant_id, claim_id) references point_claims (tenant_id, id),
            foreign key (tenant_id, reverses_id) references point_events (tenant_id, id),
            unique (tenant_id, claim_id),
            unique (tenant_id, reverses_id),
            unique (tenant_id, source_ref),
            check ((source = 'reversal') = (reverses_id is not null)),
            check ((source = 'claim') = (claim_id is not null))
        )""")
    op.execute("create index ix_point_events_person on point_events "
               "(tenant_id, person_id, occurred_on)")  # fmt: skip
    op.execute("create index ix_point_events_branch on point_events "
               "(tenant_id, branch_id, occurred_on)")  # fmt: skip
    # Deleting a draft item checks its foreign keys: without this, a scan of the ledger.
    op.execute("create index ix_point_events_item on point_events (tenant_id, rule_item_id)")
    op.execute("""
        create function point_events_append_only() returns trigger language plpgsql as $$
        begin
            raise exception 'the points ledger is append-only' using errcode = 'P0001';
        end $$""")
    op.execute("""
        create trigger append_only before update or delete on point_events
            for each row execute function point_events_append_only()""")

    # Sums per person, item and quarter, kept by a trigger in the event's own
    # transaction so they never drift from the ledger. Tallies read these (a few rows
    # per member) rather than the year's million events; caps apply when tallying.
    op.execute("""
        create table point_tallies (
            tenant_id uuid not null references tenants (id),
            person_id uuid not null,
            quarter_start date not null,
            rule_item_id uuid not null,
            quantity numeric(9, 1) not null,
            points numeric(11, 2) not null,
            events integer not null,
            primary key (tenant_id, person_id, quarter_start, rule_item_id)
        )""")
    op.execute("create index ix_point_tallies_quarter on point_tallies "
               "(tenant_id, quarter_start)")  # fmt: skip
    op.execute("""
        create function point_tally_event() returns trigger language plpgsql as $$
        begin
            insert into point_tallies as t
                (tenant_id, person_id, quarter_start, rule_item_id, quantity, points, events)
            values (new.tenant_id, new.person_id,
                    date_trunc('quarter', new.occurred_on)::date, new.rule_item_id,
                    new.quantity, new.points, 1)
            on conflict (tenant_id, person_id, quarter_start, rule_item_id) do update
                set quantity = t.quantity + excluded.quantity,
                    points = t.points + excluded.points,
                    events = t.events + 1;
            return null;
        end $$""")
    op.execute("""
        create trigger tally after insert on point_events
            for each row execute function point_tally_event()""")

    # Publication (公示): opened with an objection window, then frozen. Entries are
    # rewritten while the window is open and never after.
    op.execute("""
        create table point_publications (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            branch_id uuid not null,
            period_start date not null,
            period_end date not null,
            rule_set_id uuid not null,
            status varchar(10) not null check (status in ('objection', 'published')),
            objections_close_on date not null,
            opened_by uuid not null,
            opened_by_name text not null,
            opened_at timestamptz not null default now(),
            published_by uuid,
            published_by_name text,
            published_at timestamptz,
            primary key (tenant_id, id),
            foreign key (tenant_id, branch_id) references org_units (tenant_id, id),
            foreign key (tenant_id, rule_set_id) references point_rule_sets (tenant_id, id),
            unique (tenant_id, branch_id, period_start),
            check ((status = 'published') = (published_at is not null))
        )""")
    op.execute("""
        create table point_publication_entries (
            tenant_id uuid not null,
            publication_id uuid not null,
            person_id uuid not null,
            person_name text not null,
            rank integer,
            score numeric(9, 2) not null,
            exempt boolean not null,
            categories jsonb not null,
            primary key (tenant_id, publication_id, person_id),
            foreign key (tenant_id, publication_id)
                references point_publications (tenant_id, id) on delete cascade,
            check (exempt = (rank is null))
        )""")
    op.execute("""
        create function point_publication_frozen() returns trigger language plpgsql as $$
        declare
            pub_status text;
        begin
            if tg_table_name = 'point_publications' then
                pub_status := old.status;
            else
                select status into pub_status from point_publications p
                 where p.tenant_id = old.tenant_id and p.id = old.publication_id;
            end if;
            if pub_status = 'published' then
                raise exception 'a published ranking does not change' using errcode = 'P0001';
            end if;
            return case when tg_op = 'DELETE' then old else new end;
        end $$""")
    for table in ("point_publications", "point_publication_entries"):
        op.execute(f"""
            create trigger frozen before update or delete on {table}
                for each row execute function point_publication_frozen()""")

    op.execute("""
        create table point_objections (
            tenant_id uuid not null references tenants (id),
            id uuid not null default gen_random_uuid(),
            publication_id uuid not null,
            person_id uuid not null,
            raised_by uuid not null,
            raised_by_name text not null,
            reason text not null check (length(reason) between 1 and 500),
            raised_at timestamptz not null default now(),
            status varchar(10) not null default 'open'
                check (status in ('open', 'upheld', 'rejected')),
            answer text,
            answered_by uuid,
            answered_by_name text,
            answered_at timestamptz,
            event_id uuid,
            primary key (tenant_id, id),
            foreign key (tenant_id, publication_id) references point_publications (tenant_id, id),
            foreign key (tenant_id, event_id) references point_events (tenant_id, id),
            check ((status = 'open') = (answered_at is null))
        )""")
    op.execute("create index ix_point_objections_publication on point_objections "
               "(tenant_id, publication_id)")  # fmt: skip

    for table in TABLES:
        privileges = "select, insert, update, delete"
        if table == "point_events":
            privileges = "select, insert"
        for statement in tenant_table_sql(table, privileges=privileges):
            op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.execute(f"drop table {table}")
    for fn in (
        "point_rules_frozen",
        "point_events_append_only",
        "point_tally_event",
        "point_publication_frozen",
    ):
        op.execute(f"drop function {fn}()")
