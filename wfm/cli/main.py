"""`wfm`: the command group. One place turns WfmError into a message and exit code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from wfm import __version__
from wfm.cli.common import AppContext, WfmClickError
from wfm.cli.config_cmd import config_group, init_command
from wfm.cli.forecast_cmd import forecast_group
from wfm.cli.ingest_cmd import check_command, ingest_command
from wfm.cli.reports_cmd import export_group, report_group
from wfm.cli.run_cmd import run_command
from wfm.cli.sample_cmd import sample_command
from wfm.cli.schedule_cmd import schedule_group
from wfm.cli.simulate_cmd import simulate_command
from wfm.cli.staffing_cmd import erlang_command, staff_command
from wfm.errors import WfmError


class WfmGroup(click.Group):
    """A click group whose subcommands report WfmError as one line + exit code 1 (or 75)."""

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


cli.add_command(config_group)
cli.add_command(init_command)
cli.add_command(forecast_group)
cli.add_command(schedule_group)
cli.add_command(erlang_command)
cli.add_command(staff_command)
cli.add_command(sample_command)
cli.add_command(report_group)
cli.add_command(export_group)
cli.add_command(run_command)
cli.add_command(ingest_command)
cli.add_command(check_command)
cli.add_command(simulate_command)


def main() -> None:
    cli(prog_name="wfm")
