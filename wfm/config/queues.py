"""[[queues]]: one table per queue with its channel, service target and handling facts."""

from __future__ import annotations

from dataclasses import dataclass

from wfm.config._reader import TableReader
from wfm.config.site import OpeningHours, read_opening_hours
from wfm.errors import ConfigError
from wfm.schema import CHANNELS, COLD_CHANNELS, CONCURRENT_CHANNELS
from wfm.staffing.deferred import RESPONSE_CLOCKS


@dataclass(frozen=True)
class QueueConfig:
    """One queue. Hot channels carry a service-level target (``sl_target`` within
    ``sl_threshold_s``); cold channels a response-time target (``response_target`` within
    ``response_time_h``, counted on the ``response_clock``: "calendar" elapsed hours or
    "working" hours of the queue's opening hours). ``confidence`` overrides
    ``[staffing] confidence`` for this queue.
    """

    name: str
    channel: str
    aht_s: float
    sl_target: float | None = None
    sl_threshold_s: float | None = None
    max_asa_s: float | None = None
    max_abandon_rate: float | None = None
    response_target: float | None = None
    response_time_h: float | None = None
    response_clock: str = "calendar"
    patience_s: float | None = None
    concurrency: int = 1
    opening_hours: OpeningHours | None = None  # None: the site's hours
    confidence: float | None = None  # None: [staffing] confidence

    @property
    def is_deferred(self) -> bool:
        return self.channel in COLD_CHANNELS


def read_queue(t: TableReader) -> QueueConfig:
    name = t.str("name")
    channel = t.str("channel", "voice", choices=CHANNELS)
    cold = channel in COLD_CHANNELS
    aht_s = t.number("aht_s", 300.0 if not cold else 600.0, low=0.0, low_open=True)
    sl_target = t.number("sl_target", None if cold else 0.8, low=0.0, high=1.0,
                         low_open=True, high_open=True)
    sl_threshold_s = t.number("sl_threshold_s", None if cold else 20.0, low=0.0)
    max_asa_s = t.number("max_asa_s", None, low=0.0, low_open=True)
    max_abandon = t.number("max_abandon_rate", None, low=0.0, high=1.0,
                           low_open=True, high_open=True)
    response_target = t.number("response_target", 0.9 if cold else None, low=0.0, high=1.0,
                               low_open=True)
    response_time_h = t.number("response_time_h", 24.0 if cold else None, low=0.0,
                               low_open=True)
    response_clock = t.str("response_clock", "calendar", choices=RESPONSE_CLOCKS)
    patience_s = t.number("patience_s", None, low=0.0, low_open=True)
    concurrency = t.number("concurrency", 1, low=1, integer=True)
    confidence = t.number("confidence", None, low=0.0, high=1.0, low_open=True,
                          high_open=True)
    hours_t = t.table("opening_hours")
    hours = read_opening_hours(hours_t) if hours_t.raw else None
    t.finish()
    if concurrency > 1 and channel not in CONCURRENT_CHANNELS:
        raise t.fail("concurrency", concurrency,
                     f"1 for channel {channel!r} (concurrency > 1 is for chat and messaging)")
    if cold and sl_target is not None and "response_target" not in t.raw:
        raise ConfigError(
            f"{t.source}: [{t.where}] queue {name!r} is a {channel} (deferred) queue: give "
            f"response_target and response_time_h instead of sl_target"
        )
    return QueueConfig(name, channel, aht_s, sl_target, sl_threshold_s, max_asa_s, max_abandon,
                       response_target, response_time_h, response_clock, patience_s,
                       concurrency, hours, confidence)


def read_queues(tables: list[TableReader], source: str) -> tuple[QueueConfig, ...]:
    queues = tuple(read_queue(t) for t in tables)
    seen: set[str] = set()
    for q in queues:
        if q.name in seen:
            raise ConfigError(f"{source}: queue name {q.name!r} appears twice in [[queues]]; "
                              "queue names must be unique")
        seen.add(q.name)
    return queues
