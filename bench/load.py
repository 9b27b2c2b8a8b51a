"""Load and what it costs (bench.harness's other half): wrk against a running server,
one cookie or the next of many per request; the CPU the web server, PostgreSQL, wrk
and everything else spent meanwhile; the server's own `ms=` per request from its log.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import Server, spread


def server_ms(log: Path, start: int, path: str) -> tuple[list[float], dict[str, int]]:
    """The app's own `ms` of the requests to `path` it logged after byte `start` of its
    log (app.web.identity writes one JSON line per request), and their statuses."""
    times: list[float] = []
    statuses: dict[str, int] = {}
    with log.open("rb") as lines:
        lines.seek(start)
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("event") == "request" and entry.get("path", "").rstrip("/") == path:
                times.append(float(entry["ms"]))
                key = str(entry["status"])
                statuses[key] = statuses.get(key, 0) + 1
    return times, statuses


# --- CPU ---------------------------------------------------------------------------------------


def ticks(pid: int, found: dict[int, int] | None = None) -> dict[int, int]:
    """CPU ticks (user + system) of a process and each of its living descendants."""
    found = {} if found is None else found
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        found[pid] = int(fields[11]) + int(fields[12])
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                ticks(int(child), found)
    except (FileNotFoundError, ProcessLookupError):
        pass
    return found


def spent(before: dict[int, int], after: dict[int, int]) -> int:
    """Ticks spent in between by the processes alive at the end (PostgreSQL backends of
    the app's pools live through the run)."""
    return sum(n - before.get(pid, 0) for pid, n in after.items())


def machine() -> tuple[int, int]:
    """(busy, total) ticks of all CPUs."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class CpuWatch:
    """What the web server, PostgreSQL, the client (this process's children: wrk) and
    everything else spent from start() to stop()."""

    web: int
    postgres: int
    started: dict[str, Any] = field(default_factory=dict)

    def start(self) -> None:
        rusage = resource.getrusage(resource.RUSAGE_CHILDREN)  # wrk's, once it has ended
        self.started = {
            "web": ticks(self.web), "postgres": ticks(self.postgres), "machine": machine(),
            "children": rusage.ru_utime + rusage.ru_stime, "at": time.perf_counter(),
        }  # fmt: skip

    def stop(self) -> dict[str, Any]:
        """Percent of one core per process group, and the web server's ticks."""
        s = self.started
        seconds = time.perf_counter() - s["at"]
        web, database = spent(s["web"], ticks(self.web)), spent(s["postgres"], ticks(self.postgres))
        busy, total = (now - then for now, then in zip(machine(), s["machine"], strict=True))
        rusage = resource.getrusage(resource.RUSAGE_CHILDREN)
        per_core = TICK * seconds / 100
        shares = {
            "web": round(web / per_core), "postgres": round(database / per_core),
            "wrk": round((rusage.ru_utime + rusage.ru_stime - s["children"]) / seconds * 100),
        }  # fmt: skip
        all_cores = round(busy / max(1, total) * 100 * (os.cpu_count() or 1))
        shares["other"] = max(0, all_cores - sum(shares.values()))
        return {"shares": shares, "web_ticks": web}


# --- wrk -----------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int


def _wrk_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if match is None:
        raise ValueError(f"unexpected wrk latency {value!r}")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def wrk(url: str, connections: int, duration: int, cookie: str = "") -> WrkResult:
    """wrk with one Cookie header on every request; its own summary, parsed."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", url]
    if cookie:
        command[1:1] = ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout

    def found(pattern: str) -> str:
        match = re.search(pattern, out)
        if match is None:
            raise ValueError(f"no {pattern!r} in wrk's output:\n{out}")
        return match.group(1)

    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return WrkResult(float(found(r"Requests/sec:\s+([\d.]+)")), _wrk_ms(found(r"50%\s+(\S+)")),
                     _wrk_ms(found(r"99%\s+(\S+)")), int(bad.group(1)) if bad else 0)  # fmt: skip


# Each request carries the next of the cookies (one per line of the file args[1]); a
# connection waits args[2]..args[3] ms after a response before asking again.
WRK_COOKIES = """
local cookies = {}
local n = 0
local think_min, think_max = 0, 0
local path = "/"
function init(args)
  for line in io.lines(args[1]) do cookies[#cookies + 1] = line end
  think_min, think_max, path = tonumber(args[2]), tonumber(args[3]), args[4]
end
function delay()
  if think_max > 0 then return math.random(think_min, think_max) end
  return 0
end
function request()
  n = n % #cookies + 1
  return wrk.format("GET", path, {["Cookie"] = cookies[n]})
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('RESULT {"requests": %d, "duration_us": %d, "p50_us": %d,'
    .. ' "p90_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %d,'
    .. ' "non_2xx": %d, "socket_errors": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Load:
    """wrk against one page of a running server, many accounts at once."""

    server: Server
    path: str
    cookies: list[str]
    work_dir: Path
    postgres: int
    warm_up: int = 5  # seconds of wrk before each measured run

    def run(
        self, connections: int, seconds: int, think: tuple[int, int] = (0, 0)
    ) -> dict[str, Any]:
        """`connections` connections for `seconds`, each request with the next cookie,
        each connection waiting `think` (min, max ms) after a page before asking again:
        client percentiles, the server's own `ms=`, CPU per process group and the web
        server's CPU per request."""
        script, jar = self.work_dir / "bench-wrk.lua", self.work_dir / "bench-cookies.txt"
        script.write_text(WRK_COOKIES)
        jar.write_text("\n".join(self.cookies) + "\n")
        try:
            command = ["wrk", "-t1", f"-c{connections}", "--timeout", "20s", "-s", str(script),
                       f"{self.server.base}{self.path}", "--", str(jar), *map(str, think),
                       self.path]  # fmt: skip
            if self.warm_up:
                subprocess.run([*command[:1], f"-d{self.warm_up}s", *command[1:]],
                               capture_output=True, check=True)  # fmt: skip
                self.settle()
            offset = self.server.log_size()
            cpu = CpuWatch(self.server.pid, self.postgres)
            cpu.start()
            out = subprocess.run([*command[:1], f"-d{seconds}s", *command[1:]],
                                 capture_output=True, text=True, check=True).stdout  # fmt: skip
            used = cpu.stop()
        finally:
            jar.unlink(missing_ok=True)  # live sessions: not kept
        found = json.loads(out.split("RESULT ", 1)[1].splitlines()[0])
        times, statuses = ([], {}) if self.server.log is None else server_ms(
            self.server.log, offset, self.path.split("?")[0].rstrip("/")
        )  # fmt: skip
        self.settle()
        return {
            "connections": connections, "seconds": seconds, "requests": found["requests"],
            "rps": round(found["requests"] / (found["duration_us"] / 1e6)),
            **{f"{k}_ms": round(found[f"{k}_us"] / 1000, 1)
               for k in ("p50", "p90", "p95", "p99", "max", "mean")},
            "non_2xx": found["non_2xx"], "socket_errors": found["socket_errors"],
            "server": spread(times) if times else {}, "statuses": statuses,
            "cpu_percent_of_one_core": used["shares"],
            "web_cpu_ms_per_request": round(
                used["web_ticks"] / TICK * 1000 / max(1, found["requests"]), 2
            ),
            "think_ms": list(think),
        }  # fmt: skip

    def settle(self, quiet: float = 3.0, most: float = 120.0) -> None:
        """Wait for the server to answer what wrk left in flight (requests wrk gave up
        on still run): until its log has been still for `quiet` seconds."""
        if self.server.log is None:
            time.sleep(quiet)
            return
        deadline = time.monotonic() + most
        size, since = -1, time.monotonic()
        while time.monotonic() < deadline:
            if (now := self.server.log_size()) != size:
                size, since = now, time.monotonic()
            elif time.monotonic() - since >= quiet:
                return
            time.sleep(0.5)
