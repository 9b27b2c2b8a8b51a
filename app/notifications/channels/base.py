"""What every channel is given and what it may answer."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Message:
    to: str
    """An email address or a mainland mobile number."""
    kind: str
    title: str
    body: str
    link: str
    """Absolute (the site's public address and the path)."""
    idempotency_key: str
    """The same for every attempt of one notice on one channel: the receiver can tell
    a resend from a second message."""


def idempotency_key(recipient: str, dedupe_key: str, channel: str) -> str:
    """Derived from the notice's dedupe key, never from a row id or a time."""
    return hashlib.sha256(f"{recipient}|{dedupe_key}|{channel}".encode()).hexdigest()[:40]


class DeliveryError(Exception):
    """The channel did not take the message. `permanent` ones are not retried (a
    refused address); the others are, with backoff."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.permanent = permanent


class Sender(Protocol):
    async def send(self, message: Message) -> None:
        """Hand the message over; raise DeliveryError when it was not taken."""
