"""Points: what each member's sums count for after caps, kept beside the ledger.

The district's quarterly tally read every per-quarter sum of the year and capped them
on each request (1.9 s for 40,000 people). The capped figure of a member's code in a
quarter changes only when that member gets an event of that code, so the ledger's
trigger now recomputes it then — a few rows — and the tally reads one row per member,
code and quarter.

Revision ID: 20261124_points_counted
Revises: 20261124_points
Create Date: 2026-11-24
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261124_points_counted"
down_revision = "20261124_points"
branch_labels = None
depends_on = None

# The rule of app/points/tally.py, as standings.py applies it: a code's quarter sum is
# capped by the quarter cap of the newest version's item among that quarter's events;
# the year's cap (of the newest item up to the quarter) bounds the running total.
RECOUNT = """
create function point_recount(p_tenant uuid, p_year integer, p_person uuid, p_code text)
returns void language sql as $$
    delete from point_counted c
     where c.tenant_id = p_tenant
       and c.quarter_start >= make_date(p_year, 1, 1)
       and c.quarter_start < make_date(p_year + 1, 1, 1)
       and (p_person is null or c.person_id = p_person)
       and (p_code is null or c.code = p_code);
    insert into point_counted (tenant_id, person_id, quarter_start, code, category_id, points)
    with items as (
        select i.code, v.version, i.category_id, i.cap_quarter, i.cap_year,
               i.points > 0 as positive
          from point_items i
          join point_rule_sets v on v.tenant_id = i.tenant_id and v.id = i.rule_set_id
         where i.tenant_id = p_tenant and v.status = 'active'
    ),
    quarters as (
        select pt.person_id, i.code, pt.quarter_start, sum(pt.points) as points,
               max(v.version) as version
          from point_tallies pt
          join point_items i on i.tenant_id = pt.tenant_id and i.id = pt.rule_item_id
          join point_rule_sets v on v.tenant_id = i.tenant_id and v.id = i.rule_set_id
         where pt.tenant_id = p_tenant
           and pt.quarter_start >= make_date(p_year, 1, 1)
           and pt.quarter_start < make_date(p_year + 1, 1, 1)
           and (p_person is null or pt.person_id = p_person)
           and (p_code is null or i.code = p_code)
         group by pt.person_id, i.code, pt.quarter_start
    ),
    capped as (
        select q.person_id, q.code, q.quarter_start, q.version,
               case when it.cap_quarter is null then q.points
                    when it.positive then least(q.points, it.cap_quarter)
                    else greatest(q.points, -it.cap_quarter) end as q
          from quarters q
          join items it on it.code = q.code and it.version = q.version
    ),
    running as (
        select c.*, sum(c.q) over w as total, max(c.version) over w as newest
          from capped c
        window w as (partition by c.person_id, c.code order by c.quarter_start)
    )
    select p_tenant, r.person_id, r.quarter_start, r.code, y.category_id,
           case when y.cap_year is null then r.q
                when y.positive then least(r.total, y.cap_year) - least(r.total - r.q, y.cap_year)
                else greatest(r.total, -y.cap_year) - greatest(r.total - r.q, -y.cap_year)
           end
      from running r
      join items y on y.code = r.code and y.version = r.newest;
$$
"""


# The trigger's upsert of the per-quarter sums (as in 20261124_points), kept by both.
TALLY_SUMS = """insert into point_tallies as t
                (tenant_id, person_id, quarter_start, rule_item_id, quantity, points, events)
            values (new.tenant_id, new.person_id,
                    date_trunc('quarter', new.occurred_on)::date, new.rule_item_id,
                    new.quantity, new.points, 1)
            on conflict (tenant_id, person_id, quarter_start, rule_item_id) do update
                set quantity = t.quantity + excluded.quantity,
                    points = t.points + excluded.points,
                    events = t.events + 1;"""


def upgrade() -> None:
    op.execute("""
        create table point_counted (
            tenant_id uuid not null references tenants (id),
            person_id uuid not null,
            quarter_start date not null,
            code varchar(20) not null,
            category_id uuid not null,
            points numeric(11, 2) not null,
            primary key (tenant_id, person_id, quarter_start, code)
        )""")
    op.execute("create index ix_point_counted_quarter on point_counted (tenant_id, quarter_start)")
    for statement in tenant_table_sql("point_counted"):
        op.execute(statement)
    op.execute(RECOUNT)
    # The tally trigger keeps the sums and now recounts the event's member and code.
    op.execute(f"""
        create or replace function point_tally_event() returns trigger language plpgsql as $$
        begin
            {TALLY_SUMS}
            perform point_recount(
                new.tenant_id, extract(year from new.occurred_on)::integer, new.person_id,
                (select code from point_items i
                  where i.tenant_id = new.tenant_id and i.id = new.rule_item_id));
            return null;
        end $$""")  # noqa: S608 — TALLY_SUMS is this file's constant


def downgrade() -> None:
    op.execute(f"""
        create or replace function point_tally_event() returns trigger language plpgsql as $$
        begin
            {TALLY_SUMS}
            return null;
        end $$""")
    op.execute("drop function point_recount(uuid, integer, uuid, text)")
    op.execute("drop table point_counted")
