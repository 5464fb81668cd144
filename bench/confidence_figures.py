"""Print the confidence-staffing figures of docs/simulation.md.

Run:  nice -n 10 .venv/bin/python bench/confidence_figures.py

The cases of tests/simulation/test_confidence.py (voice Erlang A, chat with 2 slots,
email on the working clock; 4 days, 10 % day-level forecast error): sized for 0.8 with
100 replications (seed 1), checked on 400 independent replications (seed 2).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "simulation"))
from test_confidence import _chat, _email, _voice

from wfm.simulation.centre import SimOptions
from wfm.simulation.confidence import p_target_met, staff_to_confidence


def main() -> None:
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print("| queue | days meeting the target, plain | sized for 0.8 | agent-hours plain | "
          "extra |")
    print("|---|---|---|---|---|")
    for case in (_voice, _chat, _email):
        queue, demand, staff = case()
        sized = staff_to_confidence(queue, demand, staff, 0.8,
                                    SimOptions(replications=100, seed=1, workers=2))
        check = SimOptions(replications=400, seed=2, workers=2)
        p = float(np.nanmean(p_target_met(queue, demand, sized.agents, check)))
        p_plain = float(np.nanmean(p_target_met(queue, demand, sized.plain_agents, check)))
        print(f"| {queue.name} | {p_plain:.3f} | {p:.3f} | {sized.plain_agent_hours:.1f} | "
              f"{sized.extra_agent_hours:+.1f} "
              f"({sized.extra_agent_hours / sized.plain_agent_hours:+.1%}) |")


if __name__ == "__main__":
    main()
