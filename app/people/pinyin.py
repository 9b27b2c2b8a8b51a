"""Pinyin keys for finding and ordering people by their Chinese names.

Staff search the roster the way they type into an IME: full pinyin (`zhangjianguo`),
initials (`zjg`) or a part of either. pypinyin reads characters in context, but it has
no surname mode, so 曾国藩 comes out as `ceng guo fan` and 单田芳 as `dan tian fang`.
We read the surname ourselves and keep pypinyin's reading as a second alternative,
because people type what they think a name sounds like, not what a dictionary says.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# Surnames whose reading differs from the everyday one (or that pypinyin's phrase
# table would otherwise swallow into a word with the given name).
_SURNAMES: dict[str, str] = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "乐": "yue",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "秘": "bi",
    "种": "chong",
    "员": "yun",
    "折": "she",
    "燕": "yan",
    "任": "ren",
    "华": "hua",
    "纪": "ji",
    "长": "chang",
    "卜": "bu",
    "阚": "kan",
    "隗": "wei",
    "么": "yao",
    "佴": "nai",
    "粘": "nian",
    "藏": "zang",
    "薄": "bo",
    "繁": "po",
    "召": "shao",
    "句": "gou",
    "都": "du",
    "重": "chong",
    "洗": "xian",
    "祭": "zhai",
    "蔚": "yu",
    "奇": "ji",
    "能": "nai",
    "黑": "he",
    "番": "pan",
    "晟": "cheng",
}

_COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "单于": ("chan", "yu"),
    "尉迟": ("yu", "chi"),
    "长孙": ("zhang", "sun"),
    "万俟": ("mo", "qi"),
    "澹台": ("tan", "tai"),
    "乐正": ("yue", "zheng"),
    "仉督": ("zhang", "du"),
    "子车": ("zi", "ju"),
    "欧阳": ("ou", "yang"),
    "司马": ("si", "ma"),
    "上官": ("shang", "guan"),
    "诸葛": ("zhu", "ge"),
    "令狐": ("ling", "hu"),
    "皇甫": ("huang", "fu"),
    "东方": ("dong", "fang"),
    "夏侯": ("xia", "hou"),
    "公孙": ("gong", "sun"),
    "宇文": ("yu", "wen"),
    "慕容": ("mu", "rong"),
    "司徒": ("si", "tu"),
    "司空": ("si", "kong"),
    "轩辕": ("xuan", "yuan"),
    "独孤": ("du", "gu"),
    "南宫": ("nan", "gong"),
    "闻人": ("wen", "ren"),
    "太史": ("tai", "shi"),
    "申屠": ("shen", "tu"),
    "淳于": ("chun", "yu"),
    "钟离": ("zhong", "li"),
    "端木": ("duan", "mu"),
    "呼延": ("hu", "yan"),
    "赫连": ("he", "lian"),
    "拓跋": ("tuo", "ba"),
    "鲜于": ("xian", "yu"),
    "西门": ("xi", "men"),
    "东郭": ("dong", "guo"),
    "公冶": ("gong", "ye"),
    "宗政": ("zong", "zheng"),
    "濮阳": ("pu", "yang"),
    "亓官": ("qi", "guan"),
    "漆雕": ("qi", "diao"),
    "完颜": ("wan", "yan"),
}

_LETTERS = re.compile(r"[a-z]+")
_QUERY_DROP = str.maketrans({" ": None, "'": None, "’": None, "‘": None, "ü": "v"})


def _ascii_words(text: str) -> list[str]:
    """Lowercase ASCII words of a non-Chinese run: accents dropped (José → jose),
    ü kept distinct as v (as in pinyin), punctuation such as · and spaces removed."""
    text = unicodedata.normalize("NFKC", text).lower().replace("ü", "v")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _LETTERS.findall(folded)


def _syllables(text: str) -> list[str]:
    """pypinyin's phrase-aware default reading; non-Chinese runs (which pypinyin
    passes through as they are) become their ASCII words."""
    out: list[str] = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL):
        out.extend(_ascii_words(chunk))
    return out


def _readings(name: str) -> list[tuple[str, ...]]:
    """Candidate readings, surname-aware first, then the default; no duplicates.

    A compound surname also yields the reading of its first character as a single
    surname: 单于飞 may be 单 Shàn with the given name 于飞.
    """
    name = unicodedata.normalize("NFKC", name).strip()
    candidates: list[tuple[str, ...]] = []
    compound = _COMPOUND_SURNAMES.get(name[:2]) if len(name) > 2 else None
    if compound:
        candidates.append(compound + tuple(_syllables(name[2:])))
    if name[:1] in _SURNAMES:
        candidates.append((_SURNAMES[name[0]], *_syllables(name[1:])))
    candidates.append(tuple(_syllables(name)))
    return list(dict.fromkeys(c for c in candidates if c))


def search_keys(name: str) -> str:
    """Space-separated alternatives to match a query against (as a substring):
    full pinyin and initials of each reading, e.g. 张建国 → `zhangjianguo zjg`."""
    keys: list[str] = []
    for reading in _readings(name):
        keys.append("".join(reading))
        keys.append("".join(syllable[0] for syllable in reading))
    return " ".join(dict.fromkeys(keys))


def sort_key(name: str) -> str:
    """Surname-aware pinyin with spaces between syllables (安 before 张, 曾 under z).

    The spaces keep a surname's people together under byte-wise ("C") collation:
    `li ang` (李昂) sorts before `liang` (梁).
    """
    readings = _readings(name)
    return " ".join(readings[0]) if readings else ""


def normalise_query(text: str) -> str:
    """A search box entry as search_keys spell things: NFKC (IMEs type full-width
    letters), lowercase, ü as v, without the spaces and apostrophes people put
    between syllables (`zhang jian'guo` → `zhangjianguo`)."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(text.translate(_QUERY_DROP).split())


