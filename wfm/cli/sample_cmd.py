"""`wfm sample`: write the deterministic sample history (see docs/sample-data.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from wfm.cli.common import AppContext, pass_app
from wfm.simulation.sample_data import DEFAULT_END, MAX_YEARS, history_span, write_sample


@click.command("sample", epilog="Example:  wfm sample sample --seed 7 --years 2")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="sample")
@click.option("--seed", type=int, default=7, show_default=True,
              help="Random seed; the same seed gives byte-identical files.")
@click.option("--years", type=click.FloatRange(0, MAX_YEARS, min_open=True), default=2.0,
              show_default=True, help="Length of the history, rounded up to whole weeks.")
@click.option("--end", "end", type=click.DateTime(formats=["%Y-%m-%d"]),
              default=DEFAULT_END.isoformat(), show_default=True,
              help="Last local day; the history ends on the Sunday on or before it.")
@click.option("--force", is_flag=True, help="Overwrite existing sample files.")
@pass_app
def sample_command(app: AppContext, *, directory: Path, seed: int, years: float, end: datetime,
                   force: bool) -> None:
    """Write a sample contact-centre history to DIRECTORY (default: ./sample).

    Four queues as in the starter wfm.toml (voice_fr, voice_en, chat_fr, email_fr) in
    Europe/Paris, 15-minute intervals: intervals.csv (the canonical intervals frame) and
    true_rates.csv (the Poisson mean behind each interval's offered count and the mean
    handle time), so forecast errors can be compared with the noise floor. Existing files
    are kept unless --force is given.
    """
    first, last = history_span(end.date(), years)
    for path in write_sample(directory, seed=seed, force=force, years=years, end=end.date()):
        app.info(f"wrote {path}")
    app.info(f"sample history {first} to {last} (Europe/Paris), seed {seed}")
