"""wfm.toml: read once (tomllib) into frozen, validated dataclasses. No click here."""

from wfm.config.data import DataConfig
from wfm.config.forecasting import ForecastingConfig
from wfm.config.model import CONFIG_NAME, Config, find_config, load_config, parse_config
from wfm.config.paths import PathsConfig
from wfm.config.queues import QueueConfig
from wfm.config.scheduling import SchedulingConfig
from wfm.config.site import WEEKDAYS, OpeningHours, SiteConfig, SpecialDay
from wfm.config.staffing import StaffingConfig

__all__ = [
    "CONFIG_NAME",
    "WEEKDAYS",
    "Config",
    "DataConfig",
    "ForecastingConfig",
    "OpeningHours",
    "PathsConfig",
    "QueueConfig",
    "SchedulingConfig",
    "SiteConfig",
    "SpecialDay",
    "StaffingConfig",
    "find_config",
    "load_config",
    "parse_config",
]
