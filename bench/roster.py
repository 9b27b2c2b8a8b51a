"""Roster import and person search at the large district's size (issue 3).

Writes the synthetic province's large district's 40,000-person roster as a bureau
keeps it (.xlsx: a title above the header, dates in mixed formats, a few per cent of
bad rows), imports it as that district's admin through the import service, connected
as the runtime role, then searches the people through the HTTP stack. Each import
phase runs in a fresh process, so its peak RSS is its own. Figures are printed and
written to bench/results/roster.json, never asserted.

    uv run python -m bench.roster        (alone; `make bench` runs it after the dashboard)
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import itertools
import json
import random
import re
import resource
import statistics
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import xlsxwriter
from pypinyin import lazy_pinyin
from stdnum.cn import ric

from bench.generate import large_district_admin_phone, province_shape
from bench.harness import (
    BENCH_KEYS,
    app_server,
    in_fresh_process,
    main_or_step,
    owner_connection,
    run_and_report,
    session_cookie,
    spread,
    timed_get,
)

PEOPLE = 40_000
REQUESTS = 30  # per query kind, for the whole page and again for the HTMX fragment
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
GIVEN = "建国军华明志强文德秀英兰玉芳桂珍凤淑春海平红永庆福荣忠林山成东立新光"
ERA_NAMES = ["建国", "建军", "国庆", "秀英", "桂英", "玉兰", "淑珍", "志强", "卫东", "援朝"]
REGIONS = ["370102", "370103", "370104", "370105", "370112", "370113"]  # Jinan's districts
ROADS = ["经十路", "解放路", "文化东路", "山大路", "和平路", "历山路", "千佛山路", "燕子山路"]
CATEGORIES = ["军休干部"] * 14 + ["离休干部"] * 2 + ["退役军人"] * 3 + ["在职党员"]
MOBILES = ["130", "133", "135", "136", "137", "138", "139", "150", "158", "186", "189"]
HEADER = ["序号", "姓名", "性别", "出生年月", "类别", "是否党员", "入党时间", "身份证号码",
          "联系电话", "住址", "所在支部", "党小组"]  # fmt: skip


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 40 → 四十, 100 → 一百: how branches are numbered."""
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    if n == 100:
        return "一百"
    return (digits[tens] if tens > 1 else "") + ("十" if tens else "") + digits[ones] * bool(ones)


def roster_rows(seed: int = 2026) -> Any:
    """Deterministic rows of cells; a `date` is written as a real Excel date."""
    rng, seen = random.Random(seed), set()
    first, span = date(1925, 1, 1), (date(1975, 12, 31) - date(1925, 1, 1)).days
    for n in range(1, PEOPLE + 1):
        male = rng.random() < 0.85
        given = "".join(rng.choices(GIVEN, k=rng.choice((1, 2, 2))))
        name = rng.choice(SURNAMES) + (rng.choice(ERA_NAMES) if rng.random() < 0.3 else given)
        born = first + timedelta(days=rng.randrange(span))
        while True:  # region, birth date, a sequence whose last digit is odd for a man
            body = f"{rng.choice(REGIONS)}{born:%Y%m%d}{rng.randrange(100):02d}"
            body += str(rng.randrange(5) * 2 + male)
            if body not in seen:
                seen.add(body)
                break
        id_number = body + ric.calc_check_digit(body + "0")
        phone: Any = rng.choice(MOBILES) + f"{rng.randrange(10**8):08d}"
        style = rng.random()
        birth: Any = (born if style < 0.4 else f"{born.year}.{born.month:02d}" if style < 0.8
                      else f"{born.year}年{born.month}月{born.day}日")  # fmt: skip
        problem = rng.random()  # about 3% of rows are wrong in a way the dry run reports
        if problem < 0.015:
            id_number = id_number[:17] + ("0" if id_number[17] != "0" else "1")
        elif problem < 0.025:
            phone = phone[: rng.choice((7, 10))]
        elif problem < 0.028:
            birth = f"{born.year}.13"
        elif problem < 0.03:
            birth = f"{born.year + 1}.{born.month:02d}"  # disagrees with the ID number
        elif problem < 0.2:
            phone = f"{phone[:3]} {phone[3:7]} {phone[7:]}" if problem < 0.1 else int(phone)
        elif problem < 0.25:
            phone = ""
        member = rng.random() < 0.85
        joined: Any = born + timedelta(days=365 * rng.randint(18, 40)) if member else ""
        if member and rng.random() < 0.7:
            joined = rng.choice(("{0.year}.{0.month:02d}", "{0.year}年{0.month}月")).format(joined)
        address = "济南市历下区{}{}号{}号楼{}单元{}0{}室".format(
            rng.choice(ROADS), *(rng.randint(1, most) for most in (300, 20, 3, 6, 4))
        )
        branch = f"第{cn_number(rng.randint(1, 100))}支部"
        group = f"第{cn_number(rng.randint(1, 4))}党小组" if member else ""
        gender, party = "男" if male else "女", "是" if member else "否"
        cells = [n, name, gender, birth, rng.choice(CATEGORIES), party, joined, id_number]
        yield [*cells, phone, address, branch, group]


