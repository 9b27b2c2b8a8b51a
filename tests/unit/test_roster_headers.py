"""Header rows of real-looking rosters: a title above, variants, a footer below."""

from __future__ import annotations

from app.people.imports.headers import find_header, is_blank, is_footer, normalise_header

TITLE = ["历下区军休中心在册人员花名册", None, None, None, None, None]
DATE_LINE = [None, None, None, None, "填报时间：2026年11月", None]


def test_the_header_is_found_under_a_merged_title_and_a_date_line() -> None:
    rows = [
        TITLE,
        DATE_LINE,
        ["序号", "姓 名", "性别", "出生年月\n(年.月)", "入党日期", "手机", "所在支部", "籍贯"],
        [1, "张建国", "男", "1949.10", "1968.07", "13800138000", "第一支部", "山东济南"],
    ]
    header = find_header(rows)
    assert header is not None and header.index == 2
    assert header.columns == {
        1: "name", 2: "gender", 3: "birth_date", 4: "party_joined_on", 5: "phone", 6: "branch",
    }  # fmt: skip
    assert header.unknown == ["序号", "籍贯"]


def test_variants_in_any_order() -> None:
    header = find_header([["联系电话", "支部", "出生日期", "身份证号码", "姓名", "入党时间"]])
    assert header is not None
    assert sorted(header.columns.values()) == sorted(
        ["phone", "branch", "birth_date", "id_number", "name", "party_joined_on"]
    )


def test_a_second_column_for_the_same_field_is_reported() -> None:
    header = find_header([["姓名", "手机", "联系电话", "性别"]])
    assert header is not None
    assert header.columns == {0: "name", 1: "phone", 3: "gender"}
    assert header.duplicates == ["联系电话"]


def test_no_recognisable_header() -> None:
    assert find_header([TITLE, ["a", "b", "c"], [1, 2, 3]]) is None
    assert find_header([["姓名", "籍贯"]]) is None  # too few known fields
    assert find_header([["性别", "手机", "支部"]]) is None  # no name column
    assert find_header([]) is None


def test_footers_and_blank_rows() -> None:
    header = find_header([["序号", "姓名", "性别", "出生年月"]])
    assert header is not None
    assert is_footer([None, "制表人：王芳", None, "审核人：李强"], header)
    assert is_footer(["合计", 116], header)
    assert not is_footer([1, "张建国", "男"], header)
    assert is_blank([None, "", "  "])
    assert not is_blank([None, "张建国"])


def test_normalising_headers() -> None:
    assert normalise_header(" 出生年月\n（年.月）") == "出生年月"
    assert normalise_header("*姓名：") == "姓名"
    assert normalise_header(None) == ""
