"""The resolved configuration: wfm.toml read once into frozen, validated objects."""

from __future__ import annotations

import dataclasses
import difflib
import tomllib
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from wfm.config._reader import TableReader
from wfm.config.data import DataConfig, read_data
from wfm.config.forecasting import ForecastingConfig, read_forecasting
from wfm.config.paths import PathsConfig, read_paths
from wfm.config.plan import PlanConfig, read_plan
from wfm.config.queues import QueueConfig, read_queues
from wfm.config.run import RunConfig, read_run
from wfm.config.scenarios import ScenarioConfig, read_scenarios
from wfm.config.scheduling import SchedulingConfig, read_scheduling
from wfm.config.site import SiteConfig, read_site
from wfm.config.sites import SiteEntry, read_sites
from wfm.config.staffing import StaffingConfig, read_staffing
from wfm.errors import ConfigError

CONFIG_NAME = "wfm.toml"


@dataclass(frozen=True)
class Config:
    """Everything wfm.toml says, with defaults filled in and paths made absolute."""

    path: Path
    site: SiteConfig
    data: DataConfig
    queues: tuple[QueueConfig, ...]
    staffing: StaffingConfig
    scheduling: SchedulingConfig
    forecasting: ForecastingConfig
    paths: PathsConfig
    run: RunConfig = field(default_factory=RunConfig)
    plan: PlanConfig = field(default_factory=PlanConfig)
    extra: dict[str, Any] = field(default_factory=dict)
    scenarios: tuple[ScenarioConfig, ...] = ()
    sites: tuple[SiteEntry, ...] = ()

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def scenario(self, name: str) -> ScenarioConfig:
        for s in self.scenarios:
            if s.name == name:
                return s
        known = ", ".join(s.name for s in self.scenarios) or "(none)"
        raise ConfigError(f"{self.path}: scenario {name!r} is not in [[scenarios]]; "
                          f"known: {known}")

    def queue(self, name: str) -> QueueConfig:
        for q in self.queues:
            if q.name == name:
                return q
        known = ", ".join(q.name for q in self.queues) or "(none)"
        raise ConfigError(f"{self.path}: queue {name!r} is not in [[queues]]; known: {known}")

    def to_dict(self) -> dict[str, Any]:
        """A plain, JSON-ready view of the resolved configuration (for `wfm config show`)."""
        out = _plain(dataclasses.asdict(self))
        assert isinstance(out, dict)
        out.pop("extra", None)
        out["scheduling"] = self.scheduling.to_dict()  # its wfm.toml keys
        # asdict flattens OpeningHours into raw tuples; show the 'mon = 08:00-20:00' form.
        out["site"]["opening_hours"] = self.site.opening_hours.describe()
        for q_out, q in zip(out["queues"], self.queues, strict=True):
            q_out["opening_hours"] = q.opening_hours.describe() if q.opening_hours else None
        # A scenario's changes as written ("volume +10%"), not every unset field.
        out["scenarios"] = [{"name": s.name, "description": s.description,
                             "queues": list(s.queues), "changes": s.changes.describe(),
                             "by_queue": {q: c.describe() for q, c in s.by_queue}}
                            for s in self.scenarios]
        return out


def parse_config(text: str, path: Path) -> Config:
    """Validate the TOML text of a configuration file located at ``path``."""
    source = str(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML ({exc})") from None
    root = TableReader(raw, "", source)
    site = read_site(root.table("site"))
    data = read_data(root.table("data"))
    queues = read_queues(root.tables("queues"), source)
    staffing = read_staffing(root.table("staffing"))
    scheduling = read_scheduling(root.table("scheduling"))
    forecasting = read_forecasting(root.table("forecasting"))
    paths = read_paths(root.table("paths"), path.parent)
    run = read_run(root.table("run"), path.parent)
    plan = read_plan(root.table("plan"), default_shrinkage=staffing.shrinkage, queues=queues)
    scenarios = read_scenarios(root.tables("scenarios"), queues)
    sites = read_sites(root.tables("sites"), path.parent, source)
    root.finish()
    _check_queue_keys(scheduling, queues, source)
    return Config(path, site, data, queues, staffing, scheduling, forecasting, paths, run=run,
                  plan=plan, scenarios=scenarios, sites=sites)


def _check_queue_keys(scheduling: SchedulingConfig, queues: tuple[QueueConfig, ...],
                      source: str) -> None:
    """Per-queue tables must name queues of [[queues]]: a typo would never apply."""
    names = [q.name for q in queues]
    rules = scheduling.rules
    for table, weights in (("understaffing_weights", rules.queue_understaffing_weight),
                           ("overstaffing_weights", rules.queue_overstaffing_weight)):
        for key, value in weights.items():
            if key in names:
                continue
            close = difflib.get_close_matches(key, names, n=1)
            guess = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(
                f"{source}: [scheduling.{table}] {key} = {value:g}: {key!r} is not a queue of "
                f"[[queues]]{guess}; accepted: {', '.join(names) or '(no queues)'}")


def load_config(path: str | Path) -> Config:
    """Read and validate a wfm.toml file."""
    p = Path(path).expanduser().resolve()
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: configuration file not found",
            hint="create one with 'wfm init' or pass --config PATH",
        ) from None
    except (UnicodeDecodeError, IsADirectoryError, PermissionError) as exc:
        raise ConfigError(f"{path}: cannot read configuration ({exc})") from None
    return parse_config(text, p)


def find_config(start: Path | None = None) -> Path | None:
    """The nearest wfm.toml in ``start`` or its parents, like git finds .git."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        candidate = d / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _plain(v: Any) -> Any:
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_plain(x) for x in v]
    if isinstance(v, ZoneInfo):
        return v.key
    if isinstance(v, Path):
        return str(v)
    if isinstance(v, time):
        return "24:00" if v == time.max else v.strftime("%H:%M")
    if isinstance(v, date):
        return v.isoformat()
    return v
