"""Roster cells as bureaus really type them (the formats listed in the roster issue)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric

from app.people.imports.cells import (
    CellError,
    PartialDate,
    id_birth_date,
    id_gender,
    parse_date,
    parse_gender,
    parse_id_number,
    parse_phone,
)

TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1949.10", PartialDate(1949, 10)),
        ("1949.10.01", PartialDate(1949, 10, 1)),
        ("1949年10月", PartialDate(1949, 10)),
        ("1949年10月1日", PartialDate(1949, 10, 1)),
        ("19491001", PartialDate(1949, 10, 1)),
        ("1949/10/1", PartialDate(1949, 10, 1)),
        ("1949-10-01", PartialDate(1949, 10, 1)),
        ("１９４９．１０", PartialDate(1949, 10)),  # full-width, from a Chinese IME
        (" 1949 年 10 月 ", PartialDate(1949, 10)),
        (18172, PartialDate(1949, 10, 1)),  # an Excel serial
        ("18172", PartialDate(1949, 10, 1)),  # …exported to CSV
        (19491001, PartialDate(1949, 10, 1)),
        (194910, PartialDate(1949, 10)),
        (1949.05, PartialDate(1949, 5)),
        (1949.2, PartialDate(1949, 2)),
        (1949.12, PartialDate(1949, 12)),
        (datetime(1949, 10, 1, 0, 0), PartialDate(1949, 10, 1)),
        (date(1949, 10, 1), PartialDate(1949, 10, 1)),
        (None, None),
        ("  ", None),
    ],
)
def test_dates_as_rosters_write_them(cell: object, expected: PartialDate | None) -> None:
    assert parse_date(cell, today=TODAY) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("1949.13", "There is no month"),
        ("1949年0月", "There is no month"),
        ("1949.02.30", "does not exist"),
        ("19490231", "does not exist"),
        ("2027.01", "in the future"),
        ("1850.01", "too early"),
        (1949.1, "ambiguous"),  # typed 1949.10, stored as the number 1949.1
        ("十月", "Not a date"),
        ("1949", "no month"),
        (1949, "no month"),
        (True, "Not a date"),
    ],
)
def test_impossible_dates_say_why(cell: object, reason: str) -> None:
    with pytest.raises(CellError) as failure:
        parse_date(cell, today=TODAY)
    assert reason in failure.value.message


# From 1906: serials 1900–2100 are days of 1905 and read as a bare year instead.
@given(st.dates(min_value=date(1906, 1, 1), max_value=TODAY))
def test_every_written_form_of_a_date_reads_the_same(day: date) -> None:
    expected = PartialDate(day.year, day.month, day.day)
    serial = (day - date(1899, 12, 30)).days
    for cell in (
        f"{day.year}.{day.month}.{day.day}",
        f"{day.year}年{day.month}月{day.day}日",
        day.strftime("%Y%m%d"),
        day.isoformat(),
        f"{day.year}/{day.month}/{day.day}",
        serial,
    ):
        assert parse_date(cell, today=TODAY) == expected, cell


def test_partial_dates_agree_with_an_id_birth_date() -> None:
    assert PartialDate(1949, 10).agrees_with(date(1949, 10, 31))
    assert not PartialDate(1949, 10, 2).agrees_with(date(1949, 10, 1))
    assert str(PartialDate(1949, 10)) == "1949年10月"


def with_check_digit(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "?")


ids = st.builds(
    lambda d, seq: with_check_digit(f"370102{d:%Y%m%d}{seq:03d}"),
    st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)


@given(ids)
def test_valid_ids_read_back_with_birth_date_and_gender(id_number: str) -> None:
    assert parse_id_number(id_number) == id_number
    assert parse_id_number(id_number.lower()) == id_number  # a trailing x
    assert parse_id_number(f" {id_number[:6]} {id_number[6:14]} {id_number[14:]} ") == id_number
    assert id_birth_date(id_number) == date(
        int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14])
    )
    assert id_gender(id_number) == ("male" if int(id_number[16]) % 2 else "female")


@given(ids, st.integers(1, 10))
def test_a_wrong_check_digit_is_always_caught(id_number: str, shift: int) -> None:
    digits = "0123456789X"
    wrong = id_number[:17] + digits[(digits.index(id_number[17]) + shift) % 11]
    # 15 digits and 000 failing the check is what a number column exports: that
    # message says how to fix it (tested below).
    assume(not wrong.endswith("000"))
    with pytest.raises(CellError) as failure:
        parse_id_number(wrong)
    assert "check digit" in failure.value.message


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("37010219491001", "18 characters"),
        ("370102194910011", "15-digit"),
        ("37010219491O01001X", "17 digits"),
        (with_check_digit("37010219491301001"), "does not exist"),  # month 13
        (with_check_digit("99999919491001001"), "does not exist"),  # no such region
        ("370102194910010010", "check digit"),
        (370102194910011000, "lost its last digits"),  # Excel kept 15 digits
        (3.70102194910011e17, "lost its last digits"),
    ],
)
def test_bad_id_numbers_say_why(cell: object, reason: str) -> None:
    with pytest.raises(CellError) as failure:
        parse_id_number(cell)
    assert reason in failure.value.message


def as_read_back(number: str, digits: int) -> float:
    """An 18-digit ID typed into a number cell, as the reader gets it back: Excel keeps
    15 significant digits, WPS and other writers 16 or 17."""
    return float(f"{int(number):.{digits}g}")


def test_an_id_typed_as_a_number_is_refused_whatever_its_digits() -> None:
    """Every numeric ID cell of 16 digits or more has lost digits, even when they pass
    the check digit by chance: the only message is the one that says how to fix it."""
    valid = with_check_digit("37010219491001123")
    lost = "lost its last digits"
    cells: list[object] = [int(valid), float(valid), 3.702021952111723e17, 370202195211172000]
    cells += [as_read_back(valid, digits) for digits in (15, 16, 17)]
    cells += [1234567890123456, 12345678901234567.0]  # 16 and 17 digits
    for cell in cells:
        with pytest.raises(CellError) as failure:
            parse_id_number(cell)
        assert lost in failure.value.message, cell


def test_a_rounded_id_that_happens_to_pass_the_check_is_refused_too() -> None:
    """1 in 11 of the rounded numbers passes the check digit; today it is accepted with
    its wrong digits, and its 17th digit (0) then contradicts a man's gender column."""
    for sequence in range(1, 1000, 2):
        real = with_check_digit(f"37020219520101{sequence:03d}")
        if real.endswith("X"):
            continue
        cell = as_read_back(real, 16)
        rounded = str(int(Decimal(repr(cell))))
        if rounded != real and ric.calc_check_digit(rounded) == rounded[17]:
            break
    else:
        pytest.fail("no rounded ID passes the check")
    with pytest.raises(CellError) as failure:
        parse_id_number(cell)
    assert "lost its last digits" in failure.value.message


