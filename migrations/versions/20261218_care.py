"""Care (关怀): what the roster and the visit log need for it.

- `people.married_on`: the wedding day, for golden (50) and diamond (60) anniversaries;
  never before the person's 16th birthday (the form says so first; the check holds it).
- Two must-visit triggers, answered by two visit kinds of the same name: a political
  birthday (政治生日, the anniversary of joining the Party) and a golden or diamond
  wedding anniversary; and a condolence visit (吊唁) to a deceased member's family.
  `visits.kind` and `visit_rules.trigger` grow to 20 characters for them.
- Condolence money and gifts (慰问金 / 慰问品) given on a visit: the yearly figures a
  bureau reports ("2,000 people visited, 1.3 million yuan") are sums of the visit log.
  Money is numeric(12, 2) yuan, never a float.

Revision ID: 20261218_care
Revises: 20261217_volunteer_totals
Create Date: 2026-12-18
"""

from __future__ import annotations

from alembic import op

revision = "20261218_care"
down_revision = "20261217_volunteer_totals"
branch_labels = None
depends_on = None

TRIGGERS = (
    "'birthday', 'holiday', 'hospitalisation', 'hardship', 'dispute', 'emotional', 'home_study'"
)
KINDS = (
    "'holiday', 'hospital', 'birthday', 'hardship', 'emotional', 'dispute', 'routine', 'home_study'"
)
NEW = "'political_birthday', 'wedding'"


def upgrade() -> None:
    op.execute("alter table people add column married_on date")
    op.execute("""
        alter table people add constraint people_married_after_16 check (
            married_on is null or birth_date is null
            or married_on >= birth_date + interval '16 years')""")
    op.execute("alter table visit_rules alter column trigger type varchar(20)")
    op.execute("alter table visit_rules drop constraint visit_rules_trigger_check")
    op.execute(
        f"alter table visit_rules add constraint visit_rules_trigger_check "
        f"check (trigger in ({TRIGGERS}, {NEW}))"
    )
    op.execute("alter table visits alter column kind type varchar(20)")
    op.execute("alter table visits drop constraint visits_kind_check")
    op.execute(
        f"alter table visits add constraint visits_kind_check "
        f"check (kind in ({KINDS}, {NEW}, 'condolence'))"
    )
    op.execute("""
        alter table visits
            add column condolence_money numeric(12, 2)
                check (condolence_money > 0 and condolence_money < 1000000),
            add column condolence_gifts text check (length(condolence_gifts) <= 200)""")


def downgrade() -> None:
    op.execute("alter table visits drop column condolence_gifts, drop column condolence_money")
    op.execute("delete from visits where kind in ('political_birthday', 'wedding', 'condolence')")
    op.execute("alter table visits drop constraint visits_kind_check")
    op.execute(f"alter table visits add constraint visits_kind_check check (kind in ({KINDS}))")
    op.execute("alter table visits alter column kind type varchar(12)")
    op.execute("delete from visit_rules where trigger in ('political_birthday', 'wedding')")
    op.execute("alter table visit_rules drop constraint visit_rules_trigger_check")
    op.execute(
        f"alter table visit_rules add constraint visit_rules_trigger_check "
        f"check (trigger in ({TRIGGERS}))"
    )
    op.execute("alter table visit_rules alter column trigger type varchar(16)")
    op.execute("alter table people drop constraint people_married_after_16")
    op.execute("alter table people drop column married_on")
