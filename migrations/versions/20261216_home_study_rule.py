"""送学上门: a must-visit rule kind for infirm members who missed a meeting's study.

- `visit_rules.trigger` and `visits.kind` accept 'home_study'.
- Every existing district gets the rule as the service preset now has it
  (app/presets/service/standard.toml: due 168 hours after the meeting's day, in person),
  last in its list; the admin tunes it like the others. visit_rules forces row-level
  security even for its owner, so the rows are written one district at a time under
  that district's tenant setting.

Revision ID: 20261216_home_study_rule
Revises: 20261215_orglife_volunteering
Create Date: 2026-12-16
"""

from __future__ import annotations

from alembic import op

revision = "20261216_home_study_rule"
down_revision = "20261215_orglife_volunteering"
branch_labels = None
depends_on = None

TRIGGERS = "'birthday', 'holiday', 'hospitalisation', 'hardship', 'dispute', 'emotional'"
KINDS = "'holiday', 'hospital', 'birthday', 'hardship', 'emotional', 'dispute', 'routine'"
ADD_RULE = """        do $$
        declare t uuid;
        begin
          for t in select id from tenants loop
            perform set_config('app.tenant_id', t::text, true);
            insert into visit_rules (tenant_id, code, position, name, trigger, due_hours,
                                     in_person)
            select t, 'home_study', coalesce(max(position), -1) + 1, '送学上门',
                   'home_study', 168, true
              from visit_rules where tenant_id = t
            on conflict (tenant_id, code) do nothing;
          end loop;
          perform set_config('app.tenant_id', '', true);
        end $$"""
"""Every district without it gets the rule, last in its list (a test runs it too)."""


def upgrade() -> None:
    op.execute("alter table visit_rules drop constraint visit_rules_trigger_check")
    op.execute(
        f"alter table visit_rules add constraint visit_rules_trigger_check "
        f"check (trigger in ({TRIGGERS}, 'home_study'))"
    )
    op.execute("alter table visits drop constraint visits_kind_check")
    op.execute(
        f"alter table visits add constraint visits_kind_check "
        f"check (kind in ({KINDS}, 'home_study'))"
    )
    op.execute(ADD_RULE)


def downgrade() -> None:
    op.execute("""
        do $$
        declare t uuid;
        begin
          for t in select id from tenants loop
            perform set_config('app.tenant_id', t::text, true);
            delete from visit_due_items where rule_id in
              (select id from visit_rules where trigger = 'home_study');
            delete from visit_rules where trigger = 'home_study';
          end loop;
          perform set_config('app.tenant_id', '', true);
        end $$""")
    op.execute("alter table visits drop constraint visits_kind_check")
    op.execute(f"alter table visits add constraint visits_kind_check check (kind in ({KINDS}))")
    op.execute("alter table visit_rules drop constraint visit_rules_trigger_check")
    op.execute(
        f"alter table visit_rules add constraint visit_rules_trigger_check "
        f"check (trigger in ({TRIGGERS}))"
    )
