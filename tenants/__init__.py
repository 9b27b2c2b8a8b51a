"""Tenancy's tables and RLS helpers: districts (tenants), provinces, the helpers that
create and check row-level security. It stands on the database layer alone; the
current tenant of a request or job is the database layer's (app.db.tenant)."""
