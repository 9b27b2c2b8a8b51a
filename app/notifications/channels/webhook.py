"""SMS and WeChat template messages through a district's gateway: a JSON POST signed
with HMAC-SHA256 over the timestamp and the body, with an idempotency key header.

A real gateway (an SMS provider, the WeChat official account's template API) sits
behind a small adapter that checks the signature, drops repeated idempotency keys
and speaks its provider's API; the contract is in app/notifications/README.md.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import httpx

from app.notifications.channels.base import DeliveryError, Message

SIGNATURE = "X-Redstar-Signature"
TIMESTAMP = "X-Redstar-Timestamp"
IDEMPOTENCY = "Idempotency-Key"
RETRIED_STATUSES = frozenset({408, 425, 429})


def http_client() -> httpx.AsyncClient:
    """Ten seconds for a gateway to answer; a signed POST never follows a redirect."""
    return httpx.AsyncClient(timeout=10, follow_redirects=False)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """hex(HMAC-SHA256(secret, timestamp + "." + body)): what the receiver recomputes."""
    return hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(
        self, channel: str, url: str, secret: str, client: httpx.AsyncClient | None = None
    ) -> None:
        self.channel = channel
        self.url = url
        self.secret = secret
        self.client = client
        """The worker's shared client (its connections are kept); one per send if None."""

    async def send(self, message: Message) -> None:
        body = json.dumps(
            {
                "channel": self.channel,
                "to": message.to,
                "kind": message.kind,
                "title": message.title,
                "text": message.body,
                "link": message.link,
            },
            ensure_ascii=False,
        ).encode()
        stamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            TIMESTAMP: stamp,
            SIGNATURE: "sha256=" + signature(self.secret, stamp, body),
            IDEMPOTENCY: message.idempotency_key,
        }
        try:
            if self.client is not None:
                response = await self.client.post(self.url, content=body, headers=headers)
            else:
                async with http_client() as client:
                    response = await client.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"网关无法连接：{type(exc).__name__}") from exc
        if response.is_success:
            return
        status = response.status_code
        permanent = 400 <= status < 500 and status not in RETRIED_STATUSES
        raise DeliveryError(f"网关答复 {status}：{response.text[:200]}", permanent=permanent)
