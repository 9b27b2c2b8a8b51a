"""Political birthdays (政治生日) and their five gifts.

- `political_birthdays`: one record per member per year (the anniversary of joining the
  Party), made by the first gift ticked; the unique key refuses a second for the year.
- `political_birthday_gifts`: 贺卡, 党徽, 红色书籍, 光荣牌 and 祝福微信/短信, each kept
  with who delivered it (account and name) and the day — or, for a mobile member, the
  post day and the tracking number. The key (record, gift) refuses a gift ticked twice;
  unticking (a correction) deletes the row, and the audit log keeps both.

Revision ID: 20261220_political_birthdays
Revises: 20261219_surveys
Create Date: 2026-12-19
"""

from __future__ import annotations

from alembic import op

from tenants.rls import tenant_table_sql

revision = "20261220_political_birthdays"
down_revision = "20261219_surveys"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create table political_birthdays (
            tenant_id uuid not null references tenants (id),
            id uuid not null,
            person_id uuid not null,
            year smallint not null check (year between 1950 and 2200),
            anniversary_on date not null,
            party_years smallint not null check (party_years >= 1),
            opened_by uuid not null,
            opened_by_name text not null,
            opened_at timestamptz not null default now(),
            primary key (tenant_id, id),
            constraint political_birthdays_one_a_year unique (tenant_id, person_id, year),
            foreign key (tenant_id, person_id) references people (tenant_id, id),
            foreign key (tenant_id, opened_by) references users (tenant_id, id),
            check (extract(year from anniversary_on) = year)
        )""")
    op.execute("""
        create table political_birthday_gifts (
            tenant_id uuid not null references tenants (id),
            birthday_id uuid not null,
            gift varchar(8) not null
                check (gift in ('card', 'badge', 'book', 'plate', 'message')),
            way varchar(4) not null check (way in ('hand', 'post')),
            delivered_on date not null,
            delivered_by uuid not null,
            delivered_by_name text not null,
            tracking_number varchar(30),
            recorded_at timestamptz not null default now(),
            primary key (tenant_id, birthday_id, gift),
            foreign key (tenant_id, birthday_id) references political_birthdays (tenant_id, id),
            foreign key (tenant_id, delivered_by) references users (tenant_id, id),
            check ((way = 'post') = (tracking_number is not null)),
            check (way = 'hand' or gift <> 'message')
        )""")
    for table in ("political_birthdays", "political_birthday_gifts"):
        for statement in tenant_table_sql(table):
            op.execute(statement)


def downgrade() -> None:
    op.execute("drop table political_birthday_gifts")
    op.execute("drop table political_birthdays")
