"""Database access: engine, sessions with the tenant hook, and the model base."""

from app.db.base import Base, TenantMixin
from app.db.session import Database

__all__ = ["Base", "Database", "TenantMixin"]
