"""Shared CLI plumbing: the application context, option types, output, error translation.

Kept light (click only at import): `wfm --help` and `wfm --version` must not pay for
pandas, numpy or the solvers.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from wfm.errors import WfmError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import numpy.typing as npt
    import pandas as pd

    from wfm.pipeline.project import Project
    from wfm.reports.tables import Report

F = TypeVar("F", bound=Callable[..., Any])

#: Formats every data-printing command accepts (wfm.reports.render.FORMATS).
FORMATS: tuple[str, ...] = ("table", "csv", "json", "xlsx")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                 "Sunday")


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
    """State shared by all commands: where wfm.toml is, --quiet and, once opened, the
    project."""

    def __init__(self, config_path: Path | None, quiet: bool) -> None:
        self.config_path = config_path
        self.quiet = quiet
        self._project: Project | None = None

    @property
    def project(self) -> Project:
        if self._project is None:
            from wfm.pipeline.project import open_project

            self._project = open_project(self.config_path)
        return self._project

    def info(self, message: str) -> None:
        """A progress/status line on stderr, silent under --quiet."""
        if not self.quiet:
            click.echo(message, err=True)

    def warn(self, message: str) -> None:
        """A warning line on stderr (silent under --quiet: cron mails only failures)."""
        self.info(f"wfm: warning: {message}")


pass_app = click.make_pass_decorator(AppContext)


def set_quiet(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if value:
        app = ctx.find_object(AppContext)
        if app is not None:
            app.quiet = True


def quiet_option() -> click.Option:
    """``-q/--quiet``, accepted by every command as well as before it (``wfm -q ingest``
    and ``wfm ingest -q`` are the same)."""
    return click.Option(["--quiet", "-q"], is_flag=True, expose_value=False,
                        callback=set_quiet, help="Only errors on stderr.")


class IsoDate(click.ParamType):  # type: ignore[type-arg]
    """A date written YYYY-MM-DD, nothing else (01/11/2026 is refused, never guessed);
    ``weekday`` (0 = Monday) restricts it to that day of the week."""

    name = "YYYY-MM-DD"

    def __init__(self, weekday: int | None = None) -> None:
        self.weekday = weekday

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> date:
        if isinstance(value, date):
            return value
        try:
            day = date.fromisoformat(str(value).strip())
            if len(str(value).strip()) != 10:
                raise ValueError
        except ValueError:
            self.fail(f"{value!r} is not a date; accepted: YYYY-MM-DD such as 2026-11-16",
                      param, ctx)
        if self.weekday is not None and day.weekday() != self.weekday:
            wanted = WEEKDAY_NAMES[self.weekday]
            self.fail(f"{value} is a {WEEKDAY_NAMES[day.weekday()]}, not a {wanted}; "
                      f"accepted: the {wanted} that starts the week", param, ctx)
        return day


def executor_options(fn: F) -> F:
    """``--executor local|dask`` and ``--scheduler ADDRESS`` (default: [run] of wfm.toml)."""
    fn = click.option("--scheduler", default=None, metavar="ADDRESS",
                      help="Dask scheduler, e.g. tcp://host:8786 [default: [run] scheduler; "
                           "none: a local cluster].")(fn)
    return click.option("--executor", type=click.Choice(("local", "dask")), default=None,
                        help="Where independent work runs: this machine's process pool, or "
                             "a Dask cluster [default: [run] executor].")(fn)


def executor_choice(executor: str | None, scheduler: str | None) -> Any:
    """The :class:`wfm.pipeline.execution.ExecutorChoice` of the two options."""
    from wfm.pipeline.execution import ExecutorChoice

    return ExecutorChoice(executor, scheduler)


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


def emit_report(app: AppContext, report: Report, fmt: str | None, output: Path | None
                ) -> None:
    """Render a report through the one render function. The title goes above a table;
    with csv or json on standard output it goes to stderr, so the data stays clean."""
    from wfm.reports.render import format_for_output, render_report

    chosen = fmt or format_for_output(output) or default_format()
    if chosen in ("csv", "json") and report.title:
        app.info(report.title)
    render_report(report, chosen, output)
    if output is not None:
        app.info(f"wrote {output}")


def emit(frame: pd.DataFrame, fmt: str | None, output: Path | None, *,
         title: str | None = None) -> None:
    """Render a bare frame (the title above a table, none in csv)."""
    from wfm.reports.render import format_for_output, render_report
    from wfm.reports.tables import Report

    render_report(Report(frame, title or ""), fmt or format_for_output(output)
                  or default_format(), output)


def emit_columns(columns: Mapping[str, npt.NDArray[Any]], fmt: str | None,
                 output: Path | None, *, title: str | None = None) -> None:
    """:func:`emit` for a table held as plain numpy columns: the same text, without
    importing pandas (a one-interval calculator answers faster than pandas loads)."""
    from wfm.reports.column_render import render_columns
    from wfm.reports.render import format_for_output

    chosen = fmt or format_for_output(output) or default_format()
    render_columns(columns, chosen, output, title=(title or None) if chosen != "csv" else None)
