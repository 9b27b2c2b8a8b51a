from __future__ import annotations

from app.regions import current_county


def test_current_counties_by_their_name_today() -> None:
    assert current_county("370102") == "历下区"
    assert current_county("370812") == "兖州区"
    assert current_county("110101") == "东城区"


def test_retired_unknown_and_non_county_codes() -> None:
    assert current_county("370111") is None  # 郊区, 1983–1987
    assert current_county("370110") is None  # never used
    assert current_county("370100") is None  # 济南市, a city
    assert current_county("3701") is None
