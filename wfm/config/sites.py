"""[[sites]]: the sites a multi-site `wfm run` runs, each a wfm project of its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from wfm.config._reader import TableReader
from wfm.errors import ConfigError


@dataclass(frozen=True)
class SiteEntry:
    """One site: its ``name`` (in summaries and the run log) and its wfm.toml ``config``
    (absolute; relative paths in the file are from the parent wfm.toml's folder)."""

    name: str
    config: Path


def site_name(config: Path) -> str:
    """A site's default name: the folder holding its wfm.toml (sites/lyon/wfm.toml: lyon)."""
    return config.parent.name or str(config)


def read_sites(tables: list[TableReader], base: Path, source: str) -> tuple[SiteEntry, ...]:
    out = []
    for t in tables:
        raw: str = t.str("config")
        path = Path(raw).expanduser()
        path = path if path.is_absolute() else base / path
        name: str = t.str("name", site_name(path))
        t.finish()
        out.append(SiteEntry(name, path))
    check_unique(out, source)
    return tuple(out)


def check_unique(sites: list[SiteEntry], source: str) -> None:
    """Site names must differ: they tell the summary lines and log lines apart."""
    seen: dict[str, Path] = {}
    for s in sites:
        if s.name in seen:
            raise ConfigError(f"{source}: site name {s.name!r} is used by both {seen[s.name]} "
                              f"and {s.config}; site names must be unique",
                              hint="give each [[sites]] entry its own name = \"...\"")
        seen[s.name] = s.config
