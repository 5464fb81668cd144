"""Scheduling per independent group of agents through the executor seam: the groups are
the connected components of the agent-queue skill graph, and the merged roster is the same
byte for byte whether the groups run in this process, in local worker processes or on a
Dask LocalCluster."""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from wfm.pipeline import ScheduleRequest, open_project, schedule
from wfm.pipeline.execution import Execution, ExecutorChoice
from wfm.pipeline.roster_check_job import check_schedule
from wfm.pipeline.schedule_tasks import agent_groups
from wfm.pipeline.simulate_job import SimulateRequest, simulate
from wfm.scheduling.agents import Agent

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "pipeline"))
from pipeline_project import make_project

WEEK = date(2026, 11, 16)
HEADER = ("agent_id,name,team,site,skills,min_hours_week,max_hours_week,min_days_week,"
          "max_days_week,shift_lengths_h,earliest_start,latest_end,time_off,availability,"
          "preferred_start,preferred_days_off\n")
#: Two sites in one file: Lyon on voice_fr, Lille on voice_en; no agent has both.
AGENTS = HEADER + "".join(
    f"{aid},Agent {aid},Team,{site},{queue}:1,35,37.5,5,5,8,07:00,21:00,,,,\n"
    for aid, site, queue in [("L1", "Lyon", "voice_fr"), ("N1", "Lille", "voice_en"),
                             ("L2", "Lyon", "voice_fr"), ("N2", "Lille", "voice_en"),
                             ("L3", "Lyon", "voice_fr"), ("N3", "Lille", "voice_en")])


def _agent(aid: str, *queues: str) -> Agent:
    return Agent(agent_id=aid, name=aid, team="", skills=dict.fromkeys(queues, 1),
                 min_hours_week=0, max_hours_week=40, min_days_week=0, max_days_week=5)


def test_groups_are_the_connected_components_of_the_skill_graph() -> None:
    agents = [_agent("a", "q1"), _agent("b", "q2"), _agent("c", "q3", "q2"),
              _agent("d", "q4"), _agent("e", "q1"), _agent("f", "unrequired")]
    groups = agent_groups(agents, ["q1", "q2", "q3", "q4", "nobody"])
    # c bridges q2 and q3; f has no required skill and the uncovered queue "nobody" has
    # no agent: both join the first group, as one run would roster them.
    assert [(g.members, g.queues) for g in groups] == [
        ((0, 4, 5), ("nobody", "q1")), ((1, 2), ("q2", "q3")), ((3,), ("q4",))]
    bridged = agent_groups([*agents, _agent("g", "q4", "q1")], ["q1", "q2", "q3", "q4"])
    assert [g.members for g in bridged] == [(0, 3, 4, 5, 6), (1, 2)]


def _requirements() -> str:
    """Two agents on each queue from 09:00 to 17:00 local, every day of the week."""
    zone = ZoneInfo("Europe/Paris")
    rows = ["queue,channel,interval_start,offered,aht_s,agents_productive,agents_required"]
    for queue in ("voice_en", "voice_fr"):
        for day in range(7):
            start = datetime(2026, 11, 16, tzinfo=zone) + timedelta(days=day)
            for k in range(96):
                t = start + timedelta(minutes=15 * k)
                need = 2 if 9 <= t.hour < 17 else 0
                rows.append(f"{queue},voice,{t.isoformat()},{10 * need},300,{need},{need}")
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = make_project(tmp_path_factory.mktemp("groups") / "centre")
    (root / "sample" / "agents.csv").write_text(AGENTS, encoding="utf-8")
    (root / "requirements.csv").write_text(_requirements(), encoding="utf-8")
    return root


def _schedule(project: Path, execution: Execution | ExecutorChoice) -> Path:
    request = ScheduleRequest(requirements=project / "requirements.csv",
                              agents=project / "sample" / "agents.csv", week=WEEK,
                              allow_understaffing=True)
    lines: list[str] = []
    outcome = schedule(open_project(project / "wfm.toml"), request, execution=execution,
                       progress=lines.append)
    assert outcome.schedule.summary.groups == 2
    assert any(line.startswith("agent group 2 of 2 (3 agents; queues voice_en)")
               for line in lines), lines
    return outcome.folder


@pytest.fixture(scope="module")
def in_process(project: Path) -> Path:
    """The groups one after another in this process (one local worker)."""
    return _schedule(project, Execution(local_workers=1))


FILES = ("roster.csv", "agent_intervals.csv", "coverage.csv")


def test_the_merged_roster_is_one_valid_roster_of_both_groups(project: Path,
                                                              in_process: Path) -> None:
    roster = pd.read_csv(in_process / "roster.csv", dtype=str)
    # Every agent of the file, in the file's order, seven days each.
    assert list(dict.fromkeys(roster["agent_id"])) == ["L1", "N1", "L2", "N2", "L3", "N3"]
    assert (roster.groupby("agent_id").size() == 7).all()
    coverage = pd.read_csv(in_process / "coverage.csv")
    assert sorted(coverage["queue"].unique()) == ["voice_en", "voice_fr"]
    # Each queue's coverage is worked by its own site only.
    intervals = pd.read_csv(in_process / "agent_intervals.csv", dtype=str)
    work = intervals[intervals["activity"] == "work"]
    assert set(work[work["agent_id"].str.startswith("L")]["queue"]) == {"voice_fr"}
    assert set(work[work["agent_id"].str.startswith("N")]["queue"]) == {"voice_en"}
    # The independent checker finds no broken rule in the merged roster.
    check = check_schedule(open_project(project / "wfm.toml"), in_process,
                           agents=project / "sample" / "agents.csv")
    assert check.violations == 0, check.report


def test_local_worker_processes_give_the_same_roster_byte_for_byte(
        project: Path, in_process: Path) -> None:
    pooled = _schedule(project, Execution(local_workers=2))
    assert pooled != in_process
    for name in FILES:
        assert (pooled / name).read_bytes() == (in_process / name).read_bytes(), name


def test_a_dask_local_cluster_gives_the_same_roster_byte_for_byte(
        project: Path, in_process: Path) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    on_dask = _schedule(project, ExecutorChoice("dask"))
    for name in FILES:
        assert (on_dask / name).read_bytes() == (in_process / name).read_bytes(), name
    assert '"executor": "dask"' in (on_dask / "manifest.json").read_text(encoding="utf-8")


def test_simulating_the_roster_on_dask_gives_the_local_tables(in_process: Path,
                                                              project: Path) -> None:
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    request = SimulateRequest(roster=in_process, replications=6, seed=3, by="interval")
    centre = open_project(project / "wfm.toml")
    local = simulate(centre, request, execution=ExecutorChoice("local")).report().frame
    on_dask = simulate(centre, request, execution=ExecutorChoice("dask")).report().frame
    assert len(local) > 0
    pd.testing.assert_frame_equal(on_dask, local)
