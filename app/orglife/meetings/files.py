"""A held meeting's files: photos re-encoded like claim photos (app.core.photos: upright,
small, no EXIF), attachments kept as sent once their first bytes show they are what
their name says — PDF or Word, at most 10 MB each."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from app.core.errors import Refused
from app.core.photos import JPEG, evidence_jpeg
from app.i18n import N_

MAX_ATTACHMENT = 10 * 1024 * 1024
MAX_FILES = 10
UPLOAD_LIMIT = 60 * 1024 * 1024
"""The record form's body limit: a few photos and attachments, so that too much gets the
page's message rather than a bare 413."""

PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ATTACHMENT_TYPES = {
    ".pdf": (PDF, (b"%PDF-",)),
    ".doc": (DOC, (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)),
    ".docx": (DOCX, (b"PK\x03\x04",)),
}


@dataclass(frozen=True)
class Upload:
    filename: str
    content: bytes
    photo: bool
    """Sent as a photo (re-encoded) rather than an attachment (kept as is)."""


def checked_files(uploads: list[Upload]) -> list[tuple[str, str, bytes]]:
    """Each upload as (file name, media type, bytes) to store; Refused, naming the file,
    for the first that is too large or not of a kind we keep."""
    if len(uploads) > MAX_FILES:
        raise Refused(N_("Please send at most %(n)s files at a time."), n=MAX_FILES)
    found = []
    for upload in uploads:
        name = PurePath(upload.filename.replace("\\", "/")).name[-100:] or "file"
        if upload.photo:
            jpeg = evidence_jpeg(upload.content)
            found.append((f"{PurePath(name).stem}.jpg", JPEG, jpeg))
            continue
        if len(upload.content) > MAX_ATTACHMENT:
            raise Refused(N_("“%(name)s” is larger than 10 MB. Please send a smaller file."),
                          name=name)  # fmt: skip
        kind = ATTACHMENT_TYPES.get(PurePath(name).suffix.lower())
        if kind is None or not upload.content.startswith(kind[1]):
            raise Refused(N_("“%(name)s” is not a PDF or Word file. Please send one of those."),
                          name=name)  # fmt: skip
        found.append((name, kind[0], upload.content))
    return found
