"""`redstar dev`'s supervisor: the web app and the worker as child processes, each
restarted when it dies, while the rest keeps running.

A child that exits is started again after 1 s, then 2 s, 4 s … at most 30 s if it
keeps dying; once it has run for a minute its next death waits 1 s again. Each exit
and restart is logged. Ctrl-C or SIGTERM stops every child exactly once (SIGTERM,
then SIGKILL after 15 s). Production has systemd for this (infra/systemd).
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from app.core.outages import backoff

HEALTHY_AFTER = 60.0
"""A child that has run this long is healthy: its next restart waits the first delay."""
STOP_WAIT = 15.0


def say(line: str) -> None:
    print(f"[redstar dev] {line}", file=sys.stderr, flush=True)


class Child:
    """One supervised process: started, and started again with backoff when it dies."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        *,
        first_delay: float = 1.0,
        max_delay: float = 30.0,
        healthy_after: float = HEALTHY_AFTER,
        log: Callable[[str], None] = say,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.first_delay, self.max_delay, self.healthy_after = first_delay, max_delay, healthy_after
        self.log = log
        self.clock = clock
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.deaths = 0
        """Deaths in a row, each after less than `healthy_after` of running."""
        self.restart_at: float | None = None
        self.restarts = 0

    def start(self) -> None:
        # Its own session: Ctrl-C in the terminal reaches only the supervisor, which
        # then stops each child once (a child would otherwise get SIGINT twice).
        self.process = subprocess.Popen(self.command, start_new_session=True)
        self.started_at = self.clock()
        self.restart_at = None

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def tend(self) -> None:
        """Called in the supervisor's loop: notice a death, restart when it is time."""
        now = self.clock()
        if self.restart_at is not None:
            if now >= self.restart_at:
                self.restarts += 1
                self.log(f"restarting {self.name} (restart {self.restarts})")
                self.start()
            return
        if self.process is None or self.alive:
            return
        ran = now - self.started_at
        self.deaths = 1 if ran >= self.healthy_after else self.deaths + 1
        delay = backoff(self.deaths, first=self.first_delay, cap=self.max_delay)
        self.restart_at = now + delay
        self.log(
            f"{self.name} exited with code {self.process.returncode} after {ran:.1f} s; "
            f"restarting in {delay:g} s"
        )

    def terminate(self) -> None:
        if self.alive:
            assert self.process is not None
            self.process.terminate()
        self.restart_at = None

    def wait(self, timeout: float) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.log(f"{self.name} did not stop in {timeout:g} s; killing it")
            self.process.kill()
            self.process.wait()


class Supervisor:
    """Runs children until SIGINT or SIGTERM, then stops them once."""

    def __init__(self, children: Sequence[Child], *, tick: float = 0.3) -> None:
        self.children = list(children)
        self.tick = tick
        self.stopping = False

    def request_stop(self, *_: object) -> None:
        self.stopping = True

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self.request_stop)
        signal.signal(signal.SIGINT, self.request_stop)
        try:
            for child in self.children:
                child.start()
            while not self.stopping:
                for child in self.children:
                    child.tend()
                time.sleep(self.tick)
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C: still once
            self.stop()

    def stop(self) -> None:
        say("stopping " + ", ".join(child.name for child in self.children) + "…")
        for child in self.children:
            child.terminate()
        for child in self.children:
            child.wait(STOP_WAIT)
