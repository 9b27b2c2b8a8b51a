"""Where report files are kept, behind three calls — put, get, delete by key — so the
local folder of today and the S3-compatible bucket of a production cluster are one
setting apart (REPORTS_STORAGE).

Keys are `<tenant>/<report>-<attempt>.<ext>`: a district's files sit in a folder of
their own, and two builds of one report (a worker that lost its claim and went on)
never write over each other's file.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

from app.settings import Settings


class Storage(Protocol):
    async def put(self, key: str, content: bytes) -> None: ...

    async def get(self, key: str) -> bytes:
        """The file's bytes; FileNotFoundError when there is none."""
        ...

    async def delete(self, key: str) -> None:
        """Gone afterwards, whether or not it was there."""
        ...


class LocalStorage:
    """A folder on this machine (the data directory's `reports`). Enough for one server;
    several web servers need a shared folder or the bucket."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()) or not key or key.startswith("/"):
            raise ValueError(f"not a report key: {key!r}")
        return path

    async def put(self, key: str, content: bytes) -> None:
        await asyncio.to_thread(self._write, self.path(key), content)

    async def get(self, key: str) -> bytes:
        return await asyncio.to_thread(self.path(key).read_bytes)

    async def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    @staticmethod
    def _write(path: Path, content: bytes) -> None:
        """Whole or not at all: written beside, then renamed over the name (a crash
        mid-write leaves a stray temporary file, never half a report)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".part") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(out.name, path)


def report_key(tenant_id: object, report_id: object, attempt: int, extension: str) -> str:
    return f"{tenant_id}/{report_id}-{attempt}.{extension}"


def storage_for(settings: Settings) -> Storage:
    """The storage REPORTS_STORAGE names (app.settings.ReportsSettings)."""
    where = settings.reports.storage
    if not where:
        return LocalStorage(settings.app.data_dir / "reports")
    parts = urlsplit(where)
    if parts.scheme == "file":
        return LocalStorage(Path(unquote(parts.path)))
    raise RuntimeError(f"REPORTS_STORAGE={where!r}: only a folder (file:///…) is supported so far")
