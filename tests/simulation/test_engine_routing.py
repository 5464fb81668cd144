"""The event loop's routing rules on hand-made contacts (exact times, exact outcomes)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import reduce

import numpy as np

from wfm.simulation.engine import ABANDONED, ANSWERED, WAITING, run_replication


@dataclass
class Out:
    start: np.ndarray
    end: np.ndarray
    agent: np.ndarray
    outcome: np.ndarray
    busy: np.ndarray
    present: np.ndarray
    backlog: np.ndarray


def run(contacts: list[tuple[float, int, float, float]], skills: list[list[int]],
        changes: list[tuple[float, int, int]], *, n_queues: int = 2,
        concurrency: tuple[int, ...] = (1, 1), deferred: tuple[int, ...] = (0, 0),
        open_iq: np.ndarray | None = None, interval_s: float = 100.0,
        n_int: int = 10) -> Out:
    """contacts: (arrival, queue, hold, patience); skills by priority per agent;
    changes: (time, agent, 1 log-in / 0 log-out)."""
    order = sorted(range(len(contacts)), key=lambda i: contacts[i][0])
    assert order == list(range(len(contacts))), "give contacts in arrival order"
    arr = np.array([c[0] for c in contacts], float)
    cq = np.array([c[1] for c in contacts], np.int64)
    hold = np.array([c[2] for c in contacts], float)
    deadline = arr + np.array([c[3] for c in contacts], float)
    members = np.argsort(cq, kind="stable").astype(np.int64)
    offsets = np.r_[0, np.cumsum(np.bincount(cq, minlength=n_queues))].astype(np.int64)
    cap = reduce(math.lcm, concurrency, 1)
    units = np.array([cap // k for k in concurrency], np.int64)
    width = max(len(s) for s in skills)
    sk = np.full((len(skills), width), -1, np.int64)
    for a, s in enumerate(skills):
        sk[a, :len(s)] = s
    lists = [[a for a, s in enumerate(skills) if q in s] for q in range(n_queues)]
    smem = np.array([a for m in lists for a in m], np.int64)
    soff = np.r_[0, np.cumsum([len(m) for m in lists])].astype(np.int64)
    ch = sorted(changes)
    n = len(contacts)
    out = Out(np.empty(n), np.empty(n), np.empty(n, np.int64), np.empty(n, np.int64),
              np.zeros((len(skills), n_int)), np.zeros((len(skills), n_int)),
              np.full((n_queues, n_int), np.nan))
    op = np.ones((n_queues, n_int), np.int64) if open_iq is None else open_iq
    run_replication(arr, hold, deadline, cq, members, offsets, units,
                    np.array(deferred, np.int64), op, interval_s, sk, smem, soff,
                    np.array([c[0] for c in ch], float), np.array([c[1] for c in ch], np.int64),
                    np.array([c[2] for c in ch], np.int64), cap, out.start, out.end, out.agent,
                    out.outcome, out.busy, out.present, out.backlog)
    return out


INF = math.inf


def test_a_free_agent_takes_its_highest_priority_skill_first() -> None:
    # Two contacts wait (q0 at t=1, q1 at t=2); the agent logs in at 5 with q1 first.
    out = run([(1.0, 0, 10.0, INF), (2.0, 1, 10.0, INF)], [[1, 0]], [(5.0, 0, 1)])
    assert out.start.tolist() == [15.0, 5.0]
    assert out.outcome.tolist() == [ANSWERED, ANSWERED]


def test_a_new_contact_goes_to_the_longest_idle_agent() -> None:
    # Agent 1 logs in first (t=0), agent 0 at t=1: the contact at t=10 goes to agent 1;
    # the next one (t=11) to agent 0; a third (t=40) to agent 1, idle since 30.
    out = run([(10.0, 0, 20.0, INF), (11.0, 0, 40.0, INF), (40.0, 0, 5.0, INF)],
              [[0], [0]], [(1.0, 0, 1), (0.0, 1, 1)])
    assert out.agent.tolist() == [1, 0, 1]
    assert out.start.tolist() == [10.0, 11.0, 40.0]


def test_patience_runs_out_while_waiting() -> None:
    # One agent busy 0..50; the second contact (t=1) gives up after 20 s, the third waits.
    out = run([(0.0, 0, 50.0, INF), (1.0, 0, 5.0, 20.0), (2.0, 0, 5.0, 100.0)],
              [[0]], [(0.0, 0, 1)])
    assert out.outcome.tolist() == [ANSWERED, ABANDONED, ANSWERED]
    assert out.end[1] == 21.0
    assert out.start[2] == 50.0


def test_a_break_lets_the_agent_finish_and_takes_no_new_contact() -> None:
    # Break from 30 to 60: the call in hand (0..40) ends, the one at 35 waits till 60.
    out = run([(0.0, 0, 40.0, INF), (35.0, 0, 10.0, INF)], [[0]],
              [(0.0, 0, 1), (30.0, 0, 0), (60.0, 0, 1)], n_int=1)
    assert out.start.tolist() == [0.0, 60.0]
    # Present (logged in, or finishing a call) 0..40 and 60..100; busy 0..40 and 60..70.
    assert out.present.sum() == 80.0
    assert out.busy.sum() == 50.0


def test_chat_slots_share_an_agent_and_block_voice() -> None:
    # Agent with voice (q0) first and chat (q1, 2 slots): two chats at once, the voice
    # call at t=2 waits until both chats end (t=30), although voice has priority.
    out = run([(0.0, 1, 30.0, INF), (1.0, 1, 25.0, INF), (2.0, 0, 10.0, INF)],
              [[0, 1]], [(0.0, 0, 1)], concurrency=(1, 2))
    assert out.start.tolist() == [0.0, 1.0, 30.0]
    # Busy: 1 chat 0-1 (0.5), 2 chats 1-26 (1.0), 1 chat 26-30 (0.5), voice 30-40.
    assert math.isclose(out.busy.sum(), 0.5 + 25.0 + 2.0 + 10.0)


def test_deferred_work_waits_for_opening_hours_oldest_first() -> None:
    # Queue 1 is deferred and opens in interval 2 (t=200); the agent is idle from 0.
    open_iq = np.ones((2, 10), np.int64)
    open_iq[1, :2] = 0
    out = run([(10.0, 1, 30.0, INF), (20.0, 1, 30.0, INF), (150.0, 0, 5.0, INF)],
              [[1, 0]], [(0.0, 0, 1)], deferred=(0, 1), open_iq=open_iq)
    assert out.start.tolist() == [200.0, 230.0, 150.0]
    # Open items at the end of intervals 0..2: both wait through 0 and 1, done by 260.
    assert out.backlog[1, :3].tolist() == [2.0, 2.0, 0.0]
    assert np.isnan(out.backlog[0]).all()


def test_contacts_left_at_the_horizon() -> None:
    # Nobody logs in: a patient contact is still waiting, an impatient one abandoned.
    out = run([(10.0, 0, 5.0, INF), (20.0, 0, 5.0, 30.0)], [[0]], [], n_int=1)
    assert out.outcome.tolist() == [WAITING, ABANDONED]
    assert np.isnan(out.start).all()
