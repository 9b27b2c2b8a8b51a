"""Care calendar: the political-birthday and golden/diamond wedding must-visit rules.

Calendar rules have no deadline in hours: the check saying so names the two new ones.
Every existing district gets both rules as the service preset now has them
(app/presets/service/standard.toml): 政治生日 for party members in the week of their
anniversary of joining, and 金婚钻石婚 in the week of a 50th or 60th wedding
anniversary — last in its list; the admin tunes or switches them off like the others.
visit_rules forces row-level security even for its owner, so the rows are written one
district at a time under that district's tenant setting. The due items themselves come
with the nightly refresh (app.grid.due), as for any rule.

Revision ID: 20261223_care_rules
Revises: 20261222_after_care
Create Date: 2026-12-19
"""

from __future__ import annotations

from alembic import op

revision = "20261223_care_rules"
down_revision = "20261222_after_care"
branch_labels = None
depends_on = None

ADD_RULES = """        do $$
        declare t uuid;
        begin
          for t in select id from tenants loop
            perform set_config('app.tenant_id', t::text, true);
            insert into visit_rules (tenant_id, code, position, name, trigger, party_only)
            select t, 'political_birthday', coalesce(max(position), -1) + 1, '政治生日',
                   'political_birthday', true
              from visit_rules where tenant_id = t
            on conflict (tenant_id, code) do nothing;
            insert into visit_rules (tenant_id, code, position, name, trigger)
            select t, 'wedding', coalesce(max(position), -1) + 1, '金婚钻石婚', 'wedding'
              from visit_rules where tenant_id = t
            on conflict (tenant_id, code) do nothing;
          end loop;
          perform set_config('app.tenant_id', '', true);
        end $$"""
"""Every district without them gets the rules, last in its list (a test runs it too)."""


CALENDAR = "'birthday', 'holiday', 'political_birthday', 'wedding'"


def upgrade() -> None:
    # Calendar rules have no deadline in hours (visit_rules_check1 knew only two).
    op.execute("alter table visit_rules drop constraint visit_rules_check1")
    op.execute(
        f"alter table visit_rules add constraint visit_rules_calendar_no_hours "
        f"check ((trigger in ({CALENDAR})) = (due_hours is null))"
    )
    op.execute(ADD_RULES)


def downgrade() -> None:
    op.execute("""
        do $$
        declare t uuid;
        begin
          for t in select id from tenants loop
            perform set_config('app.tenant_id', t::text, true);
            delete from visit_due_items where rule_id in (select id from visit_rules
              where code in ('political_birthday', 'wedding'));
            delete from visit_rules where code in ('political_birthday', 'wedding');
          end loop;
          perform set_config('app.tenant_id', '', true);
        end $$""")
    op.execute("alter table visit_rules drop constraint visit_rules_calendar_no_hours")
    op.execute(
        "alter table visit_rules add constraint visit_rules_check1 "
        "check ((trigger in ('birthday', 'holiday')) = (due_hours is null))"
    )
