"""Shared CLI plumbing: the application context, output options, error translation."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import pandas as pd

from wfm.config import CONFIG_NAME, Config, find_config, load_config
from wfm.errors import ConfigError, WfmError
from wfm.reports import FORMATS, render
from wfm.reports.render import format_for_output

F = TypeVar("F", bound=Callable[..., Any])


class WfmClickError(click.ClickException):
    """A WfmError on its way out: one line (plus a hint) on stderr and its exit code."""

    def __init__(self, error: WfmError) -> None:
        super().__init__(error.message)
        self.exit_code = error.exit_code  # type: ignore[misc]
        self.hint = error.hint

    def show(self, file: Any = None) -> None:  # noqa: ARG002 - always stderr
        click.echo(f"wfm: error: {self.message}", err=True)
        if self.hint:
            click.echo(f"  hint: {self.hint}", err=True)


class AppContext:
    """State shared by all commands: where wfm.toml is and, once read, the Config."""

    def __init__(self, config_path: Path | None, quiet: bool) -> None:
        self.config_path = config_path
        self.quiet = quiet
        self._config: Config | None = None

    @property
    def config(self) -> Config:
        if self._config is None:
            path = self.config_path or find_config()
            if path is None:
                raise ConfigError(
                    f"no {CONFIG_NAME} found in {Path.cwd()} or its parents",
                    hint="run 'wfm init' to create one, or pass --config PATH",
                )
            self._config = load_config(path)
        return self._config

    def info(self, message: str) -> None:
        """A progress/status line on stderr, silent under --quiet."""
        if not self.quiet:
            click.echo(message, err=True)


pass_app = click.make_pass_decorator(AppContext)


def default_format() -> str:
    """``table`` on a terminal, ``csv`` when piped (cron, shell pipelines)."""
    return "table" if sys.stdout.isatty() else "csv"


def output_options(fn: F) -> F:
    """The shared ``--format`` / ``--output`` options."""
    fn = click.option(
        "--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="Write to this file (atomically) instead of standard output.",
    )(fn)
    return click.option(
        "--format", "-f", "fmt", type=click.Choice(FORMATS), default=None,
        help="Output format [default: from the --output suffix (.csv, .json, .xlsx, .txt), "
             "else table on a terminal, csv when piped].",
    )(fn)


def emit(frame: pd.DataFrame, fmt: str | None, output: Path | None, *,
         title: str | None = None) -> None:
    """Render a result frame through the one render function."""
    fmt = fmt or format_for_output(output) or default_format()
    render(frame, fmt, output, title=title if fmt != "csv" else None)


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
