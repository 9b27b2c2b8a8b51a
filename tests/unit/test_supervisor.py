"""`redstar dev`'s supervisor with small fake children: a killed child comes back, a
child that keeps dying waits longer each time (and is forgiven after a minute of
health), and SIGTERM stops everything once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from app.core.outages import backoff
from app.settings import PROJECT_ROOT
from app.supervisor import Child

SLEEPER = [sys.executable, "-c", "import time; time.sleep(60)"]
QUITTER = [sys.executable, "-c", "raise SystemExit(3)"]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def wait_until(condition: object, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_the_delays_double_up_to_a_cap() -> None:
    assert [backoff(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff(3, first=0.5, cap=60) == 2


def test_a_killed_child_is_started_again_after_the_first_delay() -> None:
    said: list[str] = []
    clock = Clock()
    child = Child("worker", SLEEPER, log=said.append, clock=clock)
    child.start()
    try:
        first = child.process
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        wait_until(lambda: first.poll() is not None)
        child.tend()
        assert said == ["worker exited with code -9 after 0.0 s; restarting in 1 s"]
        clock.now += 0.5
        child.tend()
        assert child.process is first  # not yet: the delay has not passed
        clock.now += 0.5
        child.tend()
        assert child.process is not first and child.alive
        assert said[-1] == "restarting worker (restart 1)"
    finally:
        child.terminate()
        child.wait(5)
    assert not child.alive


def test_a_child_that_keeps_dying_waits_longer_and_is_forgiven_after_a_minute() -> None:
    said: list[str] = []
    clock = Clock()
    child = Child("web", QUITTER, log=said.append, clock=clock)
    child.start()
    delays = []
    for _ in range(7):
        assert child.process is not None
        child.process.wait(10)
        child.tend()
        assert child.restart_at is not None
        delays.append(child.restart_at - clock.now)
        clock.now = child.restart_at
        child.tend()  # restarts it
    assert delays == [1, 2, 4, 8, 16, 30, 30]
    assert "exited with code 3" in said[0]
    assert child.process is not None
    child.process.wait(10)
    clock.now += 61  # it "ran" for a minute before this death
    child.tend()
    assert child.restart_at == clock.now + 1


def test_sigterm_stops_every_child_once_and_keeps_nothing_running(tmp_path: Path) -> None:
    """The supervisor in its own process, as `redstar dev` runs it, with two children
    that record their pids and every SIGTERM they get."""
    child_code = textwrap.dedent(
        f"""
        import os, signal, sys, time
        name = sys.argv[1]
        def stop(*_):
            with open({str(tmp_path)!r} + "/" + name + ".terms", "a") as out:
                out.write("term\\n")
            raise SystemExit(0)
        signal.signal(signal.SIGTERM, stop)
        with open({str(tmp_path)!r} + "/" + name + ".pids", "a") as out:
            out.write(f"{{os.getpid()}}\\n")
        while True:
            time.sleep(0.05)
        """
    )
    script = tmp_path / "child.py"
    script.write_text(child_code)
    runner = textwrap.dedent(
        f"""
        import sys
        from app.supervisor import Child, Supervisor
        children = [Child(n, [sys.executable, {str(script)!r}, n], first_delay=0.1)
                    for n in ("web", "worker")]
        Supervisor(children, tick=0.05).run()
        """
    )
    supervisor = subprocess.Popen(
        [sys.executable, "-c", runner], cwd=PROJECT_ROOT, stderr=subprocess.PIPE
    )
    try:
        pids = tmp_path / "worker.pids"
        wait_until(lambda: pids.exists() and pids.read_text().count("\n") == 1)
        os.kill(int(pids.read_text()), signal.SIGKILL)
        wait_until(lambda: pids.read_text().count("\n") == 2)  # it came back
        web = tmp_path / "web.pids"
        assert web.read_text().count("\n") == 1  # the web app was left alone
        supervisor.send_signal(signal.SIGTERM)
        _, err = supervisor.communicate(timeout=20)
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
    assert supervisor.returncode == 0
    log = err.decode()
    assert "worker exited with code -9" in log and "restarting worker (restart 1)" in log
    assert log.count("stopping web, worker") == 1
    assert (tmp_path / "web.terms").read_text() == "term\n"
    assert (tmp_path / "worker.terms").read_text() == "term\n"
    for name in ("web", "worker"):
        last = int((tmp_path / f"{name}.pids").read_text().split()[-1])
        assert not _running(last), name


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still has a pid: only its state says it is gone.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split()[2] != "Z"
