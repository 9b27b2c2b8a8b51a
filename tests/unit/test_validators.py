from __future__ import annotations

import pytest

from app.validators import FieldError, mainland_mobile, new_password, region_code, slug
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
