"""Finding and ordering people by pinyin, the way staff type names into an IME."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.people.pinyin import (
    looks_like_pinyin,
    normalise_query,
    search_keys,
    sort_key,
    unit_sort_key,
)


def found(name: str, query: str) -> bool:
    """What the search does: LIKE '%query%' on the stored keys."""
    return normalise_query(query) in search_keys(name)


def test_keys_are_full_pinyin_and_initials() -> None:
    assert search_keys("张建国") == "zhangjianguo zjg"


@pytest.mark.parametrize(
    "query", ["zhang", "zjg", "zhangjianguo", "jianguo", "ZhangJianGuo", "zhang jian'guo", "zj"]
)
def test_zhang_jianguo_is_found_by(query: str) -> None:
    assert found("张建国", query)


@pytest.mark.parametrize("query", ["li", "zhangjianguoo", "zjgg", "zhangjg"])
def test_zhang_jianguo_is_not_found_by(query: str) -> None:
    assert not found("张建国", query)


@pytest.mark.parametrize(
    ("name", "surname_reading", "default_reading"),
    [
        ("单田芳", "shantianfang", "dantianfang"),
        ("曾国藩", "zengguofan", "cengguofan"),
        ("解缙", "xiejin", "jiejin"),
        ("仇英", "qiuying", "chouying"),
        ("区伟", "ouwei", "quwei"),
        ("朴槿惠", "piaojinhui", "pujinhui"),
        ("查良镛", "zhaliangyong", "chaliangyong"),
        ("翟志刚", "zhaizhigang", "dizhigang"),
        ("覃宏", "qinhong", "tanhong"),
        ("缪可", "miaoke", "mouke"),
    ],
)
def test_polyphonic_surnames_read_as_surnames_and_as_people_guess(
    name: str, surname_reading: str, default_reading: str
) -> None:
    keys = search_keys(name).split()
    assert keys[0] == surname_reading
    assert default_reading in keys
    assert sort_key(name).replace(" ", "") == surname_reading


def test_surname_reading_does_not_leak_into_the_given_name() -> None:
    # 曾经 is a word (céngjīng); as a surname 曾 is zēng, and 经理 keeps its reading.
    assert search_keys("曾经理").split()[:2] == ["zengjingli", "zjl"]
    # Only the first character is a surname: 单 inside a given name stays pypinyin's.
    assert search_keys("王单") == "wangdan wd"


def test_only_the_surname_gets_an_alternative_reading() -> None:
    # 长 and 重 in given names keep pypinyin's phrase-aware reading; no combinations.
    assert len(search_keys("王长重").split()) == 2
    assert len(search_keys("曾长重").split()) == 4


@pytest.mark.parametrize(
    ("name", "first_key", "sort"),
    [
        ("欧阳修", "ouyangxiu", "ou yang xiu"),
        ("尉迟恭", "yuchigong", "yu chi gong"),
        ("长孙无忌", "zhangsunwuji", "zhang sun wu ji"),
        ("万俟卨", "moqixie", "mo qi xie"),
        ("单于飞", "chanyufei", "chan yu fei"),
        ("诸葛亮", "zhugeliang", "zhu ge liang"),
    ],
)
def test_compound_surnames(name: str, first_key: str, sort: str) -> None:
    assert search_keys(name).split()[0] == first_key
    assert sort_key(name) == sort


def test_compound_initials() -> None:
    assert found("欧阳修", "oyx")
    assert found("尉迟恭", "ycg")


def test_two_character_name_is_surname_plus_given_name() -> None:
    # 单于 alone is far likelier 单 Shàn + 于 than the Xiongnu title.
    assert sort_key("单于") == "shan yu"


def test_single_surname_reading_kept_for_compound_lookalike() -> None:
    # 单于飞 may be 单 Shàn with the given name 于飞.
    assert found("单于飞", "shanyufei")
    assert found("单于飞", "syf")


def test_lv_is_written_with_v() -> None:
    assert search_keys("吕布") == "lvbu lb"
    assert found("吕布", "lü bu")
    assert search_keys("女娲").startswith("nvwa ")


def test_initials_of_zh_ch_sh_are_single_letters() -> None:
    assert search_keys("张春生").split()[1] == "zcs"


def test_full_width_query() -> None:
    assert normalise_query("ＺＨＡＮＧ　ｊｉａｎ＇ｇｕｏ") == "zhangjianguo"
    assert found("张建国", "ｚｊｇ")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zhang jian'guo", "zhangjianguo"),
        ("  Zhang\tJian’Guo ", "zhangjianguo"),
        ("lü", "lv"),
        ("张建国", "张建国"),
        ("", ""),
        ("370102 1949 1001 123X", "37010219491001123x"),
    ],
)
def test_normalise_query(text: str, expected: str) -> None:
    assert normalise_query(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("zjg", True),
        ("Zhang Jian'guo", True),
        ("ｚｊｇ", True),
        ("张", False),
        ("zhang张", False),
        ("1234", False),
        ("zjg1", False),
        ("", False),
        ("  '", False),
        ("é", False),
    ],
)
def test_looks_like_pinyin(text: str, expected: bool) -> None:
    assert looks_like_pinyin(text) is expected


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("阿沛·阿旺晋美", "apeiawangjinmei apawjm"),
        ("买买提·艾力", "maimaitiaili mmtal"),
        ("John Smith", "johnsmith js"),
        ("张Tom", "zhangtom zt"),
        ("José", "jose j"),
        ("张 三", "zhangsan zs"),
        ("李2", "li l"),
        ("", ""),
        ("·", ""),
        ("  ", ""),
        ("Ꭰ", ""),
    ],
)
def test_mixed_and_foreign_names(name: str, keys: str) -> None:
    assert search_keys(name) == keys


def test_sort_order() -> None:
    names = ["张三", "曾国藩", "安然", "欧阳修", "吕布", "陈毅", "单田芳", "梁启超", "李昂"]
    assert sorted(names, key=sort_key) == [
        "安然",
        "陈毅",
        "李昂",
        "梁启超",
        "吕布",
        "欧阳修",
        "单田芳",
        "曾国藩",
        "张三",
    ]


def test_sort_key_separates_syllables() -> None:
    assert sort_key("张建国") == "zhang jian guo"
    assert sort_key("曾") == "zeng"


@given(st.text(max_size=12))
def test_any_name_gives_lowercase_ascii_keys(name: str) -> None:
    keys = search_keys(name)
    assert keys == keys.strip()
    assert all(token.isascii() and token.isalpha() and token.islower() for token in keys.split())
    assert sort_key(name).replace(" ", "") in [*keys.split(), ""]


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1))
def test_every_chinese_name_is_found_by_its_own_keys(name: str) -> None:
    keys = search_keys(name).split()
    assert keys
    for key in keys:
        assert looks_like_pinyin(key)
        assert found(name, key)


def in_unit_order(*names: str) -> list[str]:
    return sorted(names, key=unit_sort_key)


def test_branches_sort_by_number_not_by_character() -> None:
    assert in_unit_order("第三支部", "第一支部", "第二支部") == ["第一支部", "第二支部", "第三支部"]
    assert in_unit_order("第十二支部", "第二支部", "第十支部", "第二十支部", "第九支部") == [
        "第二支部", "第九支部", "第十支部", "第十二支部", "第二十支部",
    ]  # fmt: skip
    assert in_unit_order("第12支部", "第3支部", "第十一支部") == [
        "第3支部",
        "第十一支部",
        "第12支部",
    ]
    assert in_unit_order("第一百零五支部", "第九十九支部") == ["第九十九支部", "第一百零五支部"]


def test_digits_and_chinese_numerals_are_the_same_number() -> None:
    assert in_unit_order("第十二支部", "第12支部") == ["第12支部", "第十二支部"]  # then stable
    assert in_unit_order("第十三支部", "第12支部", "第十一支部") == [
        "第十一支部", "第12支部", "第十三支部",
    ]  # fmt: skip
    assert in_unit_order("第１３支部", "第12支部") == ["第12支部", "第１３支部"]  # full-width


def test_names_starting_with_a_number_and_mixed_text() -> None:
    assert in_unit_order("二分中心", "一支部", "三支部") == ["一支部", "二分中心", "三支部"]
    assert in_unit_order("第3党小组（二）", "第3党小组（一）", "第2党小组") == [
        "第2党小组", "第3党小组（一）", "第3党小组（二）",
    ]  # fmt: skip
    # Text sorts by pinyin (机关 ji before 离休 li before 退休 tui), after numbers.
    assert in_unit_order("退休支部", "离休支部", "机关支部", "一支部") == [
        "一支部", "机关支部", "离休支部", "退休支部",
    ]  # fmt: skip


def test_words_that_hold_a_numeral_character_are_not_numbers() -> None:
    # 千佛山, 百花, 万达: 千 百 万 alone are words; 两新 is 两新组织, not 2.
    assert in_unit_order("千佛山社区支部", "百花支部", "万达社区支部", "二支部") == [
        "二支部", "百花支部", "千佛山社区支部", "万达社区支部",
    ]  # fmt: skip
    assert in_unit_order("两新组织支部", "二支部", "三支部") == ["二支部", "三支部", "两新组织支部"]


@given(st.lists(st.integers(min_value=1, max_value=9999), min_size=2, max_size=8, unique=True))
def test_numbered_branches_in_any_writing_sort_by_value(numbers: list[int]) -> None:
    number_of = {f"第{chinese(n) if n % 2 else n}支部": n for n in numbers}
    assert [number_of[name] for name in in_unit_order(*number_of)] == sorted(numbers)


def chinese(n: int) -> str:
    """1234 → 一千二百三十四, 105 → 一百零五, 12 → 十二 (as people write numbers)."""
    digits, units, out, zero = "零一二三四五六七八九", ["", "十", "百", "千"], "", False
    text = str(n)
    for i, ch in enumerate(text):
        place = len(text) - i - 1
        if ch == "0":
            zero = bool(out)
            continue
        if zero:
            out, zero = out + "零", False
        out += ("" if (ch == "1" and place == 1 and not out) else digits[int(ch)]) + units[place]
    return out
