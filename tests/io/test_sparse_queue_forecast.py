"""Issue 13 item 2, acceptance: a sparse email queue exported without zero rows is ingested
and forecast (`wfm forecast`) within 3 % of its true daily totals, weekdays, Saturdays and
Sundays alike. The code before read the absent intervals as gaps and forecast this queue
2.2-2.5 % too high on weekdays, 3.8-4.4 % on Saturdays and 4.7-6.7 % on Sundays (seeds 1,
2, 3 and the one below; this code: within 1.6 %).

The queue receives 1,200 emails on weekdays, 500 on Saturdays and 300 on Sundays, in the
daytime, and few at night (18 in a weekday night, 4.5 on Sunday), so a third of its
intervals are empty and left out of the export. Its counts follow the true rates without Poisson
noise: each day is systematic sampling of the cumulative rate with a seeded phase, so a
day's count is its true total rounded, and the 3 % band measures the method's bias rather
than the luck of one draw (at these volumes Poisson noise alone moves a two-week Saturday
forecast by several percent).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from wfm.cli.main import cli
from wfm.io.store import read_intervals

TZ = "Europe/Paris"
DAILY = np.array([1200.0, 1200, 1200, 1200, 1200, 500, 300])  # Monday first
WEEKS = 8
LAST_DAY = "2026-03-08"  # a Sunday; no public holiday in the history or the horizon


def profile() -> np.ndarray:
    """Share of a day's emails per 15-minute interval: a hump from 08:00 to 20:00, 1/50 of
    the daytime level at night."""
    h = (np.arange(96) + 0.5) / 4
    shape = np.where((h >= 8) & (h < 20), 1.0 + 0.5 * np.sin((h - 8) / 12 * np.pi), 0.02)
    return shape / shape.sum()


def synthetic_counts(seed: int) -> tuple[pd.DatetimeIndex, np.ndarray]:
    rng = np.random.default_rng(seed)
    days = pd.date_range(end=LAST_DAY, periods=7 * WEEKS, freq="D")
    starts, counts = [], []
    for d in days:
        rate = DAILY[d.day_of_week] * profile()
        cum = np.floor(np.concatenate([[0.0], np.cumsum(rate)]) + rng.uniform())
        counts.append(np.diff(cum).astype(int))
        starts.append(pd.date_range(pd.Timestamp(d).tz_localize(TZ), periods=96, freq="15min"))
    return pd.DatetimeIndex(np.concatenate(starts)), np.concatenate(counts)


def write_export(path: Path, starts: pd.DatetimeIndex, counts: np.ndarray, *,
                 zero_rows: bool) -> int:
    lines = ["interval_start,queue,channel,offered,handled,handle_s"]
    for t, k in zip(starts, counts, strict=True):
        if k or zero_rows:
            lines.append(f"{t.isoformat()},email_fr,email,{k},{k},{420 * k}")
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return len(lines) - 1


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_sparse_email_queue_forecast_has_no_day_type_bias(project: Path) -> None:
    config = project / "wfm.toml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "workers = 0 ", "workers = 1 "), encoding="utf-8")
    starts, counts = synthetic_counts(seed=20261206)
    assert 0.33 < (counts == 0).mean() < 0.37  # a third of the intervals are empty
    n = write_export(project / "sparse.csv", starts, counts, zero_rows=False)
    assert n == int((counts > 0).sum())

    ingest = run("ingest", "sparse.csv", "-f", "json")
    assert ingest.exit_code == 0, ingest.output
    assert '"check": "absent_intervals"' in ingest.stdout
    stored = read_intervals(project / "data")
    # What the ACD would have written with its zero rows, exactly.
    assert stored["interval_start"].tolist() == list(starts.tz_convert("UTC"))
    assert stored["offered"].tolist() == counts.tolist()

    result = run("-q", "forecast", "--horizon", "14d", "-f", "csv")
    assert result.exit_code == 0, result.output
    fc = pd.read_csv(project / "forecasts" / "latest" / "forecast.csv")
    local = pd.to_datetime(fc["interval_start"], utc=True).dt.tz_convert(TZ)
    daily = fc.groupby(local.dt.tz_localize(None).dt.normalize())["offered"].sum()
    assert len(daily) == 14 and daily.index[0] == pd.Timestamp("2026-03-09")
    weekday = daily.index.day_of_week
    truth = DAILY[weekday]
    for name, days in (("weekdays", weekday < 5), ("Saturdays", weekday == 5),
                       ("Sundays", weekday == 6)):
        bias = daily[days].sum() / truth[days].sum() - 1
        assert abs(bias) <= 0.03, f"{name}: forecast {bias:+.1%} off the true total"
