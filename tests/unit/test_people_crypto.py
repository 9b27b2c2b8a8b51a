"""ID numbers at rest: AES-GCM bound to the tenant, key rotation, blind index, masks."""

from __future__ import annotations

import base64
import hashlib
import os
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.people.crypto import (
    CorruptCiphertext,
    IdCipher,
    UnknownKey,
    generate_key,
    mask_id,
    mask_phone,
)

# Fixed keys, so that parallel test workers collect the same parameters.
OLD = hashlib.sha256(b"old test key").digest()
NEW = hashlib.sha256(b"new test key").digest()
INDEX = hashlib.sha256(b"test index key").digest()
ID = "370102194910011234"
TENANT = UUID("6f1c0a52-4b8e-4f39-9d9a-2c7f0b1e3a11")
OTHER = UUID("0b7e9d44-1c2a-4e5f-8a6b-3d9c7e2f1a00")


def b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


@pytest.fixture
def old() -> IdCipher:
    return IdCipher([("2025", OLD)], INDEX)


@pytest.fixture
def rotated() -> IdCipher:
    """After rotation: the new key is current, the old one still decrypts."""
    return IdCipher([("2026", NEW), ("2025", OLD)], INDEX)


# --- round trip ---------------------------------------------------------------------


@settings(max_examples=200)
@given(tenant=st.uuids(), text=st.text())
def test_round_trip(tenant: UUID, text: str) -> None:
    cipher = IdCipher([("k1", NEW)], INDEX)
    token = cipher.encrypt(tenant, text)
    assert cipher.decrypt(tenant, token) == text


@given(tenant=st.uuids(), data=st.binary(max_size=4096))
def test_round_trip_bytes(tenant: UUID, data: bytes) -> None:
    cipher = IdCipher([("k1", NEW)], INDEX)
    assert cipher.decrypt_bytes(tenant, cipher.encrypt_bytes(tenant, data)) == data


def test_token_format(old: IdCipher) -> None:
    token = old.encrypt(TENANT, ID)
    assert token.startswith(b"v1:2025:")
    assert len(token) == len(b"v1:2025:") + 12 + len(ID) + 16
    assert ID.encode() not in token


def test_same_id_gives_different_tokens(old: IdCipher) -> None:
    assert old.encrypt(TENANT, ID) != old.encrypt(TENANT, ID)


def test_memoryview_token(old: IdCipher) -> None:
    assert old.decrypt(TENANT, memoryview(old.encrypt(TENANT, ID))) == ID  # type: ignore[arg-type]


# --- what must not decrypt -----------------------------------------------------------


def test_another_tenant_cannot_decrypt(old: IdCipher) -> None:
    token = old.encrypt(TENANT, ID)
    with pytest.raises(CorruptCiphertext):
        old.decrypt(OTHER, token)


@given(other=st.uuids())
def test_no_other_tenant_decrypts(other: UUID) -> None:
    cipher = IdCipher([("k1", NEW)], INDEX)
    token = cipher.encrypt(TENANT, ID)
    if other != TENANT:
        with pytest.raises(CorruptCiphertext):
            cipher.decrypt(other, token)


@pytest.mark.parametrize("position", [8, 15, 20, -1])
def test_tampered_token(old: IdCipher, position: int) -> None:
    token = bytearray(old.encrypt(TENANT, ID))
    token[position] ^= 0x01
    with pytest.raises(CorruptCiphertext):
        old.decrypt(TENANT, bytes(token))


def test_relabelled_key_id_does_not_verify() -> None:
    """Same key under two ids: editing the id in the header breaks the tag."""
    cipher = IdCipher([("a", NEW), ("b", OLD)], INDEX)
    twin = IdCipher([("b", NEW)], INDEX)
    token = cipher.encrypt(TENANT, ID)
    with pytest.raises(CorruptCiphertext):
        twin.decrypt(TENANT, b"v1:b:" + token[len(b"v1:a:") :])


