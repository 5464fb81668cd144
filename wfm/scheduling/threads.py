"""Independent sub-problems side by side (stage (b)'s groups, stage (c)'s days).

Each task is a pure function of its inputs with its own deterministic solver budget, and
the results come back in the order of the inputs, so the number of threads changes how
long a run takes, never what it finds. CP-SAT releases the GIL while it solves.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


def map_ordered(fn: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """``[fn(x) for x in items]``, on up to ``workers`` threads."""
    if workers <= 1 or len(items) <= 1:
        return [fn(x) for x in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(fn, items))
