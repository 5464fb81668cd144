"""The forecast process pool: results complete, and workers never outlive a killed run."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from wfm.executors import LocalProcessExecutor

POOL_THEN_SLEEP = (
    "import time\n"
    "from wfm.executors import LocalProcessExecutor\n"
    "list(LocalProcessExecutor(2).map(time.sleep, [120, 120]))\n"
)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        out += [int(x) for x in text]
    return out


def _descendants(pid: int) -> list[int]:
    """Children, grandchildren...: pool workers start from a fork server, a child of the
    run."""
    out: list[int] = []
    for child in _children(pid):
        with contextlib.suppress(FileNotFoundError):
            out += [child, *_descendants(child)]
    return out


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status  # a zombie has died; only its reaping is pending


def test_pool_returns_every_result() -> None:
    assert sorted(LocalProcessExecutor(2).map(abs, [-3, 1, -2, 5, -4])) == [1, 2, 3, 4, 5]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_workers_die_when_the_run_is_killed() -> None:
    proc = subprocess.Popen([sys.executable, "-c", POOL_THEN_SLEEP])
    try:
        deadline = time.monotonic() + 60
        workers: list[int] = []
        while len(workers) < 3 and time.monotonic() < deadline:  # server + 2 workers
            time.sleep(0.2)
            workers = _descendants(proc.pid)
        assert len(workers) >= 2, "the pool never started"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.monotonic() + 20
        while any(_alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not [w for w in workers if _alive(w)], "pool workers outlived the killed run"
    finally:
        if proc.poll() is None:
            proc.kill()


ORPHAN = (
    "import os, sys, time\n"
    "from wfm.executors import die_with_parent\n"
    "started, survived, direct = sys.argv[1], sys.argv[2], sys.argv[3] == 'direct'\n"
    "run = os.getpid()\n"
    "if os.fork() == 0:\n"
    "    open(started, 'w').write(str(os.getpid()))\n"
    "    while os.getppid() == run:\n"  # the run is killed before the initializer runs
    "        time.sleep(0.01)\n"
    "    die_with_parent(run, direct)\n"
    "    open(survived, 'w').write('yes')\n"
    "    os._exit(0)\n"
    "time.sleep(0.3)\n"
    "os._exit(0)\n"
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
@pytest.mark.parametrize("start", ["direct", "forkserver"])
def test_a_worker_whose_run_died_before_its_initializer_exits(tmp_path: Path,
                                                             start: str) -> None:
    started, survived = tmp_path / "started", tmp_path / "survived"
    subprocess.run([sys.executable, "-c", ORPHAN, str(started), str(survived), start],
                   check=True, timeout=60)
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    worker = int(started.read_text())
    while _alive(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(worker)
    assert not survived.exists(), "the orphaned worker went on working"
