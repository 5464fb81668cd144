"""`wfm sample`: write the deterministic sample history (see docs/sample-data.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from wfm.cli.common import AppContext, IsoDate, pass_app
from wfm.pipeline.project_files import SAMPLE_END, SAMPLE_MAX_YEARS, write_sample_history


@click.command("sample", epilog="Example:  wfm sample sample --seed 7 --years 2")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="sample")
@click.option("--seed", type=int, default=7, show_default=True,
              help="Random seed; the same seed gives byte-identical files.")
@click.option("--years", type=click.FloatRange(0, SAMPLE_MAX_YEARS, min_open=True),
              default=2.0, show_default=True,
              help="Length of the history, rounded up to whole weeks.")
@click.option("--end", "end", type=IsoDate(), default=SAMPLE_END.isoformat(),
              show_default=True,
              help="Last local day; the history ends on the Sunday on or before it.")
@click.option("--force", is_flag=True, help="Overwrite existing sample files.")
@pass_app
def sample_command(app: AppContext, *, directory: Path, seed: int, years: float, end: date,
                   force: bool) -> None:
    """Write a sample contact-centre history to DIRECTORY (default: ./sample).

    Four queues as in the starter wfm.toml (voice_fr, voice_en, chat_fr, email_fr) in
    Europe/Paris, 15-minute intervals: intervals.csv (the canonical intervals frame) and
    true_rates.csv (the Poisson mean behind each interval's offered count and the mean
    handle time), so forecast errors can be compared with the noise floor. Existing files
    are kept unless --force is given.
    """
    written, first, last = write_sample_history(directory, seed=seed, years=years, end=end,
                                                force=force)
    for path in written:
        app.info(f"wrote {path}")
    app.info(f"sample history {first} to {last} (Europe/Paris), seed {seed}")
