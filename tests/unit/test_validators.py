from __future__ import annotations

import pytest

from app.core.forms import FieldError
from app.core.validators import contact_phone, mainland_mobile, new_password, region_code, slug
from app.web.responses import safe_next


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("13800138000", "13800138000"), ("138 0013 8000", "13800138000"),
     ("１３８００１３８０００", "13800138000"),
     ("+86 139-1234-5678", "13912345678"), ("8613912345678", "13912345678")],
)  # fmt: skip
def test_mobile_numbers_are_normalised(raw: str, clean: str) -> None:
    assert mainland_mobile(raw) == clean


@pytest.mark.parametrize(
    "raw", ["", "12345678901", "1380013800", "010-12345678", "+1 212 555 0100", "abc"]
)
def test_not_a_mainland_mobile(raw: str) -> None:
    with pytest.raises(FieldError):
        mainland_mobile(raw)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("13800138000", "13800138000"), ("+86 139-1234-5678", "13912345678"),
     ("0532-82861234", "0532-82861234"), ("(0532)82861234", "0532-82861234"),
     ("（0532）8286 1234", "0532-82861234"), ("0532 8286 1234", "0532-82861234"),
     ("053282861234", "0532-82861234"), ("+86 532 8286 1234", "0532-82861234"),
     ("010-12345678", "010-12345678"), ("０１０－１２３４５６７８", "010-12345678"),
     ("0531-86001234", "0531-86001234"),
     ("82861234", "82861234"), ("8286-1234", "82861234"), ("8286123", "8286123")],
)  # fmt: skip
def test_a_contact_phone_is_a_mobile_or_a_landline(raw: str, clean: str) -> None:
    """Elderly people often have only a landline: with its area code it is kept as
    0532-82861234, without as the local number the district dials."""
    assert contact_phone(raw) == clean


@pytest.mark.parametrize(
    ("raw", "reason"),
    [("15412345678", "not a mobile number in use"), ("19412345678", "not a mobile number in use"),
     ("1380013800", "has 10"), ("138001380001", "has 12"),
     ("0532-8286123", "not a landline"), ("0999-12345678", "not a landline"),
     ("12345", "not a phone number"), ("abc", "not a phone number"),
     ("+1 212 555 0100", "not a phone number"), ("400-810-8888", "not a phone number"),
     ("13800138000/0532-82861234", "more than one"), ("13800138000，13900139000", "more than one")],
)  # fmt: skip
def test_a_contact_phone_that_is_none_says_what_is_wrong(raw: str, reason: str) -> None:
    with pytest.raises(FieldError) as failure:
        contact_phone(raw)
    assert reason in failure.value.message % failure.value.args_


def test_accounts_still_need_a_mobile() -> None:
    """Logins, invitations and signups send codes and links by SMS: no landline."""
    for landline in ("0532-82861234", "82861234"):
        with pytest.raises(FieldError):
            mainland_mobile(landline)


@pytest.mark.parametrize("raw", ["lixia", "li-xia-2", "abc"])
def test_good_slugs(raw: str) -> None:
    assert slug(raw.upper()) == raw


@pytest.mark.parametrize("raw", ["ab", "li xia", "-lixia", "lixia-", "li--xia", "历下", "a" * 41])
def test_bad_slugs(raw: str) -> None:
    with pytest.raises(FieldError):
        slug(raw)


def test_region_code_rules() -> None:
    assert region_code(" 370102 ", "37") == "370102"
    assert region_code("３７０１０２", "37") == "370102"  # typed with a Chinese IME
    assert region_code("370812", "37") == "370812"  # 兖州区, a district since 2013
    # …and not: too short, too long, letters, another province, a province, a city,
    # a code never used (370110), one retired in 1987 (370111 郊区).
    for bad in ("37010", "3701022", "37a102", "110101", "370000", "370100", "370110", "370111"):
        with pytest.raises(FieldError):
            region_code(bad, "37")


def test_password_rules() -> None:
    assert new_password("Lixia-2026", "Lixia-2026") == "Lixia-2026"
    for pw, confirm in (("short1", "short1"), ("12345678", "12345678"), ("aaaaaaaa", "aaaaaaaa"),
                        ("Lixia-2026", "Lixia-2027")):  # fmt: skip
        with pytest.raises(FieldError):
            new_password(pw, confirm)


@pytest.mark.parametrize(
    ("url", "expected"),
    [("/users", "/users"), ("", "/dashboard"), ("//evil.example", "/dashboard"),
     ("https://evil.example/", "/dashboard"), ("/\\evil.example", "/dashboard"),
     ("users", "/dashboard")],
)  # fmt: skip
def test_safe_next_stays_on_the_site(url: str, expected: str) -> None:
    assert safe_next(url) == expected