def write_roster(path: Path) -> dict[str, Any]:
    """The .xlsx, in constant memory: its size, the seconds and people to look for."""
    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("花名册")
    formats = [book.add_format({"num_format": f}) for f in ("yyyy-mm-dd", 'yyyy"年"m"月"d"日"')]
    title = book.add_format({"bold": True, "align": "center"})
    sheet.merge_range(0, 0, 0, len(HEADER) - 1, "合成大区军休干部花名册（2026年）", title)
    sheet.write_row(1, 0, ["填报单位：合成大区退役军人事务局", *[""] * 6, "填报时间：2026年11月"])
    sheet.write_row(2, 0, HEADER)
    samples: dict[str, list[str]] = {"initials": [], "phone": [], "id": []}
    for line, row in enumerate(roster_rows(), start=3):
        for column, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(line, column, value, formats[line % 2])
            else:
                sheet.write(line, column, value)
        if line % 797 == 0 and len(str(row[8])) == 11 and row[7][-1].isdigit():
            samples["initials"].append("".join(p[0] for p in lazy_pinyin(row[1])))
            samples["phone"].append(str(row[8])[-4:])
            samples["id"].append(row[7][-4:])
    sheet.write(line + 2, 0, "制表人：王某某　　审核人：李某某　　制表日期：2026年11月20日")
    book.close()
    seconds = round(time.perf_counter() - started, 1)
    return {"mb": round(path.stat().st_size / 2**20, 1), "seconds": seconds, "samples": samples}


# --- the import phases and EXPLAIN, each in a fresh process ---------------------------


