"""Times on every page are China's: a test over the templates' source.

The database keeps timestamps in UTC, and a signup at 07:24 on 7 December in Beijing
is 23:24 on the 6th there. Formatting one straight (`created_at.strftime(...)`,
`expires_at.date()`, `decided_at|day`, `{{ created_at }}`) shows the wrong day for the
eight hours after midnight. Pages say a time with the `moment` filter, or turn it into
China time first (`.astimezone(china_time)`). Timestamps are named `…_at` (or `at`),
dates `…_on`; this test finds every timestamp a template formats without China time.
"""

from __future__ import annotations

import re
from pathlib import Path

from app.settings import PROJECT_ROOT
from app.web.templates import TEMPLATE_DIRS

EXPRESSION = re.compile(r"{{.*?}}|{%.*?%}", re.S)
# A timestamp: an attribute named …_at or at (created_at, e.at, row.clock.level_ends_at).
STAMP = r"(?<![\w.])(?:[A-Za-z_]\w*\.)*(?:\w+_at|at)\b"
CHINA = r"\.astimezone\(china_time\)"
WRONG = [
    # Formatted or cut to a date without China time.
    (re.compile(rf"{STAMP}(?!{CHINA})\.(?:strftime|date|isoformat|time)\("), "formatted in UTC"),
    # Given to a filter other than moment (|day of a timestamp takes its UTC date).
    (re.compile(rf"{STAMP}\s*\|\s*(?!moment\b)\w+"), "filtered in UTC"),
    # Printed or passed to gettext as it is (str() of a datetime: UTC, and English).
    (re.compile(rf"{STAMP}\s*(?:}}}}|,|\))"), "printed in UTC"),
    (re.compile(rf"=\s*{STAMP}\s*(?:,|\))"), "printed in UTC"),
]
# Tests of a timestamp, not output: {% if x.decided_at %}, "… if t.decided_at else".
TESTED = re.compile(rf"(?:\bif|\bnot|\band|\bor|\bis)\s+{STAMP}|{STAMP}\s+(?:is|else|and|or)\b")


def wrong_times(source: str) -> list[str]:
    found = []
    for expression in EXPRESSION.finditer(source):
        text = TESTED.sub("", expression.group())
        for pattern, why in WRONG:
            for match in pattern.finditer(text):
                line = source.count("\n", 0, expression.start()) + 1
                found.append(f"line {line}: {match.group().strip()} — {why}")
    return found


def test_no_template_formats_a_time_without_china_time() -> None:
    found = {
        str(path.relative_to(PROJECT_ROOT)): wrong
        for folder in TEMPLATE_DIRS
        for path in sorted(Path(folder).rglob("*.html"))
        if (wrong := wrong_times(path.read_text(encoding="utf-8")))
    }
    assert found == {}


def test_the_check_catches_each_way_of_getting_it_wrong() -> None:
    """The test above can fail: each of these is the mistake it looks for…"""
    for wrong in (
        '{{ t.created_at.strftime("%Y-%m-%d %H:%M") }}',
        "{{ _('Valid until %(date)s', date=inv.expires_at.strftime('%Y-%m-%d')) }}",
        "{{ t.decided_at.strftime('%Y-%m-%d') if t.decided_at else '' }}",
        "{{ step.checked_at.date()|day }}",
        "{{ t.decided_at|day }}",
        "{{ e.at }}",
        "{{ _('Asked on %(day)s', day=r.created_at) }}",
    ):
        assert wrong_times(wrong), wrong
    # …and these are right.
    for right in (
        "{{ t.created_at|moment }}",
        "{{ e.at.astimezone(china_time).strftime('%Y-%m-%d %H:%M') }}",
        "{{ step.checked_at.astimezone(china_time).date()|day }}",
        "{% if account.last_login_at %}",
        "{{ t.decided_at|moment if t.decided_at else '' }}",
        "{{ p.deceased_on.isoformat() }}",
        "{{ _('Submitted %(date)s', date=t.created_at|moment) }}",
    ):
        assert not wrong_times(right), right


def test_templates_are_where_the_check_looks() -> None:
    for page in ("tenants/approvals.html", "people/person.html"):  # beside code, too
        assert any(any(Path(folder).rglob(page)) for folder in TEMPLATE_DIRS), page