@pytest.mark.parametrize(
    "token",
    [
        b"",
        b"v1",
        b"v2:2025:" + bytes(40),
        b"370102194910011234",
        b"v1:" + bytes(40),
        b"v1::" + bytes(40),
        b"v1:UPPER:" + bytes(40),
        b"v1:" + b"k" * 17 + b":" + bytes(40),
        b"v1:2025:" + bytes(27),
    ],
)
def test_malformed_tokens(old: IdCipher, token: bytes) -> None:
    with pytest.raises(CorruptCiphertext):
        old.decrypt(TENANT, token)
    with pytest.raises(CorruptCiphertext):
        old.key_id(token)


def test_wrong_key_with_right_id() -> None:
    token = IdCipher([("2025", OLD)], INDEX).encrypt(TENANT, ID)
    with pytest.raises(CorruptCiphertext):
        IdCipher([("2025", NEW)], INDEX).decrypt(TENANT, token)


# --- rotation ------------------------------------------------------------------------


def test_old_tokens_decrypt_after_rotation(old: IdCipher, rotated: IdCipher) -> None:
    token = old.encrypt(TENANT, ID)
    assert rotated.decrypt(TENANT, token) == ID
    assert rotated.key_id(token) == "2025"
    assert rotated.needs_rotation(token)
    assert not old.needs_rotation(token)


def test_new_tokens_use_the_current_key(old: IdCipher, rotated: IdCipher) -> None:
    token = rotated.encrypt(TENANT, ID)
    assert rotated.key_id(token) == "2026"
    assert not rotated.needs_rotation(token)
    assert rotated.current_key_id == "2026"
    with pytest.raises(UnknownKey):
        old.decrypt(TENANT, token)


def test_rotate(old: IdCipher, rotated: IdCipher) -> None:
    token = old.encrypt(TENANT, ID)
    fresh = rotated.rotate(TENANT, token)
    assert rotated.key_id(fresh) == "2026"
    assert rotated.decrypt(TENANT, fresh) == ID
    assert rotated.rotate(TENANT, fresh) == fresh
    # Once rotated the old key can go.
    assert IdCipher([("2026", NEW)], INDEX).decrypt(TENANT, fresh) == ID


def test_unknown_key_id(old: IdCipher) -> None:
    token = old.encrypt(TENANT, ID)
    retired = IdCipher([("2026", NEW)], INDEX)
    with pytest.raises(UnknownKey) as caught:
        retired.decrypt(TENANT, token)
    assert caught.value.key_id == "2025"
    assert "2025" in str(caught.value)
    assert retired.key_id(token) == "2025"
    assert retired.needs_rotation(token)


# --- configuration -------------------------------------------------------------------


def test_from_config() -> None:
    cipher = IdCipher.from_config(f" 2026:{b64(NEW)} , 2025:{b64(OLD).rstrip('=')}", b64(INDEX))
    assert cipher.current_key_id == "2026"
    token = IdCipher([("2025", OLD)], INDEX).encrypt(TENANT, ID)
    assert cipher.decrypt(TENANT, token) == ID
    assert cipher.blind_index(TENANT, ID) == IdCipher([("x", NEW)], INDEX).blind_index(TENANT, ID)


def test_generate_key() -> None:
    key = generate_key()
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert key != generate_key()
    IdCipher.from_config(f"dev:{generate_key()}", generate_key())


@pytest.mark.parametrize(
    ("keys", "index", "message"),
    [
        ("", "{index}", "no ID number keys"),
        (" , ", "{index}", "no ID number keys"),
        ("{new}", "{index}", "no key id"),
        ("k1:{new},", "{index}", "key 2 is empty"),
        ("k1:{new},,k2:{old}", "{index}", "key 2 is empty"),
        (":{new}", "{index}", "key id must be"),
        ("K1:{new}", "{index}", "key id must be"),
        ("a_b:{new}", "{index}", "key id must be"),
        ("seventeen-chars-x:{new}", "{index}", "key id must be"),
        ("k1:", "{index}", "'k1' is empty"),
        ("k1:not base64!", "{index}", "not urlsafe base64"),
        ("k1:{std}", "{index}", "not urlsafe base64"),
        ("k1:{short}", "{index}", "is 16 bytes"),
        ("k1:{new},k1:{old}", "{index}", "appears twice"),
        ("k1:{new}", "", "index key is empty"),
        ("k1:{new}", "{short}", "index key is 16 bytes"),
        ("k1:{new}", "{new}", "also the index key"),
    ],
)
def test_malformed_config(keys: str, index: str, message: str) -> None:
    std_key = bytes([0xFB] * 32)  # base64 has + and / where urlsafe has - and _
    values = {
        "new": b64(NEW),
        "old": b64(OLD),
        "short": b64(os.urandom(16)),
        "std": base64.b64encode(std_key).decode(),
    }
    with pytest.raises(ValueError, match=message) as caught:
        IdCipher.from_config(keys.format(**values), index.format(index=b64(INDEX), **values))
    # Secrets never end up in the message (it is logged).
    for secret in values.values():
        assert secret.rstrip("=") not in str(caught.value)