def _timed(owner: Any, name: str, label: str, timings: dict[str, float]) -> None:
    """Wrap owner.name so that its seconds add up under `label`."""
    fn = getattr(owner, name, None)
    if fn is None:  # what the import module no longer has is simply not timed
        return

    def add(started: float) -> None:
        timings[label] = round(timings.get(label, 0.0) + time.perf_counter() - started, 2)

    async def timed_async(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = await fn(*args, **kwargs)
        add(started)
        return result

    def timed_sync(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        result = fn(*args, **kwargs)
        add(started)
        return result

    setattr(owner, name, timed_async if inspect.iscoroutinefunction(fn) else timed_sync)


STEPS = {
    "parse_isolated": "read + check cells (child process)",
    "plan_rows": "plan (encrypt, blind index)",
    "_store_rows": "insert import rows",
    "_create_units": "create units",
}


async def _phase(phase: str, argument: str) -> dict[str, Any]:
    """dry-run FILE (upload + check), commit IMPORT_ID (good rows) or explain QUERIES,
    as the large district's admin, through the runtime role (DATABASE_URL)."""
    from sqlalchemy import select

    from app.accounts.models import User
    from app.core.identity import Actor
    from app.db.tenant import tenant_scope
    from app.people.imports import commit, worker
    from app.people.imports.service import ImportService
    from app.settings import Settings
    from app.state import open_services

    timings: dict[str, float] = {}
    for name, label in STEPS.items():
        _timed(commit if name == "_create_units" else worker, name, label, timings)
    async with open_services(Settings()) as services:
        with tenant_scope(province_shape()[0].tenant_id):
            if phase == "explain":
                queries = json.loads(argument).items()
                return {kind: await _explain(services, kind, values[0]) for kind, values in queries}
            async with services.db.session() as session:
                phone = large_district_admin_phone()
                admin = (await session.scalars(select(User).filter_by(phone=phone))).one()
            actor = Actor("user", admin.name, admin.id)
            async with services.db.unit() as session:
                service = ImportService(session, services.cipher, services.redis)
                started = time.perf_counter()
                if phase == "dry-run":
                    data = await asyncio.to_thread(Path(argument).read_bytes)
                    import_id = await service.upload(Path(argument).name, data, "", actor)
                    status = await worker.check(services.db, services.cipher, import_id)
                else:
                    import_id = uuid.UUID(argument)
                    await service.commit(import_id, "good", None, actor)
                    status = await worker.apply(services.db, import_id)
                seconds = round(time.perf_counter() - started, 1)
                summary = (await service.get(import_id)).summary
    peak_mb = {  # the largest child is the one that parsed the file; KB on Linux
        "worker": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024,
        "child": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024,
    }
    counts = summary.get("committed") or {k: summary[k] for k in ("new", "error", "suspects")}
    return {"import_id": str(import_id), "status": status, "seconds": seconds,
            "peak_mb": peak_mb, "timings": timings, "counts": counts}  # fmt: skip


async def _explain(services: Any, kind: str, value: str) -> dict[str, Any]:
    """EXPLAIN ANALYZE of the two statements behind one search, the count and the page,
    as the service builds them and the app runs them (runtime role, RLS)."""
    from sqlalchemy import func, select

    from app.core.scope import EVERYONE
    from app.people.models import Person
    from app.people.roster.service import PeopleService
    from app.people.search import PersonFilter

    wanted = PersonFilter(unit_id=uuid.UUID(value)) if kind == "branch" else PersonFilter(q=value)
    found: dict[str, Any] = {"value": value}
    async with services.db.session() as session:
        query = PeopleService(session, services.cipher)._filtered(EVERYONE, wanted)
        statements = {
            "count": select(func.count()).select_from(query.subquery()),
            "page": query.order_by(Person.sort_key, Person.id).limit(50),
        }
        conn = await session.connection()
        for name, statement in statements.items():
            compiled = statement.compile(dialect=conn.dialect)
            params = compiled.construct_params()
            positional = tuple(params[key] for key in compiled.positiontup or ())
            sql = "explain (analyze, buffers, timing off) " + compiled.string
            plan = [row[0] for row in await conn.exec_driver_sql(sql, positional)]
            found[f"{name}_ms"] = float(re.findall(r"Execution Time: ([\d.]+)", plan[-1])[0])
            found[f"{name}_plan"] = plan
    return found


def run_phase(env: dict[str, str], phase: str, argument: str) -> dict[str, Any]:
    return in_fresh_process("bench.roster", env, phase, argument)


async def as_owner(owner_url: str, *statements: str) -> list[Any]:
    """Statements as the owner, inside the large district (RLS is forced on the owner)."""
    conn = await owner_connection(owner_url)
    try:
        async with conn.transaction():
            tenant = str(province_shape()[0].tenant_id)
            await conn.execute("select set_config('app.tenant_id', $1, true)", tenant)
            return [await (conn.fetch if sql.startswith("select") else conn.execute)(sql)
                    for sql in statements]  # fmt: skip
    finally:
        await conn.close()


RESET = """-- the roster of an earlier run: every run imports 40,000 new people
    update org_units set leader_person_id = null; delete from duplicate_dismissals;
    delete from roster_imports; delete from people; delete from org_units;
    delete from audit_events where subject_type in ('person', 'org_unit', 'roster_import')"""


def ensure_people(env: dict[str, str], data_dir: Path) -> None:
    """The large district's roster, imported as this benchmark does, if missing (the
    points and grid benchmarks, and bench.transactions, need its people)."""
    owner = env["DATABASE_OWNER_URL"]
    [rows] = asyncio.run(as_owner(owner, "select count(*) as n from people"))
    if rows[0]["n"]:
        return
    path = data_dir / f"roster-{PEOPLE}.xlsx"
    write_roster(path)
    dry_run = run_phase(env, "dry-run", str(path))
    commit = run_phase(env, "commit", dry_run["import_id"])
    asyncio.run(as_owner(owner, "analyze people"))
    print("roster imported first:", commit["counts"], flush=True)


# --- search through the HTTP stack -------------------------------------------------------


def search(env: dict[str, str], queries: dict[str, list[str]]) -> dict[str, Any]:
    """Sequential GET /people as the admin: the whole page, then the HTMX fragment."""
    modes = {"page": {}, "fragment": {"HX-Request": "true", "HX-Target": "results"}}
    times: dict[str, list[float]] = {}
    found: dict[str, list[int]] = {}
    with app_server(env) as app:
        cookie = session_cookie(app.base, large_district_admin_phone())
        with httpx.Client(base_url=app.base, headers={"Cookie": cookie}) as web:
            for i in range(-3, REQUESTS):  # three rounds to warm up; kinds interleaved
                for (mode, headers), (kind, values) in itertools.product(
                    modes.items(), queries.items()
                ):
                    value = values[i % len(values)]
                    params = {"unit": value} if kind == "branch" else {"q": value} if value else {}
                    response, elapsed = timed_get(
                        web, "/people", params=params, headers=headers, timeout=30
                    )
                    assert response.status_code == 200, (kind, value, response.status_code)
                    if i >= 0:
                        times.setdefault(f"{mode}:{kind}", []).append(elapsed)
                        count = re.findall(r'results-count">\D*(\d+)', response.text)[0]
                        found.setdefault(f"{mode}:{kind}", []).append(int(count))
    results: dict[str, Any] = {
        key: {"found": round(statistics.mean(n))} for key, n in found.items()
    }
    for mode in modes:
        times[f"{mode}:all"] = [t for k, ts in times.items() if k.startswith(mode) for t in ts]
    for key, samples in times.items():
        results.setdefault(key, {}).update(spread(samples))
    return results


# --- the whole benchmark ------------------------------------------------------------------


def run(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    env = {**BENCH_KEYS, **env}
    path = data_dir / f"roster-{PEOPLE}.xlsx"
    results: dict[str, Any] = {"file": write_roster(path)}
    print(f"roster file {path}: {results['file']['mb']} MB in {results['file']['seconds']} s")
    asyncio.run(as_owner(env["DATABASE_OWNER_URL"], RESET))
    results["dry_run"] = run_phase(env, "dry-run", str(path))
    print("dry run:", results["dry_run"])
    results["commit"] = run_phase(env, "commit", results["dry_run"]["import_id"])
    print("commit:", results["commit"])
    first_branches = "select id::text from org_units where kind = 'branch' order by name limit 5"
    # ANALYZE as autovacuum would within a minute; the searches then see fresh statistics
    branches, _ = asyncio.run(as_owner(env["DATABASE_OWNER_URL"], first_branches, "analyze people"))
    samples = results["file"].pop("samples")
    queries = {
        "no filter": [""],
        "pinyin": ["zhang", "wang", "liu", "chen", "zhao"],
        "initials": ["zjg", *samples["initials"][:4]],
        "name": ["建国", "秀英", "志强", "玉兰", "国庆"],
        "phone tail": samples["phone"][:5],
        "ID tail": samples["id"][:5],
        "branch": [row["id"] for row in branches],
    }
    results["search"] = search(env, queries)
    results["explain"] = run_phase(env, "explain", json.dumps(queries))
    return results


def report(results: dict[str, Any]) -> str:
    f, s, e = results["file"], results["search"], results["explain"]
    lines = [f"Roster of {PEOPLE:,} people: .xlsx of {f['mb']} MB, written in {f['seconds']} s",
             "", "| import | wall s | peak RSS MB | rows | where the time goes, s |",
             "|---|---:|---:|---|---|"]  # fmt: skip
    for step in ("dry_run", "commit"):
        r, c = results[step], results[step]["counts"]
        if step == "dry_run":
            rows = f"{c['new']:,} new, {c['error']:,} with problems, {c['suspects']} look-alikes"
        else:
            rows = f"{c['created']:,} people, {c['units']} units created"
        mb = f"{r['peak_mb']['worker']} + {r['peak_mb']['child']} (child)"
        spent = ", ".join(f"{k} {v}" for k, v in r["timings"].items())
        lines.append(f"| {step.replace('_', ' ')} | {r['seconds']} | {mb} | {rows} | {spent} |")
    lines += [
        "",
        f"| GET /people, {REQUESTS} requests each | found | page p50 / p95 / min ms |"
        " HTMX fragment p50 / p95 / min ms | SQL count + page ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in [*e, "all"]:
        page, part, sql = s[f"page:{kind}"], s[f"fragment:{kind}"], e.get(kind, {})
        sql_ms = f"{sql['count_ms']} + {sql['page_ms']}" if sql else ""
        spread = [f"{r['p50_ms']} / {r['p95_ms']} / {r['min_ms']}" for r in (page, part)]
        found = f"{page['found']:,}" if "found" in page else ""
        lines.append(f"| {kind} | {found} | {spread[0]} | {spread[1]} | {sql_ms} |")
    slowest = max(e, key=lambda kind: s[f"page:{kind}"]["p50_ms"])
    lines += ["", "Targets: import steps < 60 s and < 1024 MB each; search p50 < 50 ms.",
              f"Slowest search, {slowest} ({e[slowest]['value']}): EXPLAIN ANALYZE"]  # fmt: skip
    for name in ("count", "page"):
        lines += [f"  -- {name}", *(f"  {line}" for line in e[slowest][f"{name}_plan"])]
    return "\n".join(lines)


def main() -> None:
    run_and_report("roster", run, report)


if __name__ == "__main__":
    main_or_step(main, {phase: functools.partial(_phase, phase)
                        for phase in ("dry-run", "commit", "explain")})  # fmt: skip