def looks_like_pinyin(text: str) -> bool:
    """True when the query is only ASCII letters once normalised, so it can be
    matched against search_keys rather than the name itself."""
    query = normalise_query(text)
    return bool(query) and query.isascii() and query.isalpha()


# --- ordering org units: 第一、第二…第十二 by value, then by pinyin ------------------

_CN_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}  # fmt: skip
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
# A run of digits, or of Chinese numerals that holds a digit or 十 (so 千佛山, 百花 and
# 万达 stay words; 两 is left out: 两新组织 is a name, not "2 new").
_NUMBER = re.compile(
    r"[0-9]+|[〇零一二三四五六七八九十百千万]*[〇零一二三四五六七八九十][〇零一二三四五六七八九十百千万]*"
)

UnitSortKey = tuple[tuple[tuple[int, int, str], ...], str]


def _chinese_number(text: str) -> int:
    """十二 → 12, 二十 → 20, 一百零五 → 105, 三万二千 → 32000; 二〇二六 (digits only,
    as years are written) → 2026."""
    if not any(ch in _CN_UNITS or ch == "万" for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    total = section = 0
    digit: int | None = None
    for ch in text:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            section += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:  # 万
            total += (section + (digit or 0)) * 10_000
            section, digit = 0, None
    return total + section + (digit or 0)


@lru_cache(maxsize=4096)
def unit_sort_key(name: str) -> UnitSortKey:
    """How org units are ordered wherever they are listed: numbers by value, whether
    written 12, １２ or 十二 (第二 before 第十 before 第十二), the words between them by
    pinyin (机关 before 离休), numbers before words; equal keys fall back to the name, so
    第12支部 and 第十二支部 keep one order."""
    text = unicodedata.normalize("NFKC", name).strip()
    parts: list[tuple[int, int, str]] = []
    at = 0
    for match in _NUMBER.finditer(text):
        if match.start() > at:
            parts.append((1, 0, " ".join(_syllables(text[at : match.start()]))))
        run = match.group()
        parts.append((0, int(run) if run.isdigit() else _chinese_number(run), ""))
        at = match.end()
    if at < len(text):
        parts.append((1, 0, " ".join(_syllables(text[at:]))))
    return tuple(parts), name
