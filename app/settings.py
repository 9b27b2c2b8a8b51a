"""Settings, one dataclass per concern, read from the environment once.

Every variable is listed in the README's settings table; keep the two in step.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def _env_bool(name: str, default: bool) -> bool:
    raw = _env(name)
    return default if not raw else raw.lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class AppSettings:
    env: str = field(default_factory=lambda: _env("APP_ENV", "development"))
    """`production` switches logs to JSON and cookies to Secure."""
    secret_key: str = field(default_factory=lambda: _env("SECRET_KEY"))
    """Signs CSRF tokens. Required in production; development makes one per data dir."""
    host: str = field(default_factory=lambda: _env("HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: int(_env("PORT", "8000")))
    web_workers: int = field(default_factory=lambda: int(_env("WEB_WORKERS", "1")))
    """Web server processes; each is stateless."""
    data_dir: Path = field(
        default_factory=lambda: Path(_env("REDSTAR_DATA_DIR", str(PROJECT_ROOT / ".redstar")))
    )
    """Where the embedded PostgreSQL and Valkey keep their data (development only)."""
    default_locale: str = "zh_CN"

    @property
    def production(self) -> bool:
        return self.env == "production"


@dataclass(frozen=True)
class DatabaseSettings:
    url: str = field(default_factory=lambda: _env("DATABASE_URL"))
    """Runtime role: not superuser, NOBYPASSRLS, owns nothing. Empty → embedded server."""
    owner_url: str = field(default_factory=lambda: _env("DATABASE_OWNER_URL"))
    """Owner role that runs migrations. Defaults to DATABASE_URL's server as redstar_owner."""
    pool_size: int = field(default_factory=lambda: int(_env("DATABASE_POOL_SIZE", "10")))
    echo: bool = field(default_factory=lambda: _env_bool("DATABASE_ECHO", False))


@dataclass(frozen=True)
class RedisSettings:
    url: str = field(default_factory=lambda: _env("REDIS_URL"))
    """Sessions, login throttling and the arq queue. Empty → embedded Valkey."""


@dataclass(frozen=True)
class AuthSettings:
    session_idle_seconds: int = field(
        default_factory=lambda: int(_env("SESSION_IDLE_SECONDS", str(8 * 3600)))
    )
    """A session ends after this long without a request."""
    session_max_seconds: int = field(
        default_factory=lambda: int(_env("SESSION_MAX_SECONDS", str(30 * 86400)))
    )
    """…and after this long in any case: then the password is asked again."""
    login_max_failures_account: int = field(
        default_factory=lambda: int(_env("LOGIN_MAX_FAILURES_ACCOUNT", "5"))
    )
    login_max_failures_ip: int = field(
        default_factory=lambda: int(_env("LOGIN_MAX_FAILURES_IP", "30"))
    )
    login_lock_seconds: int = field(default_factory=lambda: int(_env("LOGIN_LOCK_SECONDS", "900")))
    """Failures are counted over this window; reaching a limit locks for the rest of it."""
    signups_per_ip_per_day: int = field(
        default_factory=lambda: int(_env("SIGNUPS_PER_IP_PER_DAY", "5"))
    )
    """Signups one client address may submit in a day: region codes cannot be squatted."""
    invitation_days: int = field(default_factory=lambda: int(_env("INVITATION_DAYS", "7")))
    password_reset_hours: int = field(
        default_factory=lambda: int(_env("PASSWORD_RESET_HOURS", "48"))
    )


@dataclass(frozen=True)
class PrivacySettings:
    id_number_keys: str = field(default_factory=lambda: _env("ID_NUMBER_KEYS"))
    """`kid:key,…` (32-byte urlsafe base64 keys): the first encrypts ID numbers, the
    others still decrypt. Rotate with `redstar rotate-id-keys`. Required in production."""
    id_number_index_key: str = field(default_factory=lambda: _env("ID_NUMBER_INDEX_KEY"))
    """Keys the hash that finds a person by ID number without decrypting. Never changes."""


@dataclass(frozen=True)
class NotifySettings:
    """Where notices go beyond the inbox, and how hard delivery tries."""

    public_url: str = field(default_factory=lambda: _env("PUBLIC_URL").rstrip("/"))
    """The site's address as people reach it; links in emails and SMS start with it."""
    smtp_host: str = field(default_factory=lambda: _env("SMTP_HOST"))
    """Empty: no email channel."""
    smtp_port: int = field(default_factory=lambda: int(_env("SMTP_PORT", "587")))
    smtp_user: str = field(default_factory=lambda: _env("SMTP_USER"))
    smtp_password: str = field(default_factory=lambda: _env("SMTP_PASSWORD"))
    smtp_starttls: bool = field(default_factory=lambda: _env_bool("SMTP_STARTTLS", True))
    smtp_from: str = field(default_factory=lambda: _env("SMTP_FROM", "红星 <noreply@localhost>"))
    retry_base_seconds: float = field(
        default_factory=lambda: float(_env("NOTIFY_RETRY_BASE_SECONDS", "30"))
    )
    """The first retry waits this long, each next one twice as long (at most an hour)."""
    max_attempts: int = field(default_factory=lambda: int(_env("NOTIFY_MAX_ATTEMPTS", "6")))
    """After this many failed attempts a delivery is marked failed for an admin to retry."""
    sweep_grace_seconds: float = field(
        default_factory=lambda: float(_env("NOTIFY_SWEEP_GRACE_SECONDS", "30"))
    )
    """A delivery due this long ago and not sent is queued again by the sweep."""


@dataclass(frozen=True)
class ReportsSettings:
    storage: str = field(default_factory=lambda: _env("REPORTS_STORAGE"))
    """Where built report files are kept: empty → the folder `reports` under
    REDSTAR_DATA_DIR; `file:///a/folder` → that folder. (An S3-compatible bucket,
    `s3://…`, is the planned production choice; app.reports.storage refuses it until
    its adapter exists.)"""


@dataclass(frozen=True)
class Settings:
    app: AppSettings = field(default_factory=AppSettings)
    db: DatabaseSettings = field(default_factory=DatabaseSettings)
    redis: RedisSettings = field(default_factory=RedisSettings)
    auth: AuthSettings = field(default_factory=AuthSettings)
    privacy: PrivacySettings = field(default_factory=PrivacySettings)
    notify: NotifySettings = field(default_factory=NotifySettings)
    reports: ReportsSettings = field(default_factory=ReportsSettings)

    @property
    def embedded(self) -> bool:
        """True when the CLI must start its own PostgreSQL and Valkey."""
        return not (self.db.url and self.redis.url)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    settings = Settings()
    if settings.app.production and not settings.app.secret_key:
        raise RuntimeError("SECRET_KEY must be set when APP_ENV=production")
    if settings.app.production and not (
        settings.privacy.id_number_keys and settings.privacy.id_number_index_key
    ):
        raise RuntimeError("ID_NUMBER_KEYS and ID_NUMBER_INDEX_KEY must be set in production")
    return settings


def development_secret(data_dir: Path, name: str = "secret_key", value: str = "") -> str:
    """A per-data-dir secret so development restarts keep CSRF tokens valid and
    encrypted ID numbers readable. Made once (from `value`, else random), then kept."""
    path = data_dir / name
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    value = value or secrets.token_urlsafe(48)
    path.write_text(value)
    path.chmod(0o600)
    return value
