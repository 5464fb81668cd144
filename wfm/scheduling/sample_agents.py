"""A realistic, seeded agents file for the sample centre (``wfm init``, ``make demo``).

Full-time (35 h, five 8-hour days) and part-time contracts (24 h on 6-hour days, 20 h
on 4-hour days), most agents on one queue with some holding two or three skills, a few
late-only or weekday-only availabilities and some days of leave in the weeks after the
sample history ends; start dates (tenure) and weekly contract hours for capacity plans.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from wfm.outputs import atomic_write_text

FIRST_NAMES: tuple[str, ...] = (
    "Camille", "Léa", "Hugo", "Louis", "Chloé", "Emma", "Lucas", "Manon", "Nathan", "Inès",
    "Jules", "Sarah", "Adam", "Zoé", "Raphaël", "Alice", "Tom", "Lina", "Noah", "Julie",
    "Arthur", "Eva", "Théo", "Clara", "Malik", "Amira", "Paul", "Yasmine", "Olivia", "Sami",
)
LAST_NAMES: tuple[str, ...] = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "Andre", "Mercier", "Dupont", "Lambert",
)
# contract name -> (share, min_h, max_h, min_days, max_days, shift lengths)
CONTRACTS: dict[str, tuple[float, float, float, int, int, str]] = {
    "full_time": (0.6, 35.0, 37.5, 5, 5, "8"),
    "part_time_24": (0.25, 20.0, 24.0, 4, 4, "6"),
    "part_time_20": (0.15, 16.0, 20.0, 4, 5, "4"),
}
#: Weekly contract hours of each contract (the agents file's contract_hours_week).
CONTRACT_HOURS: dict[str, float] = {"full_time": 35.0, "part_time_24": 24.0,
                                    "part_time_20": 20.0}
# Tenure on the first day: (share, fewest days, most days) - a few newcomers, some in
# their first year, most with one to ten years.
TENURES: tuple[tuple[float, int, int], ...] = ((0.12, 14, 90), (0.2, 90, 365),
                                               (0.68, 365, 3650))
SAMPLE_FIRST_DAY = date(2026, 11, 16)  # the Monday after the sample history ends
# Share of the required agent-hours of a sample week per queue (``wfm staff`` on the
# sample): agents' primary skills follow it, so no queue is short of people by design.
SAMPLE_WORKLOAD: dict[str, float] = {
    "voice_fr": 0.49, "voice_en": 0.18, "chat_fr": 0.24, "email_fr": 0.09}
SAMPLE_AGENTS = 100  # enough for the sample's ~2,450 required agent-hours a week


def generate_sample_agents(queues: Sequence[tuple[str, str]], n_agents: int = SAMPLE_AGENTS,
                           seed: int = 7, *, first_day: date = SAMPLE_FIRST_DAY,
                           weeks: int = 6,
                           workload: Mapping[str, float] | None = None) -> pd.DataFrame:
    """An agents frame in the agents-file format (docs/scheduling-rules.md).

    Parameters
    ----------
    queues
        ``(queue name, channel)`` pairs of the centre; the first is the busiest.
    n_agents
        Number of agents.
    seed
        Random seed: same seed, same file.
    first_day, weeks
        Leave is drawn within ``weeks`` weeks from ``first_day``.
    workload
        Share of the work per queue name, which primary skills follow; queues not in it
        (and every queue without it) get 1/rank, the first being the busiest.
    """
    if not queues:
        raise ValueError("generate_sample_agents needs at least one queue")
    rng = np.random.default_rng(seed)
    names = [q for q, _ in queues]
    shares = workload or {}
    weights = np.array([shares.get(q, 1.0 / (i + 1)) for i, q in enumerate(names)])
    weights /= weights.sum()
    kinds = list(CONTRACTS)
    contract_shares = np.array([CONTRACTS[k][0] for k in kinds])
    # Tenure from a stream of its own: the other columns stay what they were before it.
    tenure_rng = np.random.default_rng([seed, 21])
    tenure_kind = tenure_rng.choice(len(TENURES), size=n_agents,
                                    p=[t[0] for t in TENURES])
    rows = []
    for i in range(n_agents):
        kind = kinds[int(rng.choice(len(kinds), p=contract_shares))]
        _, min_h, max_h, min_d, max_d, lengths = CONTRACTS[kind]
        primary = int(rng.choice(len(names), p=weights))
        n_skills = int(rng.choice([1, 2, 3], p=[0.6, 0.3, 0.1])) if len(names) > 1 else 1
        others = [j for j in rng.permutation(len(names)) if j != primary][: n_skills - 1]
        skills = ";".join([f"{names[primary]}:1"]
                          + [f"{names[j]}:{k + 2}" for k, j in enumerate(others)])
        availability = ""
        roll = rng.random()
        if roll < 0.1:
            availability = "mon-fri 08:00-20:00; sat off; sun off"
        elif roll < 0.18:
            availability = "mon-sat 12:00-20:00"
        time_off = ""
        if rng.random() < 0.25:
            start = first_day + timedelta(days=int(rng.integers(0, 7 * weeks - 3)))
            length = int(rng.integers(1, 4))
            time_off = (start.isoformat() if length == 1 else
                        f"{start}..{start + timedelta(days=length - 1)}")
        preferred_off = "sat;sun" if rng.random() < 0.3 else ""
        rows.append({
            "agent_id": f"A{i + 1:03d}",
            "name": f"{FIRST_NAMES[int(rng.integers(len(FIRST_NAMES)))]} "
                    f"{LAST_NAMES[int(rng.integers(len(LAST_NAMES)))]}",
            "team": f"Team {'ABC'[i % 3]}",
            "site": "Lyon",
            "skills": skills,
            "min_hours_week": min_h,
            "max_hours_week": max_h,
            "min_days_week": min_d,
            "max_days_week": max_d,
            "shift_lengths_h": lengths,
            "earliest_start": "08:00",
            "latest_end": "20:00",
            "time_off": time_off,
            "availability": availability,
            "preferred_start": "" if rng.random() < 0.7 else f"{int(rng.integers(8, 12)):02d}:00",
            "preferred_days_off": preferred_off,
            "start_date": (first_day - timedelta(days=int(tenure_rng.integers(
                TENURES[tenure_kind[i]][1], TENURES[tenure_kind[i]][2])))).isoformat(),
            "contract_hours_week": CONTRACT_HOURS[kind],
        })
    return pd.DataFrame(rows)


def write_sample_agents(path: Path, queues: Sequence[tuple[str, str]],
                        n_agents: int = SAMPLE_AGENTS, seed: int = 7,
                        workload: Mapping[str, float] | None = None) -> Path:
    """Write :func:`generate_sample_agents` to ``path`` (CSV, atomically)."""
    frame = generate_sample_agents(queues, n_agents, seed, workload=workload)
    atomic_write_text(path, frame.to_csv(index=False, lineterminator="\n"))
    return path
