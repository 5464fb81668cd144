"""Many sites in one `wfm run`: each site's pipeline as a task of the shared executor.

A site is a wfm project of its own (its wfm.toml, data store, run folders and project
lock), named by ``wfm run --sites 'sites/*/wfm.toml'`` or the ``[[sites]]`` of the parent
wfm.toml. Each site runs :func:`~wfm.pipeline.runner.run_pipeline` exactly as `wfm run`
in its folder would, on a worker of the executor (the sites run side by side; inside a
site, its steps run one after another in that worker), and publishes on its own: a site
that fails leaves its previous outputs and ``latest`` untouched while the others publish.
"""

from __future__ import annotations

import dataclasses
import glob
import time
from dataclasses import dataclass
from pathlib import Path

from wfm.config import Config, find_config, load_config, parse_config
from wfm.config.sites import SiteEntry, check_unique, site_name
from wfm.errors import ConfigError, LockHeldError, WfmError
from wfm.pipeline.execution import Execution, ExecutorChoice, execution_for
from wfm.pipeline.project import open_project
from wfm.pipeline.run_folders import new_run_id
from wfm.pipeline.runlog import RunLog
from wfm.pipeline.runner import StepFailedError, resolve_options, run_pipeline


@dataclass(frozen=True)
class SitesRequest:
    """``pattern``: a glob of site wfm.toml files (relative to ``base``; default: the
    parent's [[sites]]); ``steps``, ``keep``, ``wait_s`` override each site's [run];
    ``log_file``: one log for every site (each line carries ``site=``)."""

    pattern: str | None = None
    base: Path = Path()
    steps: tuple[str, ...] | None = None
    keep: int | None = None
    wait_s: float = 0.0
    log_file: Path | None = None


@dataclass(frozen=True)
class SiteTask:
    """One site's run: what its worker needs (paths and settings, nothing large)."""

    site: SiteEntry
    run_id: str
    request: SitesRequest

    def label(self) -> str:
        return f"site {self.site.name} ({self.site.config})"


@dataclass(frozen=True)
class SiteOutcome:
    """How one site's run went: its summary line, ``ok``, and its exit code."""

    site: str
    ok: bool
    line: str
    exit_code: int = 0
    run_id: str = ""


@dataclass(frozen=True)
class SitesSummary:
    """Every site's outcome in the order the sites were given."""

    sites: tuple[SiteOutcome, ...]
    duration_s: float
    executor: str

    @property
    def failed(self) -> tuple[SiteOutcome, ...]:
        return tuple(s for s in self.sites if not s.ok)

    def lines(self) -> list[str]:
        return [s.line for s in self.sites]

    def error(self) -> WfmError | None:
        """``None`` when every site published; else one error naming the failed sites
        (exit code: theirs when they agree, e.g. 75 when every failure was a held lock)."""
        failed = self.failed
        if not failed:
            return None
        names = ", ".join(s.site for s in failed)
        err = WfmError(f"{len(failed)} of {len(self.sites)} site(s) failed: {names} (their "
                       "previous outputs and latest unchanged; the other sites published)",
                       hint="the line of each failed site above says which step and why")
        codes = {s.exit_code for s in failed}
        err.exit_code = codes.pop() if len(codes) == 1 else 1
        return err


def find_sites(request: SitesRequest, parent: Config | None) -> list[SiteEntry]:
    """The sites ``request.pattern`` matches (sorted), else the parent's [[sites]]."""
    if request.pattern is None:
        if parent is None or not parent.sites:
            where = parent.path if parent is not None else "wfm.toml"
            raise ConfigError(f"{where}: no sites to run: [[sites]] is empty",
                              hint="pass --sites 'sites/*/wfm.toml' or add [[sites]] entries "
                                   "with config = \"path/to/wfm.toml\"")
        return list(parent.sites)
    pattern = Path(request.pattern).expanduser()
    full = pattern if pattern.is_absolute() else request.base / pattern
    # glob.glob, not Path.glob: the pattern may be absolute and hold ** .
    paths = sorted(Path(p) for p in glob.glob(str(full), recursive=True))  # noqa: PTH207
    files = [p.resolve() for p in paths if p.is_file()]
    if not files:
        raise ConfigError(f"--sites {request.pattern!r}: no wfm.toml file matches (looked "
                          f"from {request.base})",
                          hint="quote the pattern so the shell leaves it to wfm, e.g. "
                               "--sites 'sites/*/wfm.toml'")
    sites = [SiteEntry(site_name(f), f) for f in files]
    check_unique(sites, f"--sites {request.pattern!r}")
    return sites


def open_parent(config: Path | None) -> Config | None:
    """The parent wfm.toml of a multi-site run: ``config``, else the nearest one, else
    ``None`` (a folder of sites needs none)."""
    if config is not None:
        path = config / "wfm.toml" if config.is_dir() else config
        return load_config(path)
    found = find_config()
    return load_config(found) if found is not None else None


def run_site(task: SiteTask) -> SiteOutcome:
    """Run one site's pipeline (in a worker); a failure is its outcome, never raised."""
    name = task.site.name
    r = task.request
    try:
        project = open_project(task.site.config)
        options = resolve_options(project.config, steps=r.steps, keep=r.keep,
                                  wait_s=r.wait_s, log_file=r.log_file)
        # The site is the task: its own steps run here, one after another.
        options = dataclasses.replace(options, execution=Execution(local_workers=1))
        log = RunLog(task.run_id, r.log_file, site=name)
        try:
            summary = run_pipeline(project, options, log=log, run_id=task.run_id)
        finally:
            log.close()
    except StepFailedError as exc:
        return SiteOutcome(name, False, exc.summary.line(), exc.exit_code, task.run_id)
    except (LockHeldError, WfmError) as exc:
        return SiteOutcome(name, False, f"site {name}: run {task.run_id} FAILED before its "
                           f"first step: {exc.message}", exc.exit_code, task.run_id)
    return SiteOutcome(name, True, summary.line(), 0, task.run_id)


def run_sites(request: SitesRequest, parent: Config | None,
              execution: Execution | ExecutorChoice | None = None) -> SitesSummary:
    """Run every site's pipeline on the shared executor and report each one.

    ``parent``: the wfm.toml holding [[sites]] and the [run] executor (``None``: the
    defaults, the local process pool). Raises only when the sites cannot be found; a
    site's failure is in its :class:`SiteOutcome`.
    """
    sites = find_sites(request, parent)
    started = time.monotonic()
    tasks = [SiteTask(site, new_run_id(), request) for site in sites]
    if parent is None:  # no parent wfm.toml: every [run] default
        parent = parse_config("", request.base / "wfm.toml")
    done: dict[str, SiteOutcome] = {}
    with execution_for(parent, execution) as ex:
        for outcome in ex.series().map(run_site, tasks, label=SiteTask.label):
            done[outcome.site] = outcome
        kind = ex.kind
    return SitesSummary(tuple(done[s.name] for s in sites), time.monotonic() - started, kind)