def test_key_given_where_the_id_belongs_is_not_echoed() -> None:
    secret = b64(NEW)
    with pytest.raises(ValueError, match="key id must be") as caught:
        IdCipher.from_config(f"{secret}:k1", b64(INDEX))
    assert secret.rstrip("=") not in str(caught.value)


@pytest.mark.parametrize(
    ("keys", "index", "message"),
    [
        ([], INDEX, "at least one"),
        ([("k1", OLD[:31])], INDEX, "31 bytes"),
        ([("", OLD)], INDEX, "key id must be"),
        ([("k1", OLD)], INDEX[:16], "index key is 16 bytes"),
    ],
)
def test_constructor_checks(keys: list[tuple[str, bytes]], index: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        IdCipher(keys, index)


# --- blind index ---------------------------------------------------------------------


def test_blind_index_is_stable_and_per_tenant(old: IdCipher, rotated: IdCipher) -> None:
    index = old.blind_index(TENANT, ID)
    assert len(index) == 32
    assert index == old.blind_index(TENANT, ID)
    assert index == rotated.blind_index(TENANT, ID)  # encryption keys rotate, it does not
    assert index != old.blind_index(OTHER, ID)
    assert index != old.blind_index(TENANT, "370102194910011235")
    assert index != IdCipher([("2025", OLD)], os.urandom(32)).blind_index(TENANT, ID)


def test_blind_index_normalises_how_the_number_was_typed(old: IdCipher) -> None:
    number = "11010519491231002X"
    assert old.blind_index(TENANT, number.lower()) == old.blind_index(TENANT, number)
    assert old.blind_index(TENANT, " ３７０１０２１９４９１００１１２３４ ") == old.blind_index(
        TENANT, ID
    )


@given(st.uuids(), st.uuids())
def test_blind_index_differs_between_any_two_tenants(a: UUID, b: UUID) -> None:
    cipher = IdCipher([("k1", NEW)], INDEX)
    assert (cipher.blind_index(a, ID) == cipher.blind_index(b, ID)) == (a == b)


def test_random_tenants_round_trip_many_ids() -> None:
    cipher = IdCipher([("k1", NEW)], INDEX)
    for _ in range(50):
        tenant = uuid4()
        assert cipher.decrypt(tenant, cipher.encrypt(tenant, ID)) == ID


# --- masks ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("370102194910011234", "3701**********1234"),
        ("11010519491231002X", "1101**********002X"),
        ("370102491001123", "3701*******1123"),  # 15-digit first-generation ID
        (" 370102194910011234 ", "3701**********1234"),
        ("123456789", "1234*6789"),
        ("12345678", "********"),
        ("1234", "****"),
        ("", ""),
        ("   ", ""),
        (None, ""),
    ],
)
def test_mask_id(value: str | None, masked: str) -> None:
    assert mask_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13800138000", "138****8000"),
        ("13800138000 ", "138****8000"),
        ("053188888888", "053*****8888"),
        ("12345678", "123*5678"),
        ("1234567", "*******"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(value: str | None, masked: str) -> None:
    assert mask_phone(value) == masked


@given(st.text(alphabet="0123456789X", min_size=9, max_size=18))
def test_mask_id_never_shows_the_birth_date(number: str) -> None:
    masked = mask_id(number)
    assert len(masked) == len(number)
    assert masked[4:-4] == "*" * (len(number) - 8)
