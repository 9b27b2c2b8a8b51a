"""The real servers a test session runs against: a fresh embedded PostgreSQL cluster
and Valkey under a temporary directory, with the migrations applied by the owner."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from app.db.migrate import upgrade_to_head
from app.embedded import EmbeddedPostgres, EmbeddedValkey
from app.settings import (
    AppSettings,
    AuthSettings,
    DatabaseSettings,
    PrivacySettings,
    RedisSettings,
    ReportsSettings,
    Settings,
)

DATABASE = "redstar_test"
# Fixed test keys (32 bytes each, urlsafe base64): an older key is listed second so
# rotation has something to rotate from.
TEST_ID_KEYS = (
    "t2:dGVzdC1pZC1rZXktdHdvLTAxMjM0NTY3ODlhYmNkZWY=,"
    "t1:dGVzdC1pZC1rZXktb25lLTAxMjM0NTY3ODlhYmNkZWY="
)
TEST_INDEX_KEY = "dGVzdC1pbmRleC1rZXktMDEyMzQ1Njc4OWFiY2RlZmc="


@dataclass
class ServerPair:
    root: Path
    postgres: EmbeddedPostgres
    valkey: EmbeddedValkey

    @classmethod
    def start(cls) -> ServerPair:
        root = Path(tempfile.mkdtemp(prefix="redstar-test-"))
        postgres = EmbeddedPostgres(root / "postgres")
        postgres.start()
        # A throwaway cluster has no crash to survive: commits and truncates need not
        # wait for the disk (each test empties every table and commits many times).
        postgres.psql(
            "alter system set fsync = off;"
            "alter system set synchronous_commit = off;"
            "alter system set full_page_writes = off;"
            "select pg_reload_conf();"
        )
        postgres.ensure_database(DATABASE)
        upgrade_to_head(postgres.url("redstar_owner", DATABASE))
        valkey = EmbeddedValkey(root / "valkey")
        valkey.start()
        return cls(root, postgres, valkey)

    def stop(self) -> None:
        self.valkey.stop()
        self.postgres.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def runtime_url(self) -> str:
        return self.postgres.url("redstar_app", DATABASE)

    @property
    def owner_url(self) -> str:
        return self.postgres.url("redstar_owner", DATABASE)

    @property
    def superuser_url(self) -> str:
        """Only for emptying the tables between tests (tests/plugin.py)."""
        return self.postgres.url("postgres", DATABASE)

    def environment(self) -> dict[str, str]:
        return {
            "DATABASE_URL": self.runtime_url,
            "DATABASE_OWNER_URL": self.owner_url,
            "REDIS_URL": self.valkey.url,
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "ID_NUMBER_KEYS": TEST_ID_KEYS,
            "ID_NUMBER_INDEX_KEY": TEST_INDEX_KEY,
            "REPORTS_STORAGE": self.reports_storage,
        }

    @property
    def reports_storage(self) -> str:
        """Report files of the session's tests: a folder under its temporary root."""
        return (self.root / "reports").as_uri()

    def settings(self, **auth: int) -> Settings:
        return Settings(
            app=AppSettings(env="test", secret_key=self.environment()["SECRET_KEY"]),
            db=DatabaseSettings(url=self.runtime_url, owner_url=self.owner_url, pool_size=5),
            redis=RedisSettings(url=self.valkey.url),
            auth=AuthSettings(**auth),
            privacy=PrivacySettings(
                id_number_keys=TEST_ID_KEYS, id_number_index_key=TEST_INDEX_KEY
            ),
            reports=ReportsSettings(storage=self.reports_storage),
        )
