"""Task functions for the executor tests (importable by worker processes)."""

from __future__ import annotations

import os
import signal
from pathlib import Path


def square(x: int) -> int:
    return x * x


def die_once(arg: tuple[str, int]) -> int:
    """Kills its own worker process the first time it runs for this marker, then works
    (an empty marker: never dies)."""
    marker, x = arg
    path = Path(marker)
    if marker and not path.exists():
        path.write_text("died once")
        os.kill(os.getpid(), signal.SIGKILL)
    return x * x


def always_die(arg: tuple[str, int]) -> int:
    os.kill(os.getpid(), signal.SIGKILL)
    return arg[1]


def refuse(x: int) -> int:
    raise ValueError(f"bad item {x}")
