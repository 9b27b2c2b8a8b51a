"""From sheet rows to person drafts: the messy roster the issue describes, each reason a
row is refused, and the rules that fill in or cross-check what a row says.

Over 400 lines: one capability's tests, grouped by the rule they check; the tests share
its helpers and fixtures, and each part reads on its own.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.people.imports.cells import PartialDate
from app.people.imports.drafts import DraftRow, ParsedRoster, draft_rows, parse_roster
from app.people.imports.reader import RosterFileError
from tests import rosters

TODAY = date(2026, 11, 24)
HEADER = ["姓名", "性别", "出生年月", "身份证号", "人员类别", "是否党员", "入党时间"]


@pytest.fixture(scope="module")
def messy() -> ParsedRoster:
    return parse_roster(rosters.messy_roster_xlsx(), "花名册.xlsx", today=TODAY)


def by_name(parsed: ParsedRoster) -> dict[str, DraftRow]:
    return {row.draft.name: row for row in parsed.rows if row.draft}


def one(*cells: Any, header: list[str] = HEADER, **options: Any) -> DraftRow:
    parsed = draft_rows([header, list(cells)], today=TODAY, **options)
    assert len(parsed.rows) == 1
    return parsed.rows[0]


def reasons(row: DraftRow) -> dict[str, str]:
    return {problem.field: problem.message for problem in row.problems}


# --- the messy roster ----------------------------------------------------------------------------


def test_good_and_bad_rows_of_the_messy_roster(messy: ParsedRoster) -> None:
    rows = by_name(messy)
    assert sorted(rows) == sorted(
        rosters.GOOD_NAMES + list(rosters.WARNED_ROWS) + list(rosters.BAD_ROWS)
    )
    assert [name for name in rosters.GOOD_NAMES if not rows[name].ok or rows[name].warnings] == []
    for name, field in rosters.BAD_ROWS.items():
        assert not rows[name].ok, name
        assert [problem.field for problem in rows[name].problems] == [field], name
    for name, fields in rosters.WARNED_ROWS.items():
        # A bad contact field costs the value, not the person.
        assert rows[name].ok, (name, rows[name].problems)
        assert [warning.field for warning in rows[name].warnings] == fields, name
        assert rows[name].draft and rows[name].draft.phone is None


def test_contact_fields_warn_and_identity_fields_refuse() -> None:
    header = [*HEADER, "手机", "住址", "家属联系人", "家属电话", "健康状况", "备注"]
    control = "有\x00控制字符"
    row = one("张建国", "男", "1949.10", ZHANG, "军休", "是", None, "15412345678", control,
              control, "0999-1", control, control, header=header)  # fmt: skip
    assert row.ok and row.draft
    assert [w.field for w in row.warnings] == [
        "phone", "family_contact_phone", "address", "family_contact_name", "health_notes",
        "notes",
    ]  # fmt: skip
    first = row.warnings[0]
    assert first.column == "手机" and "not a mobile number in use" in first.message
    for identity in (
        one("张建国", "男", "1950.13", ZHANG, "军休", "是", None),  # birth date
        one("张建国", "男", "1949.10", ZHANG[:-1], "军休", "是", None),  # ID number
        one("张建国", "男", "1949.10", ZHANG, "老干部", "是", None),  # category
        one("张建国", "男", "1949.10", ZHANG, "军休", "也许", None),  # party membership
        one("张建国", "男", "1949.10", ZHANG, "军休", "是", "1968.13"),  # joining date
    ):
        assert not identity.ok and identity.warnings == [], identity


def test_the_layout_around_the_data(messy: ParsedRoster) -> None:
    assert messy.columns["name"] == "姓 名"
    assert messy.columns["birth_date"] == "出生年月 (年.月)"
    assert messy.columns["phone"] == "手机" and messy.columns["branch"] == "所在支部"
    assert messy.unknown_columns == ["序号", "籍贯"]
    assert messy.duplicate_columns == []
    assert messy.skipped_blank == rosters.BLANK_ROWS
    assert messy.rows[0].line == rosters.HEADER_LINE + 1  # the line Excel shows
    last = messy.rows[-1].line
    assert messy.footer_line == last + 1
    assert "说明" not in str([row.draft for row in messy.rows])  # below the signature
    assert "王芳" not in by_name(messy)  # the filler's name under 姓名 is no person


def test_every_way_of_writing_a_date(messy: ParsedRoster) -> None:
    rows = by_name(messy)
    day, month = PartialDate(1949, 10, 1), PartialDate(1949, 10)
    expected = {
        "张建国": day,  # a date cell
        "王秀英": month,  # 1949.10
        "刘德华": day,  # 1949.10.01
        "陈桂兰": month,  # 1949年10月
        "赵志强": day,  # 1949年10月1日
        "孙丽": day,  # 19491001
        "周国庆": day,  # 1949/10/1
        "吴芳": day,  # 1949-10-01
        "冯军": day,  # an Excel serial as a plain number
    }
    got = {name: rows[name].draft.birth_date for name in expected if rows[name].draft}
    assert got == expected
    assert rows["张建国"].draft and rows["张建国"].draft.party_joined_on == PartialDate(1968, 7)
    assert rows["刘德华"].draft and rows["刘德华"].draft.party_joined_on == day.__class__(
        1968, 7, 1
    )


def test_id_numbers_and_phones_as_typed(messy: ParsedRoster) -> None:
    rows = {name: row.draft for name, row in by_name(messy).items()}
    assert rows["冯军"] and rows["冯军"].id_number == rosters.LOWER_X  # trailing x, upper-cased
    assert rows["张建国"] and rows["张建国"].phone == "13800138000"  # spaces
    assert rows["孙丽"] and rows["孙丽"].phone == "13800138005"  # dashes
    assert rows["吴芳"] and rows["吴芳"].phone == "13800138007"  # a number cell
    assert rows["张建国"].family_contact_phone == "13905310001"
    assert rows["何凤英"] and rows["何凤英"].phone == "0532-82861234"  # only a landline, in 座机
    assert rows["林海"] and rows["林海"].phone == "0531-82861235"  # a number: its 0 was lost
    assert rows["林海"].notes == "座机：82861236"  # the 座机 beside it is kept, in the notes


def test_what_the_rows_say_beyond_dates(messy: ParsedRoster) -> None:
    rows = {name: row.draft for name, row in by_name(messy).items()}
    zhang, wang, liu, chen, zhao, zhou = (
        rows[n] for n in ("张建国", "王秀英", "刘德华", "陈桂兰", "赵志强", "周国庆")
    )
    assert zhang and wang and liu and chen and zhao and zhou
    assert (zhang.category, wang.category, liu.category) == (
        "military_retiree", "military_retiree", "retired_cadre",
    )  # fmt: skip
    assert (chen.category, zhao.category) == ("veteran", "veteran")
    assert rows["孙丽"] and rows["孙丽"].category == "staff_member"
    assert liu.gender == "male"  # not given: from the ID number
    assert chen.party_member is False and zhou.party_member is True  # 群众; a joining date
    assert wang.infirm and liu.mobile and not zhang.mobile
    assert zhao.deceased_on == PartialDate(2024, 3)
    assert zhang.health_notes == "高血压，按时服药" and zhang.family_contact_name == "张小明"
    assert zhou.branch == rosters.UNKNOWN_BRANCH  # kept, to be proposed for creation
    assert zhang.branch == "第一支部" and zhang.group == "第一党小组"


def test_the_reasons_for_the_bad_rows(messy: ParsedRoster) -> None:
    rows = by_name(messy)
    assert "check digit" in reasons(rows["卫建军"])["id_number"]
    disagreement = rows["蒋红梅"].problems[0]
    assert disagreement.column == "出生年月 (年.月)"
    assert "disagrees with the ID number" in disagreement.message
    assert "1951年5月6日" in str(disagreement.args.values())
    assert reasons(rows["沈立新"])["birth_date"] == "There is no month %(month)s."
    short = next(p for p in rows["韩长生"].warnings if p.field == "phone")
    assert "has 11 digits" in short.message and short.args["count"] == 10
    duplicate = rows["杨守田"].problems[0]
    assert duplicate.column == "身份证号码"
    assert duplicate.args == {"line": rows["褚卫东"].line}
    for typed_as_a_number in ("朱大成", "郑淑珍", "钱玉成"):
        # The only reason given: no check digit, and no gender or birth date compared
        # with digits that are not the person's.
        row = rows[typed_as_a_number]
        assert [p.field for p in row.problems] == ["id_number"], row.problems
        assert "lost its last digits" in row.problems[0].message
        assert row.draft and row.draft.id_number is None
    assert rows["郑淑珍"].draft and rows["郑淑珍"].draft.birth_date is None  # not from the ID


@pytest.mark.parametrize(
    ("encoding", "delimiter"), [("gb18030", ","), ("utf-8-sig", "\t")]
)  # fmt: skip
def test_a_csv_roster(encoding: str, delimiter: str) -> None:
    parsed = parse_roster(rosters.roster_csv(encoding, delimiter), "名单.csv", today=TODAY)
    rows = by_name(parsed)
    assert [name for name, row in rows.items() if row.ok] == rosters.CSV_NAMES
    assert {name: [p.field for p in row.problems] for name, row in rows.items() if not row.ok} == {
        name: [field] for name, field in rosters.CSV_BAD.items()
    }
    for name in rosters.CSV_BAD:
        assert "lost its last digits" in rows[name].problems[0].message
    # The signature block spread over the columns, after a blank line: not a person.
    assert parsed.skipped_blank == 2 and parsed.footer_line == parsed.rows[-1].line + 2
    assert "王芳" not in rows
    liu = rows["刘德华"].draft
    assert liu and liu.birth_date == PartialDate(1949, 10, 1) and liu.gender == "male"
    zhao = rows["赵桂英"].draft
    assert zhao and zhao.phone == "82861238"  # a landline without its area code


def test_the_benchmark_roster_is_clean() -> None:
    parsed = parse_roster(rosters.large_roster_xlsx(300), "大.xlsx", today=TODAY)
    assert len(parsed.rows) == 300 and all(row.ok for row in parsed.rows)
    assert len({row.draft.id_number for row in parsed.rows if row.draft}) == 300


# --- rules, one row at a time ------------------------------------------------------------------

ZHANG = rosters.ZHANG  # a man born 1949-10-01


@pytest.mark.parametrize(
    ("word", "member"),
    [("是", True), ("党员", True), ("中共党员", True), ("Y", True), ("√", True),
     ("否", False), ("群众", False), ("N", False), ("", None)],
)  # fmt: skip
def test_party_member_words(word: str, member: bool | None) -> None:
    row = one("张建国", "男", "1949.10", ZHANG, "军休", word, None)
    assert row.ok and row.draft and row.draft.party_member is member


@pytest.mark.parametrize(
    ("word", "category"),
    [("军休干部", "military_retiree"), ("军队离退休干部", "military_retiree"),
     ("离休", "retired_cadre"), ("复员军人", "veteran"), ("转业军人", "veteran"),
     ("在职", "staff_member"), ("职工", "staff_member")],
)  # fmt: skip
def test_category_words(word: str, category: str) -> None:
    row = one("张建国", "男", "1949.10", ZHANG, word, "是", None)
    assert row.draft and row.draft.category == category


def test_a_blank_category_takes_the_default_or_is_a_problem() -> None:
    row = one("张建国", "男", "1949.10", ZHANG, "", "是", None, default_category="veteran")
    assert row.ok and row.draft and row.draft.category == "veteran"
    row = one("张建国", "男", "1949.10", ZHANG, "", "是", None)
    assert list(reasons(row)) == ["category"] and row.problems[0].column == "人员类别"
    row = one("张建国", "男", "1949.10", header=["姓名", "性别", "出生年月"])
    # No such column: nothing to quote. The page names the field in the reader's
    # language (headers.column_label), never by a msgid stored here.
    assert row.problems[0].column == ""


def test_an_unknown_category_lists_the_four_words() -> None:
    message = reasons(one("张建国", "男", "1949.10", ZHANG, "老干部", "是", None))["category"]
    assert all(word in message for word in ("军休干部", "离休干部", "退役军人", "在职党员"))


def test_cross_checks_with_the_id_number() -> None:
    assert list(reasons(one("张建国", "女", "1949.10", ZHANG, "军休", "是", None))) == ["gender"]
    assert list(reasons(one("张建国", "男", "1950.10", ZHANG, "军休", "是", None))) == [
        "birth_date"
    ]
    filled = one("张建国", None, None, ZHANG, "军休", "是", None)
    assert filled.ok and filled.draft
    assert (filled.draft.gender, filled.draft.birth_date) == ("male", PartialDate(1949, 10, 1))


def test_party_joining_dates() -> None:
    before_birth = one("张建国", "男", "1949.10", ZHANG, "军休", "是", "1948.01")
    assert list(reasons(before_birth)) == ["party_joined_on"]
    future = one("张建国", "男", "1949.10", ZHANG, "军休", "是", "2030.01")
    assert "future" in reasons(future)["party_joined_on"]
    not_a_member = one("张建国", "男", "1949.10", ZHANG, "军休", "否", "1968.07")
    assert list(reasons(not_a_member)) == ["party_joined_on"]


def test_a_row_without_a_name_is_unusable() -> None:
    row = one("", "男", "1949.10", ZHANG, "军休", "是", None)
    assert row.draft is None and not row.ok and list(reasons(row)) == ["name"]


def test_names_lose_the_spaces_typed_to_align_them() -> None:
    for typed, name in [("张 三", "张三"), (" 欧阳 修 ", "欧阳修"), ("Tom  Lee", "Tom Lee")]:
        row = one(typed, "男", "1949.10", ZHANG, "军休", "是", None)
        assert row.draft and row.draft.name == name


def test_a_sheet_without_a_header_or_without_people() -> None:
    with pytest.raises(RosterFileError) as caught:
        draft_rows([["花名册"], ["a", "b", "c"], ["张建国", "男", "1949.10"]])
    assert "姓名" in caught.value.message
    with pytest.raises(RosterFileError):
        draft_rows([HEADER, [], ["制表人：王芳"]])


def test_a_footer_word_beside_a_name_is_data_not_the_end() -> None:
    sheet = [
        ["职务", "姓名", "性别", "出生年月", "类别"],
        ["负责人", "王大", "男", "1950.01", "军休干部"],
        ["", "王二", "男", "1951.02", "军休干部"],
        ["制表人：李某", "", "", "", ""],
    ]
    parsed = draft_rows(sheet, today=date(2026, 11, 24))
    assert [row.draft.name for row in parsed.rows if row.draft] == ["王大", "王二"]
    assert parsed.footer_line == 4


# --- where the data ends ------------------------------------------------------------------------

SHEET_HEADER = ["序号", "姓名", "性别", "出生年月", "身份证号", "人员类别", "联系电话", "家庭住址",
                "职务", "备注"]  # fmt: skip
PEOPLE = [
    [1, "王大", "男", "1950.01", None, "军休干部", "13800138000", "文化东路1号", None, None],
    [2, "李二", "女", "1951.02", None, "军休干部", None, None, None, None],
]


@pytest.mark.parametrize(
    "footer",
    [
        # Spread over columns: a label, the name under 姓名, more labels further right.
        ["制表人：", "王芳", None, None, "审核人：", "李强", None, "制表日期：", "2026年11月20日"],
        ["制表人:", "王芳", "", "审核人:", "李强", "", "", "制表日期:", date(2026, 11, 20)],
        ["制表人", "王芳", None, "审核人", "李强"],  # no colons
        [None, "制表人：王芳", None, None, "审核人：李强", None, None, "制表日期：2026年11月20日"],
        [None, None, None, None, None, None, None, "填表人：张三  联系电话：13800138000"],
        ["填报单位（盖章）：", None, None, None, "负责人：", "赵六"],
        ["单位(盖章)", None, None, None, None, None, "联系电话：", "0531-86001234"],
        ["备注：", "本表由各支部填报，军休中心汇总。"],
        ["注：出生年月按身份证填写"],
        ["合计", "36人"],
        [None, None, None, None, None, None, None, None, "制表日期：", 46346],
    ],
)
def test_a_signature_footer_ends_the_data_wherever_its_labels_stand(footer: list[Any]) -> None:
    sheet = [SHEET_HEADER, *PEOPLE, footer, ["王五", "男"]]
    parsed = draft_rows(sheet, today=TODAY)
    assert [row.draft.name for row in parsed.rows if row.draft] == ["王大", "李二"], footer
    assert [row.line for row in parsed.rows] == [2, 3]
    assert parsed.footer_line == 4


@pytest.mark.parametrize(
    "person",
    [
        ["3", "王芳", "女", "1952.03", None, "军休干部", None, None, "负责人", None],
        ["3", "王芳", "女", "1952.03", None, "军休干部", None, None, None,
         "联系人：女儿 13900139000"],
        ["3", "王芳", "女", "1952.03", None, "军休干部", None, "联系电话：13900139000", None,
         "备注：腿脚不便"],
        ["3", "王芳", "女", "1952.03", ZHANG, "军休干部", None, None, "联系人：", "王小"],
        ["3", "", "女", "1952.03", ZHANG, "军休干部", None, None, "负责人：", None],
        ["3", "王芳", "女", "1952.03", None, "军休干部", "13900139000", None, "组长", "合计"],
    ],
)  # fmt: skip
def test_a_person_is_never_taken_for_a_footer(person: list[Any]) -> None:
    parsed = draft_rows([SHEET_HEADER, *PEOPLE, person, PEOPLE[0]], today=TODAY)
    assert len(parsed.rows) == 4 and parsed.footer_line is None, person


# --- health notes that say "infirm" ----------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "sign"),
    [("年迈体弱", "年迈体弱"), ("长期卧床", "卧床"), ("失能", "失能"), ("半失能老人", "失能"),
     ("生活不能自理", "不能自理"), ("高血压，卧床不起", "卧床"), ("脑梗后偏瘫", "偏瘫"),
     ("身体不好卧床", "卧床"), ("阿尔茨海默病（失智）", "失智")],
)  # fmt: skip
def test_a_health_note_proposes_the_infirm_flag(note: str, sign: str) -> None:
    header = [*HEADER, "身体状况"]
    row = one("张建国", "男", "1949.10", ZHANG, "军休", "是", None, note, header=header)
    assert row.ok and row.draft
    assert row.draft.health_notes == note  # kept as the person's health notes
    assert row.draft.infirm is False and row.draft.infirm_sign == sign  # proposed, not set


@pytest.mark.parametrize(
    "note",
    ["不卧床", "身体健康", "能自理，未失能", "无卧床", "卧床：否", "从未卧床", "并非失能",
     "高血压，按时服药", "不再卧床，已康复"],
)  # fmt: skip
def test_a_negated_or_healthy_note_proposes_nothing(note: str) -> None:
    header = [*HEADER, "健康状况"]
    row = one("张建国", "男", "1949.10", ZHANG, "军休", "是", None, note, header=header)
    assert row.draft and row.draft.infirm_sign is None, note


@pytest.mark.parametrize("column", ["身体状况", "健康状况", "身体情况", "健康情况"])
def test_the_health_column_by_its_usual_names(column: str) -> None:
    header = [*HEADER, column]
    row = one("张建国", "男", "1949.10", ZHANG, "军休", "是", None, "卧床", header=header)
    assert row.draft and row.draft.health_notes == "卧床" and row.draft.infirm_sign == "卧床"


def test_the_infirm_column_says_it_first() -> None:
    header = [*HEADER, "身体状况", "年迈体弱"]
    cells = ("张建国", "男", "1949.10", ZHANG, "军休", "是", None, "卧床")
    said_no = one(*cells, "否", header=header)
    said_yes = one(*cells, "是", header=header)
    assert said_no.draft and said_no.draft.infirm_sign is None and not said_no.draft.infirm
    assert said_yes.draft and said_yes.draft.infirm_sign is None and said_yes.draft.infirm


def test_the_rosters_propose_the_infirm_flag(messy: ParsedRoster) -> None:
    signs = {name: row.draft.infirm_sign for name, row in by_name(messy).items() if row.draft}
    assert {name: sign for name, sign in signs.items() if sign} == rosters.INFIRM_PROPOSED
    parsed = parse_roster(rosters.roster_csv(), "名单.csv", today=TODAY)
    signs = {name: row.draft.infirm_sign for name, row in by_name(parsed).items() if row.draft}
    assert {name: sign for name, sign in signs.items() if sign} == rosters.CSV_INFIRM_PROPOSED


# --- a landline beside a mobile --------------------------------------------------------


def test_a_landline_beside_a_mobile_is_kept_in_the_notes() -> None:
    """The person has one phone field: the mobile takes it, and the 座机 goes to the notes
    rather than being dropped (the grid worker may need it on a day the mobile is off)."""
    header = [*HEADER, "手机", "座机", "备注"]
    both = one("张建国", "男", "1949.10", ZHANG, "军休", "是", None, "13800138000",
               "0532-82861234", "住三楼", header=header)  # fmt: skip
    assert both.ok and both.draft and both.draft.phone == "13800138000"
    assert both.draft.notes == "住三楼\n座机：0532-82861234"
    alone = one("张建国", "男", "1949.10", ZHANG, "军休", "是", None, "", "0532-82861234",
                None, header=header)  # fmt: skip
    assert alone.draft and alone.draft.phone == "0532-82861234" and alone.draft.notes is None
    same = one("张建国", "男", "1949.10", ZHANG, "军休", "是", None, "0532-82861234",
               "0532-82861234", None, header=header)  # fmt: skip
    assert same.draft and same.draft.notes is None  # one number, said once


# --- 1949.1: a number cell that lost the 0 of October -------------------------------------


def test_a_month_lost_to_a_number_cell_is_read_from_the_id_number() -> None:
    """1949.10 typed into a number cell is 1949.1: January or October. A valid ID number
    on the row that agrees with one reading settles it, and nothing is said."""
    october = one("张建国", "男", 1949.1, ZHANG, "军休", "是", None)  # ZHANG: 1949-10-01
    assert october.ok and october.draft and october.draft.birth_date == PartialDate(1949, 10)
    january_id = rosters.id_number("370102", date(1949, 1, 15), 13)
    january = one("张建国", "男", 1949.1, january_id, "军休", "是", None)
    assert january.ok and january.draft and january.draft.birth_date == PartialDate(1949, 1)
    for unsettled in (
        one("张建国", "男", 1949.1, None, "军休", "是", None),  # no ID number
        one("张建国", "男", 1949.1, rosters.WRONG_CHECK, "军休", "是", None),  # an invalid one
        one("张建国", "男", 1949.1, rosters.id_number("370102", date(1950, 10, 1), 13),
            "军休", "是", None),  # a valid one that agrees with neither reading
    ):  # fmt: skip
        assert "ambiguous" in reasons(unsettled)["birth_date"], unsettled
    # Joining dates have no ID number to ask: still ambiguous.
    joined = one("张建国", "男", "1949.10", ZHANG, "军休", "是", 1968.1)
    assert "ambiguous" in reasons(joined)["party_joined_on"]
