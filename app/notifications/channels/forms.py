"""Reading a gateway's form: which channel, the webhook's URL and its secret.

A URL must be http(s) with a host, and must not point at this app itself: the
signed POSTs would land on our own pages (at best a stream of 404s, at worst a loop
through whatever the path names). "Itself" is the address the admin is using now
and the site's public address (PUBLIC_URL); the loopback names count as one.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from app.core.forms import FieldError, FormReader
from app.i18n import N_
from app.notifications.kinds import Channel

GATEWAY_CHANNELS = (Channel.SMS, Channel.WECHAT)
MAX_URL = 500
MIN_SECRET, MAX_SECRET = 16, 200
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "[::1]"})  # noqa: S104 (names, not a bind)

Address = tuple[str, int]
"""A host (lower case; the loopback names as one) and a port."""


@dataclass(frozen=True)
class GatewayForm:
    channel: Channel
    url: str
    secret: str | None
    """None: keep the secret stored."""


def address_of(scheme: str, host: str, port: int | None) -> Address:
    host = host.lower().strip("[]")
    host = "loopback" if host in LOOPBACK or host.startswith("127.") else host
    return host, port or (443 if scheme == "https" else 80)


def own_address(url: str) -> Address | None:
    """The host and port of `url` (this app's own address), or None if it has none."""
    try:
        parts = urlsplit(url)
        return address_of(parts.scheme, parts.hostname, parts.port) if parts.hostname else None
    except ValueError:
        return None


def webhook_url(own: Collection[Address]) -> Callable[[str], str]:
    """The rule for a webhook URL, knowing the app's own addresses."""

    def rule(raw: str) -> str:
        text = unicodedata.normalize("NFKC", raw or "").strip()
        if not text:
            raise FieldError(N_("Please enter the address of the gateway."))
        if len(text) > MAX_URL or any(ch.isspace() or ord(ch) < 32 for ch in text):
            raise FieldError(N_("Please enter a web address like https://sms.example.com/send."))
        try:
            parts = urlsplit(text)
            port = parts.port
        except ValueError:
            parts, port = None, None
        if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
            raise FieldError(
                N_("The address must start with https:// or http:// and name a server.")
            )
        if address_of(parts.scheme, parts.hostname, port) in own:
            raise FieldError(
                N_("That address is this site itself. Please enter the address of the gateway.")
            )
        return text

    return rule


def secret(raw: str) -> str:
    text = (raw or "").strip()
    if not MIN_SECRET <= len(text) <= MAX_SECRET or any(
        ch.isspace() or unicodedata.category(ch) == "Cc" for ch in text
    ):
        raise FieldError(
            N_("The secret must be %(low)s to %(high)s characters, without spaces."),
            low=MIN_SECRET, high=MAX_SECRET,
        )  # fmt: skip
    return text


def parse_gateway(
    data: Mapping[str, str], own: Collection[Address], *, has_secret: bool
) -> GatewayForm:
    """A gateway's URL and secret; with a secret already stored, an empty one keeps it."""
    reader = FormReader(data)
    channel = reader.raw("channel")
    if channel not in GATEWAY_CHANNELS:
        reader.error("channel", N_("Please choose text message or WeChat."))
    url = reader.field("url", webhook_url(own))
    given = None
    if reader.raw("secret").strip() or not has_secret:
        given = reader.field("secret", secret)
    reader.done()
    assert url is not None
    return GatewayForm(Channel(channel), url, given)