@pytest.mark.parametrize(
    "cell",
    ["3.70202E+17", "3.70202195211172E+17", "3.70202e17", " 3.70202E+17 ", "３．７０２０２Ｅ＋１７",
     "370202195211172000", "370202195211172000.0"],
)  # fmt: skip
def test_an_id_exported_to_csv_from_a_number_column_is_refused(cell: str) -> None:
    """Excel's CSV writes what the cell showed: 3.70202E+17 under General, the 15 digits
    and 000 under a number format. Neither is the person's ID."""
    with pytest.raises(CellError) as failure:
        parse_id_number(cell)
    assert "lost its last digits" in failure.value.message


def test_a_text_id_ending_000_is_doubted_only_where_the_column_held_numbers() -> None:
    valid = next(
        number
        for day in range(1, 4000)
        if (number := with_check_digit(
            "370103" + date.fromordinal(date(1950, 1, 1).toordinal() + day).strftime("%Y%m%d")
            + "000"
        )).endswith("000")
    )  # fmt: skip
    assert parse_id_number(valid) == valid  # typed as text: nothing says it lost digits
    with pytest.raises(CellError) as failure:
        parse_id_number(valid, column_held_numbers=True)
    assert "lost its last digits" in failure.value.message
    other = with_check_digit("37010219491001123")
    assert parse_id_number(other, column_held_numbers=True) == other


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("138 0013 8000", "13800138000"), ("138-0013-8000", "13800138000"),
     (13800138000, "13800138000"), (13800138000.0, "13800138000"),
     ("１３８００１３８０００", "13800138000"), (None, None)],
)  # fmt: skip
def test_phones(cell: object, expected: str | None) -> None:
    assert parse_phone(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("0532-82861234", "0532-82861234"), (53282861234, "0532-82861234"),
     (82861234, "82861234"), (82861234.0, "82861234"), ("82861234", "82861234")],
)  # fmt: skip
def test_landlines(cell: object, expected: str) -> None:
    """A landline typed as a number loses its leading 0: 53282861234 is 0532-82861234."""
    assert parse_phone(cell) == expected


@pytest.mark.parametrize(
    ("cell", "reason"),
    [("1380013800", "has 10"), ("15412345678", "not a mobile number in use"),
     (19412345678, "not a mobile number in use"), ("123", "not a phone number")],
)  # fmt: skip
def test_not_phones_say_why(cell: object, reason: str) -> None:
    with pytest.raises(CellError) as failure:
        parse_phone(cell)
    assert reason in failure.value.message % failure.value.args_


def test_genders() -> None:
    assert [parse_gender(g) for g in ("男", "女", " 男 ", "m", None)] == [
        "male", "female", "male", "male", None,
    ]  # fmt: skip
    with pytest.raises(CellError):
        parse_gender("未知")


def test_a_cadre_born_before_the_district_existed_has_a_valid_id() -> None:
    """历下区 got code 370102 in 1983; a cadre born in 1949 who lives there holds it."""
    born_1949 = with_check_digit("37010219491001001")
    assert not ric.is_valid(born_1949)  # what python-stdnum's validate() alone would say
    assert parse_id_number(born_1949) == born_1949


@pytest.mark.parametrize("cell", [0, "0", 80000, "80000", float("nan"), float("inf"), -5])
def test_numbers_that_are_no_date_are_reported_not_looped_on(cell: object) -> None:
    with pytest.raises(CellError):
        parse_date(cell, today=TODAY)
