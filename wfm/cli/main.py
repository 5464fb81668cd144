"""`wfm`: the command group. One place turns WfmError into a message and exit code.

Subcommands are imported on first use (their modules pull in pandas and the solvers);
the listing in `wfm --help` comes from :data:`COMMANDS`, so it costs no import.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import click

from wfm import __version__
from wfm.cli.common import AppContext, WfmClickError, quiet_option
from wfm.errors import WfmError

#: name -> ("module:attribute", its one-line help), in the order of the planning loop.
#: The line is the command's short help too, so `wfm --help` and the command agree.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("wfm.cli.config_cmd:init_command",
             "Create a project: starter wfm.toml, sample history and agents."),
    "sample": ("wfm.cli.sample_cmd:sample_command",
               "Write the sample contact-centre history."),
    "config": ("wfm.cli.config_cmd:config_group", "Inspect the configuration (wfm.toml)."),
    "ingest": ("wfm.cli.ingest_cmd:ingest_command",
               "Read ACD exports into the data store; print their data health."),
    "check": ("wfm.cli.ingest_cmd:check_command",
              "Data-health report of the stored interval history."),
    "data": ("wfm.cli.data_cmd:data_group",
             "The interval data store: history, undo, SQL query, drop, vacuum."),
    "forecast": ("wfm.cli.forecast_cmd:forecast_group",
                 "Forecast volume and handle time per queue and interval."),
    "erlang": ("wfm.cli.erlang_cmd:erlang_command",
               "Staffing calculator: agents for one interval (Erlang C/A)."),
    "staff": ("wfm.cli.staff_cmd:staff_command",
              "Required agents per queue and interval from a forecast."),
    "what-if": ("wfm.cli.what_if_cmd:what_if_command",
                "Staffing scenarios side by side: agent-hours and FTE per queue and week."),
    "schedule": ("wfm.cli.schedule_cmd:schedule_group",
                 "Build the week's roster; 'schedule check' verifies one, 'schedule diff' "
                 "compares two."),
    "simulate": ("wfm.cli.simulate_cmd:simulate_command",
                 "Simulate a roster: the service it really gives, with intervals."),
    "plan": ("wfm.cli.plan_cmd:plan_command",
             "Capacity plan: required vs available FTE, attrition, hiring, scenarios."),
    "report": ("wfm.cli.reports_cmd:report_group",
               "Service level, accuracy and coverage reports; the HTML report."),
    "export": ("wfm.cli.reports_cmd:export_group",
               "The Excel roster workbook and agent calendars (.ics)."),
    "run": ("wfm.cli.run_cmd:run_command",
            "The whole pipeline of [run], unattended (cron)."),
}


def load_command(name: str) -> click.Command:
    """The command ``name``, imported now, with ``-q/--quiet`` on it and every subcommand."""
    target, _ = COMMANDS[name]
    module, _, attr = target.partition(":")
    command: click.Command = getattr(importlib.import_module(module), attr)
    command.short_help = COMMANDS[name][1]
    _add_quiet(command)
    return command


def _add_quiet(command: click.Command) -> None:
    if not any(p.name == "quiet" for p in command.params):
        command.params.append(quiet_option())
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _add_quiet(sub)


class WfmGroup(click.Group):
    """Lazily loaded subcommands that report WfmError as one line + its exit code."""

    def list_commands(self, ctx: click.Context) -> list[str]:  # noqa: ARG002
        return list(COMMANDS)

    def get_command(self, ctx: click.Context,  # noqa: ARG002 - click's signature
                    cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        return load_command(cmd_name)

    def format_commands(self, ctx: click.Context,  # noqa: ARG002 - click's signature
                        formatter: click.HelpFormatter) -> None:
        rows = [(name, short) for name, (_, short) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except WfmError as exc:
            raise WfmClickError(exc) from None


@click.group(cls=WfmGroup, context_settings={"help_option_names": ["-h", "--help"]},
             epilog="Example:  wfm init demo && cd demo && wfm ingest sample/intervals.csv")
@click.option("--config", "-c", "config_path", type=click.Path(dir_okay=False, path_type=Path),
              envvar="WFM_CONFIG", default=None,
              help="Path to wfm.toml [default: nearest wfm.toml in this folder or above; "
                   "env WFM_CONFIG].")
@click.option("--quiet", "-q", is_flag=True, help="Only errors on stderr.")
@click.version_option(__version__, prog_name="wfm")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, quiet: bool) -> None:
    """wfm - workforce management for contact centres, in the terminal.

    Ingest ACD interval history, forecast volume and handle time, turn forecasts into
    required agents (Erlang C/A, chat concurrency, deferred work), build rosters and
    report on them. Settings come from wfm.toml (see 'wfm config show').
    """
    ctx.obj = AppContext(config_path, quiet)


def main() -> None:
    cli(prog_name="wfm")
