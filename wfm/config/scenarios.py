"""[[scenarios]]: what-if staffing assumptions compared with the baseline by `wfm what-if`.

A scenario changes the staffing inputs of the queues in ``queues`` (default: every queue)
and, in ``[scenarios.by_queue.NAME]`` tables, of single queues (those win)::

    [[scenarios]]
    name = "peak"
    description = "10 % more contacts, 90/20 on voice_fr"
    volume = "+10%"
    [scenarios.by_queue.voice_fr]
    sl_target = 0.90
    confidence = 0.9          # staffed to a 90 % chance of meeting it

A scenario-wide key applies to the queues whose channel it fits (``sl_target`` to hot
queues, ``response_target`` to deferred ones, ``concurrency`` to chat and messaging) and
must fit at least one; a ``by_queue`` key must fit its queue.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from wfm.config._reader import TableReader
from wfm.config.queues import QueueConfig
from wfm.errors import ConfigError
from wfm.forecasting.adjustments import Change, parse_change
from wfm.schema import COLD_CHANNELS, CONCURRENT_CHANNELS, HOT_CHANNELS

BASELINE = "baseline"
#: The channels each change fits (every channel when absent).
_FITS: dict[str, frozenset[str]] = {
    "sl_target": HOT_CHANNELS, "sl_threshold_s": HOT_CHANNELS, "patience_s": HOT_CHANNELS,
    "max_occupancy": HOT_CHANNELS, "concurrency": CONCURRENT_CHANNELS,
    "response_target": COLD_CHANNELS, "response_time_h": COLD_CHANNELS,
}


@dataclass(frozen=True)
class QueueChanges:
    """What a scenario changes for one queue; ``None`` keeps the baseline's value.

    ``volume``: a factor of the forecast volume; ``aht``: a factor of the forecast AHT or
    an absolute AHT [s]; the targets as in [[queues]]; ``shrinkage`` [0-1] replaces the
    whole [staffing] shrinkage profile (weekday values and bands) for the queue;
    ``max_occupancy`` (0-1] the occupancy cap; ``confidence`` (0-1) staffs the queue to
    that probability of meeting its target, as ``wfm staff --confidence`` does.
    """

    volume: Change | None = None
    aht: Change | None = None
    sl_target: float | None = None
    sl_threshold_s: float | None = None
    response_target: float | None = None
    response_time_h: float | None = None
    patience_s: float | None = None
    concurrency: int | None = None
    shrinkage: float | None = None
    max_occupancy: float | None = None
    confidence: float | None = None

    def set_keys(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]

    def over(self, base: QueueChanges) -> QueueChanges:
        """These changes, falling back to ``base`` where they say nothing."""
        return dataclasses.replace(base, **{k: getattr(self, k) for k in self.set_keys()})

    def fitting(self, channel: str) -> QueueChanges:
        """Only the changes that fit a queue of ``channel``."""
        return QueueChanges(**{k: getattr(self, k) for k in self.set_keys()
                               if channel in _FITS.get(k, frozenset({channel}))})

    def describe(self) -> str:
        """``volume +10%, sl_target 0.9``."""
        parts = []
        for key in self.set_keys():
            value = getattr(self, key)
            parts.append(f"{'aht_s' if key == 'aht' else key} "
                         f"{value.text if isinstance(value, Change) else f'{value:g}'}")
        return ", ".join(parts)


@dataclass(frozen=True)
class ScenarioConfig:
    """One named scenario: scenario-wide ``changes`` for the queues in ``queues`` (empty:
    every queue) and per-queue ``by_queue`` changes, which win."""

    name: str
    description: str = ""
    queues: tuple[str, ...] = ()
    changes: QueueChanges = QueueChanges()
    by_queue: tuple[tuple[str, QueueChanges], ...] = ()

    def changes_for(self, queue: str, channel: str) -> QueueChanges:
        """What this scenario changes for ``queue`` (a queue of ``channel``)."""
        base = (self.changes if not self.queues or queue in self.queues
                else QueueChanges()).fitting(channel)
        own = dict(self.by_queue).get(queue)
        return base if own is None else own.over(base)


def _volume(v: Any) -> Change:
    change = parse_change(v) if isinstance(v, str) else None
    if change is None or change.is_absolute:
        raise ValueError(v)
    return change


def _aht(v: Any) -> Change:
    return parse_change(v, aht=True)


def read_changes(t: TableReader) -> QueueChanges:
    """The change keys of a scenario (or of one of its ``by_queue`` tables)."""
    return QueueChanges(
        volume=t.value("volume", None, convert=_volume,
                       accepted="a change such as +10%, -5% or x1.1"),
        aht=t.value("aht_s", None, convert=_aht,
                    accepted="a change such as +10% or x1.1, or a handle time in seconds"),
        sl_target=t.number("sl_target", None, low=0.0, high=1.0, low_open=True,
                           high_open=True),
        sl_threshold_s=t.number("sl_threshold_s", None, low=0.0),
        response_target=t.number("response_target", None, low=0.0, high=1.0, low_open=True),
        response_time_h=t.number("response_time_h", None, low=0.0, low_open=True),
        patience_s=t.number("patience_s", None, low=0.0, low_open=True),
        concurrency=t.number("concurrency", None, low=1, integer=True),
        shrinkage=t.fraction("shrinkage", None),
        max_occupancy=t.number("max_occupancy", None, low=0.0, high=1.0, low_open=True),
        confidence=t.number("confidence", None, low=0.0, high=1.0, low_open=True,
                            high_open=True),
    )


def read_scenario(t: TableReader, queues: tuple[QueueConfig, ...]) -> ScenarioConfig:
    """One scenario table, checked against the queues of wfm.toml."""
    channels = {q.name: q.channel for q in queues}
    accepted_queues = f"queues of [[queues]]: {', '.join(channels) or '(none)'}"
    name = t.str("name")
    description = t.str("description", "")
    scope = t.str_list("queues", ())
    changes = read_changes(t)
    by_queue_t = t.table("by_queue")
    t.finish()
    if name == BASELINE:
        raise t.fail("name", name, f"a name other than {BASELINE!r} (the baseline's rows)")
    for queue in scope:
        if queue not in channels:
            raise t.fail("queues", list(scope), accepted_queues)
    in_scope = [q for q in channels if not scope or q in scope]
    for key in changes.set_keys():
        fits = _FITS.get(key)
        if fits is not None and not any(channels[q] in fits for q in in_scope):
            shown = "aht_s" if key == "aht" else key
            raise t.fail(shown, getattr(changes, key), "a key that fits one of its queues "
                         f"({', '.join(in_scope)}): {shown} is for {_channels(fits)} queues")
    by_queue: list[tuple[str, QueueChanges]] = []
    for queue in by_queue_t.raw:
        if queue not in channels:
            raise ConfigError(f"{t.source}: [{t.where}.by_queue] {queue!r} is not valid; "
                              f"accepted: {accepted_queues}")
        qt = by_queue_t.table(queue)
        own = read_changes(qt)
        qt.finish()
        for key in own.set_keys():
            fits = _FITS.get(key)
            if fits is not None and channels[queue] not in fits:
                shown = "aht_s" if key == "aht" else key
                raise qt.fail(shown, getattr(own, key), f"keys that fit a {channels[queue]} "
                              f"queue ({shown} is for {_channels(fits)} queues)")
        by_queue.append((queue, own))
    if not changes.set_keys() and not any(own.set_keys() for _, own in by_queue):
        raise ConfigError(f"{t.source}: [{t.where}] scenario {name!r} changes nothing; "
                          "accepted: at least one of volume, aht_s, sl_target, "
                          "sl_threshold_s, response_target, response_time_h, patience_s, "
                          "concurrency, shrinkage, max_occupancy, confidence")
    return ScenarioConfig(name, description, scope, changes, tuple(by_queue))


def _channels(fits: frozenset[str]) -> str:
    return "/".join(sorted(fits))


def read_scenarios(tables: list[TableReader], queues: tuple[QueueConfig, ...]
                   ) -> tuple[ScenarioConfig, ...]:
    out: list[ScenarioConfig] = []
    for t in tables:
        scenario = read_scenario(t, queues)
        if any(s.name == scenario.name for s in out):
            raise t.fail("name", scenario.name, "a name no other scenario has")
        out.append(scenario)
    return tuple(out)


def scenario_from_values(values: Mapping[str, Any], queues: tuple[QueueConfig, ...], *,
                         name: str, source: str) -> ScenarioConfig:
    """A scenario from plain values (the command line's), checked as a [[scenarios]]
    table of wfm.toml is."""
    return read_scenario(TableReader({"name": name, **values}, "options", source), queues)
