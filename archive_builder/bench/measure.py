"""Run one command and measure it: wall time, CPU time, peak memory per process role.

CPU time is the user+sys of the command's whole process tree, read as the
growth of this process's RUSAGE_CHILDREN (a process's reaped descendants are
folded into it, so pool workers and the Pagefind binary are counted), or, when
larger, the sum of the last CPU times seen by polling (a command stopped at
its timeout never reaps its killed workers).  Peak
memory comes from polling the tree with psutil: the command's own process,
the largest other process (pool workers), and any process whose name says
Pagefind, kept apart because the issue's memory targets treat them apart.
Polling every 0.1 s can miss a peak shorter than that.
"""

from __future__ import annotations

import os
import re
import resource
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

POLL_SECONDS = 0.1
_STAGE = re.compile(r"(\w+) ([0-9]+(?:\.[0-9]+)?) s\b")


@dataclass(frozen=True)
class Measurement:
    label: str
    command: tuple[str, ...]
    returncode: int | None           # None: stopped at the timeout
    wall_s: float
    cpu_s: float                     # user + sys of the whole process tree
    peak_main_mb: float              # the command's own process
    peak_other_mb: float             # largest other process (e.g. pool workers), Pagefind aside
    peak_pagefind_mb: float
    peak_tree_mb: float              # largest sum over the tree at one poll
    stages: Mapping[str, float] = field(default_factory=dict)
    load_before: float = 0.0         # 1-minute load average: the machine may be shared
    load_after: float = 0.0
    timeout_s: float | None = None
    stderr_tail: str = ""

    @property
    def finished(self) -> bool:
        return self.returncode == 0


def parse_stages(stderr: str) -> dict[str, float]:
    """The build's 'stages: read 1.20 s, analyse 3.40 s, …' line, as {stage: seconds}."""
    for line in reversed(stderr.splitlines()):
        if line.startswith("stages:"):
            return {name: float(seconds) for name, seconds in _STAGE.findall(line)}
    return {}


def _is_pagefind(proc) -> bool:
    try:
        return "pagefind" in proc.name().lower() or any("pagefind" in part for part in proc.cmdline()[:2])
    except Exception:   # the process ended between listing and asking
        return False


class _Poller(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop = pid, threading.Event()
        self.main = self.other = self.pagefind = self.tree = 0
        self.kinds: dict[int, bool] = {}
        self.cpu: dict[int, float] = {}   # last seen user+sys per process of the tree

    def _seen(self, proc) -> int:
        """The process's RSS, noting its CPU time on the way."""
        with proc.oneshot():
            times = proc.cpu_times()
            self.cpu[proc.pid] = times.user + times.system
            return proc.memory_info().rss

    def run(self) -> None:
        import psutil

        try:
            root = psutil.Process(self.pid)
        except psutil.NoSuchProcess:
            return
        while not self.stop.is_set():
            try:
                main = self._seen(root)
                children = root.children(recursive=True)
            except psutil.Error:
                return
            total = main
            if self.kinds.setdefault(self.pid, False) or _is_pagefind(root):
                self.kinds[self.pid] = True   # `python -m pagefind` execs the binary in its own process
                self.pagefind = max(self.pagefind, main)
            else:
                self.main = max(self.main, main)
            for child in children:
                try:
                    rss = self._seen(child)
                except psutil.Error:
                    continue
                total += rss
                if child.pid not in self.kinds:
                    self.kinds[child.pid] = _is_pagefind(child)
                if self.kinds[child.pid]:
                    self.pagefind = max(self.pagefind, rss)
                else:
                    self.other = max(self.other, rss)
            self.tree = max(self.tree, total)
            self.stop.wait(POLL_SECONDS)


def _mb(n: float) -> float:
    return round(n / 2**20, 1)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_measured(label: str, command: Sequence[str], *, cwd: Path | None = None,
                 env: Mapping[str, str] | None = None, timeout: float | None = None) -> Measurement:
    """Run `command` to the end (or to `timeout`, then kill its process group) and measure it."""
    try:
        import psutil  # noqa: F401  (the poller's; missing, every peak would silently read 0)
    except ImportError:
        raise SystemExit("the benchmark needs psutil to measure memory: pip install psutil") from None
    load_before = os.getloadavg()[0]
    cpu_before = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.Popen(list(command), cwd=cwd, env=dict(env) if env is not None else None,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    poller = _Poller(proc.pid)
    poller.start()
    try:
        _, stderr = proc.communicate(timeout=timeout)
        returncode: int | None = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)   # the whole group: workers and Pagefind too
        _, stderr = proc.communicate()
        returncode = None
    wall = time.perf_counter() - started
    poller.stop.set()
    poller.join()
    return Measurement(
        label=label, command=tuple(command), returncode=returncode, wall_s=round(wall, 2),
        # a stopped command's killed workers are never reaped by it, so RUSAGE_CHILDREN misses
        # them: the polled sum is then the better (lower) bound
        cpu_s=round(max(_children_cpu() - cpu_before, sum(poller.cpu.values())), 2), peak_main_mb=_mb(poller.main),
        peak_other_mb=_mb(poller.other), peak_pagefind_mb=_mb(poller.pagefind), peak_tree_mb=_mb(poller.tree),
        stages=parse_stages(stderr or ""), load_before=round(load_before, 2),
        load_after=round(os.getloadavg()[0], 2), timeout_s=timeout,
        stderr_tail="\n".join((stderr or "").strip().splitlines()[-5:]))
