"""`wfm config show` and `wfm init`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from wfm.cli.common import AppContext, emit, pass_app


@click.group("config")
def config_group() -> None:
    """Inspect the configuration (wfm.toml)."""


@config_group.command("show", epilog="Example:  wfm config show --format json")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="table: one 'section.key = value' line each; json: the whole tree.")
@pass_app
def show_command(app: AppContext, fmt: str) -> None:
    """Print the resolved configuration: wfm.toml with every default filled in."""
    config = app.project.config
    resolved = config.to_dict()
    if fmt == "json":
        click.echo(json.dumps(resolved, indent=2, ensure_ascii=False))
        return
    import pandas as pd

    rows = [{"key": k, "value": v} for k, v in _flatten(resolved)]
    emit(pd.DataFrame(rows), "table", None, title=f"# {config.path}")


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
    from wfm.pipeline import init_project

    for path in init_project(directory, seed=seed, force=force, sample=not no_sample):
        app.info(f"wrote {path}")
