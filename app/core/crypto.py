"""ID numbers encrypted at rest, with key rotation (the masks the pages show are
app.people.crypto's).

The cipher is one of the app's long-lived resources (app.state), opened from the
privacy settings with the database and Redis, so it lives below the capabilities.

A token is `v1:<key id>:<12-byte nonce><AES-256-GCM ciphertext and tag>`. It names
the key that made it, so old keys keep decrypting while `redstar rotate-id-keys`
re-encrypts rows under the current one. The tenant id (with the token's header) is
the associated data: a ciphertext copied into another district's row does not
decrypt, and neither does one whose key id was edited.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import unicodedata
from collections.abc import Sequence
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = b"v1:"
_NONCE = 12
_TAG = 16
_KEY_ID = re.compile(r"[a-z0-9-]{1,16}")
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


class UnknownKey(LookupError):
    """The token names a key that is not configured (retired too early, or a typo)."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"no ID number key with id {key_id!r} is configured")
        self.key_id = key_id


class CorruptCiphertext(ValueError):
    """Not a token, altered, or encrypted for another tenant: GCM cannot tell which."""


def _decode_key(text: str, what: str) -> bytes:
    """32 bytes from urlsafe base64 (padding optional). Errors never quote the text:
    it is a secret, and these messages end up in logs."""
    text = text.strip()
    if not text:
        raise ValueError(f"{what} is empty")
    if not _BASE64URL.fullmatch(text):
        raise ValueError(f"{what} is not urlsafe base64 (make one with generate_key())")
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as exc:
        raise ValueError(f"{what} is not valid urlsafe base64") from exc
    if len(key) != 32:
        raise ValueError(f"{what} is {len(key)} bytes; it must be 32")
    return key


class IdCipher:
    """AES-256-GCM (cryptography's AESGCM) with the tenant id as associated data, so
    a ciphertext copied to another tenant's row does not decrypt."""

    def __init__(self, keys: Sequence[tuple[str, bytes]], index_key: bytes) -> None:
        """`keys` are (key id, 32-byte key); the first is current, the others only
        decrypt. The index key is separate because it can never rotate: changing it
        would orphan every blind index."""
        if not keys:
            raise ValueError("at least one ID number key is needed")
        self._keys: dict[str, AESGCM] = {}
        for position, (kid, key) in enumerate(keys, 1):
            if not _KEY_ID.fullmatch(kid):
                # Not quoted: with the pair written the wrong way round it is the key.
                raise ValueError(
                    f"ID number key {position}: the key id must be 1-16 of a-z, 0-9 and -"
                )
            if kid in self._keys:
                raise ValueError(f"ID number key id {kid!r} appears twice")
            if len(key) != 32:
                raise ValueError(f"ID number key {kid!r} is {len(key)} bytes; it must be 32")
            if hmac.compare_digest(key, index_key):
                raise ValueError(f"ID number key {kid!r} is also the index key")
            self._keys[kid] = AESGCM(key)
        if len(index_key) != 32:
            raise ValueError(f"the ID number index key is {len(index_key)} bytes; it must be 32")
        self.current_key_id: str = keys[0][0]
        self._index_key = index_key

    @classmethod
    def from_config(cls, keys: str, index_key: str) -> IdCipher:
        """From settings: `kid:key,kid2:key2` (urlsafe base64, the first is current)
        and the index key (urlsafe base64)."""
        entries = [entry.strip() for entry in keys.split(",")]
        if not any(entries):
            raise ValueError("no ID number keys are configured (expected 'kid:key,…')")
        pairs: list[tuple[str, bytes]] = []
        for position, entry in enumerate(entries, 1):
            if not entry:
                raise ValueError(f"ID number key {position} is empty (a stray comma?)")
            kid, colon, text = entry.partition(":")
            if not colon:
                raise ValueError(f"ID number key {position} has no key id (expected 'kid:key')")
            kid = kid.strip()
            if not _KEY_ID.fullmatch(kid):
                raise ValueError(
                    f"ID number key {position}: the key id must be 1-16 of a-z, 0-9 and -"
                )
            pairs.append((kid, _decode_key(text, f"ID number key {kid!r}")))
        return cls(pairs, _decode_key(index_key, "the ID number index key"))

    # --- tokens -----------------------------------------------------------------------

    def encrypt(self, tenant_id: UUID, plaintext: str | bytes) -> bytes:
        """A fresh random nonce each time: the same ID gives different tokens, which
        is why exact lookup goes through blind_index."""
        data = plaintext.encode() if isinstance(plaintext, str) else plaintext
        header = _PREFIX + self.current_key_id.encode() + b":"
        nonce = os.urandom(_NONCE)
        sealed = self._keys[self.current_key_id].encrypt(nonce, data, tenant_id.bytes + header)
        return header + nonce + sealed

    encrypt_bytes = encrypt
    """For blobs (an uploaded roster holds ID numbers too); the same as encrypt."""

    def decrypt_bytes(self, tenant_id: UUID, token: bytes) -> bytes:
        kid, body_start = _parse(token)
        cipher = self._keys.get(kid)
        if cipher is None:
            raise UnknownKey(kid)
        token = bytes(token)
        nonce = token[body_start : body_start + _NONCE]
        try:
            return cipher.decrypt(
                nonce, token[body_start + _NONCE :], tenant_id.bytes + token[:body_start]
            )
        except InvalidTag as exc:
            raise CorruptCiphertext(
                "the token does not verify: altered, or encrypted for another tenant"
            ) from exc

    def decrypt(self, tenant_id: UUID, token: bytes) -> str:
        return self.decrypt_bytes(tenant_id, token).decode()

    def key_id(self, token: bytes) -> str:
        """Which key made the token (read from its header; nothing is decrypted)."""
        return _parse(token)[0]

    def needs_rotation(self, token: bytes) -> bool:
        """Encrypted under a key that is no longer the current one."""
        return self.key_id(token) != self.current_key_id

    def rotate(self, tenant_id: UUID, token: bytes) -> bytes:
        """The token under the current key; the same token when it already is."""
        if not self.needs_rotation(token):
            return bytes(token)
        return self.encrypt(tenant_id, self.decrypt_bytes(tenant_id, token))

    def blind_index(self, tenant_id: UUID, id_number: str) -> bytes:
        """HMAC-SHA256 of tenant id and ID number: finds or de-duplicates a person by ID
        number without decrypting. Keyed per tenant, so two districts' rosters cannot
        be matched against each other; normalised (NFKC, upper-case X) so the same
        number typed differently hashes the same."""
        number = unicodedata.normalize("NFKC", id_number).strip().upper()
        return hmac.new(self._index_key, tenant_id.bytes + number.encode(), hashlib.sha256).digest()


def _parse(token: bytes) -> tuple[str, int]:
    """(key id, where the nonce starts) of a well-formed token."""
    token = bytes(token)
    if not token.startswith(_PREFIX):
        raise CorruptCiphertext("not an ID number token (no v1 header)")
    end = token.find(b":", len(_PREFIX), len(_PREFIX) + 17)
    kid = token[len(_PREFIX) : end].decode("ascii", "replace") if end > 0 else ""
    if not _KEY_ID.fullmatch(kid):
        raise CorruptCiphertext("not an ID number token (bad key id)")
    if len(token) - end - 1 < _NONCE + _TAG:
        raise CorruptCiphertext("the ID number token is truncated")
    return kid, end + 1


def generate_key() -> str:
    """A new key for ID_NUMBER_KEYS or ID_NUMBER_INDEX_KEY: 32 random bytes."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()
