"""Notifications: the outbox (one row per notice to one account, unique per dedupe
key), a delivery state per outside channel, each account's preferences, and each
district's SMS and WeChat webhook endpoints.

A notice's row is its inbox item, written in the transaction of the change that
caused it; deliveries are worked by the worker. Notices of the platform's own
accounts (operators, provincial viewers) carry no tenant: the shared policy shows
them only to a transaction with no tenant.

Revision ID: 20261211_notifications
Revises: 20261210_link_lookups_at
Create Date: 2026-12-11
"""

from __future__ import annotations

from alembic import op

from tenants.rls import shared_table_sql

revision = "20261211_notifications"
down_revision = "20261210_link_lookups_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("""
        create table notifications (
            id uuid primary key,
            tenant_id uuid references tenants (id),
            recipient_id uuid not null,
            kind varchar(32) not null,
            dedupe_key text not null,
            title text not null,
            body text not null,
            link text not null default '',
            created_at timestamptz not null default now(),
            read_at timestamptz,
            constraint uq_notifications_dedupe unique (recipient_id, dedupe_key)
        )""")
    op.execute(
        "create index ix_notifications_inbox on notifications (recipient_id, created_at desc)"
    )
    # The header's unread count on every page: an index-only count.
    op.execute(
        "create index ix_notifications_unread on notifications (recipient_id) where read_at is null"
    )
    op.execute("""
        create table notification_deliveries (
            id uuid primary key,
            tenant_id uuid references tenants (id),
            notification_id uuid not null references notifications (id) on delete cascade,
            channel varchar(16) not null check (channel in ('email', 'sms', 'wechat')),
            address text not null,
            state varchar(16) not null default 'pending'
                check (state in ('pending', 'sent', 'failed')),
            attempts integer not null default 0,
            due_at timestamptz not null default now(),
            last_error text,
            sent_at timestamptz,
            created_at timestamptz not null default now(),
            constraint uq_notification_deliveries_channel unique (notification_id, channel)
        )""")
    op.execute(
        "create index ix_notification_deliveries_due on notification_deliveries (due_at) "
        "where state = 'pending'"
    )
    op.execute(
        "create index ix_notification_deliveries_failed on notification_deliveries "
        "(created_at desc) where state = 'failed'"
    )
    op.execute("""
        create table notice_preferences (
            account_id uuid primary key,
            tenant_id uuid references tenants (id),
            email text,
            quiet_start time not null default '22:00',
            quiet_end time not null default '07:00',
            channels jsonb not null default '{}',
            updated_at timestamptz not null default now(),
            check (quiet_start <> quiet_end)
        )""")
    op.execute("""
        create table channel_endpoints (
            id uuid primary key,
            tenant_id uuid references tenants (id),
            channel varchar(16) not null check (channel in ('sms', 'wechat')),
            url text not null,
            secret_enc bytea not null,
            updated_by uuid not null,
            updated_at timestamptz not null default now()
        )""")
    # One gateway per channel for each district and for the platform (no tenant).
    op.execute(
        "create unique index uq_channel_endpoints_channel on channel_endpoints "
        "(coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'), channel)"
    )
    for table in (
        "notifications",
        "notification_deliveries",
        "notice_preferences",
        "channel_endpoints",
    ):
        for statement in shared_table_sql(table):
            op.execute(statement)


def downgrade() -> None:
    for table in (
        "channel_endpoints",
        "notice_preferences",
        "notification_deliveries",
        "notifications",
    ):
        op.execute(f"drop table if exists {table}")
