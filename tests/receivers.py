"""Real receivers for the outside channels: an SMTP server (aiosmtpd) and an HTTP
webhook endpoint, both on 127.0.0.1, recording what arrived."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller

from app.notifications.channels.webhook import IDEMPOTENCY, SIGNATURE, TIMESTAMP, signature


@dataclass
class SmtpInbox:
    messages: list[Message] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp_server() -> Iterator[tuple[SmtpInbox, int]]:
    inbox = SmtpInbox()
    with socket.socket() as probe:  # aiosmtpd checks its own port, so it must be known
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox.port = port
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


@dataclass
class Webhook:
    """Answers each request with the next status of `statuses` (then 200), after
    `delay` seconds; records every request and which idempotency keys it accepted."""

    secret: str
    statuses: list[int] = field(default_factory=list)
    delay: float = 0.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    accepted: dict[str, int] = field(default_factory=dict)
    """idempotency key → how many times it was accepted (a gateway counts repeats once)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answer(self, headers: Any, body: bytes) -> int:
        time.sleep(self.delay)
        key = headers[IDEMPOTENCY]
        valid = headers[SIGNATURE] == "sha256=" + signature(self.secret, headers[TIMESTAMP], body)
        with self.lock:
            status = self.statuses.pop(0) if self.statuses else 200
            self.requests.append({"key": key, "valid": valid, "status": status,
                                  "json": json.loads(body)})  # fmt: skip
            if status == 200:
                self.accepted[key] = self.accepted.get(key, 0) + 1
        return status if valid else 401


@contextmanager
def webhook_server(hook: Webhook) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            status = hook.answer(self.headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
