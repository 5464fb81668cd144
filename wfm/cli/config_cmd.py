"""`wfm config show` and `wfm init`."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import click
import pandas as pd

from wfm.cli.common import AppContext, emit, pass_app
from wfm.config import CONFIG_NAME
from wfm.errors import OutputError
from wfm.outputs import atomic_write_text


@click.group("config")
def config_group() -> None:
    """Inspect the configuration (wfm.toml)."""


@config_group.command("show", epilog="Example:  wfm config show --format json")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="table: one 'section.key = value' line each; json: the whole tree.")
@pass_app
def show_command(app: AppContext, fmt: str) -> None:
    """Print the resolved configuration: wfm.toml with every default filled in."""
    resolved = app.config.to_dict()
    if fmt == "json":
        click.echo(json.dumps(resolved, indent=2, ensure_ascii=False))
        return
    rows = [{"key": k, "value": v} for k, v in _flatten(resolved)]
    emit(pd.DataFrame(rows), "table", None, title=f"# {app.config.path}")


def _flatten(tree: Any, prefix: str = "") -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _flatten(v, f"{prefix}.{k}" if prefix else str(k))
    elif isinstance(tree, list) and tree and all(isinstance(x, dict) for x in tree):
        for i, v in enumerate(tree):
            out += _flatten(v, f"{prefix}[{i}]")
    else:
        out.append((prefix, json.dumps(tree, ensure_ascii=False)))
    return out


def starter_config() -> str:
    """The commented starter wfm.toml shipped with the package."""
    return resources.files("wfm.config").joinpath("starter.toml").read_text(encoding="utf-8")


@click.command("init", epilog="Example:  wfm init my-centre --seed 7")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--force", is_flag=True, help="Overwrite an existing wfm.toml and sample data.")
@click.option("--seed", type=int, default=7, show_default=True,
              help="Random seed of the generated sample data.")
@click.option("--no-sample", is_flag=True, help="Write only wfm.toml, no sample data.")
@pass_app
def init_command(app: AppContext, directory: Path, force: bool, seed: int,
                 no_sample: bool) -> None:
    """Create a project: a commented starter wfm.toml plus sample interval data.

    Refuses to overwrite an existing wfm.toml unless --force is given.
    """
    target = directory / CONFIG_NAME
    if target.exists() and not force:
        raise OutputError(f"{target} already exists; not overwritten",
                          hint="pass --force to replace it")
    directory.mkdir(parents=True, exist_ok=True)
    atomic_write_text(target, starter_config())
    app.info(f"wrote {target}")
    if not no_sample:
        from wfm.simulation.sample_data import write_sample

        written = write_sample(directory / "sample", seed=seed, force=force)
        written.append(_write_sample_agents(directory / "sample", seed))
        for path in written:
            app.info(f"wrote {path}")


def _write_sample_agents(folder: Path, seed: int) -> Path:
    """sample/agents.csv for the queues of the starter wfm.toml."""
    from wfm.config import parse_config
    from wfm.scheduling.sample_agents import SAMPLE_WORKLOAD, write_sample_agents

    starter = parse_config(starter_config(), folder.parent / CONFIG_NAME)
    queues = [(q.name, q.channel) for q in starter.queues]
    return write_sample_agents(folder / "agents.csv", queues, seed=seed,
                               workload=SAMPLE_WORKLOAD)
