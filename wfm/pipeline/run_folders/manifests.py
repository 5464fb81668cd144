"""manifest.json of a run folder: what went in, what was decided, what came out."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from wfm.errors import InputDataError
from wfm.outputs import atomic_write_text, sha256_file
from wfm.pipeline.run_folders.layout import MANIFEST_FILE


def output_checksums(folder: Path) -> dict[str, str]:
    """sha256 of every file of a run folder but its manifest (what ``outputs`` lists)."""
    return {p.relative_to(folder).as_posix(): sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != MANIFEST_FILE}


def content_digest(outputs: dict[str, str]) -> str:
    """One sha256 over the sorted (file, checksum) list: equal iff the outputs are equal."""
    text = "\n".join(f"{k} {v}" for k, v in sorted(outputs.items()))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def write_manifest(folder: Path, body: dict[str, Any]) -> Path:
    """``manifest.json``: ``body`` plus ``outputs`` (every other file with its checksum)
    and ``content_sha256`` (one digest of them: equal outputs, equal digest)."""
    outputs = output_checksums(folder)
    full = {**body, "outputs": outputs, "content_sha256": content_digest(outputs)}
    path = folder / MANIFEST_FILE
    atomic_write_text(path, json.dumps(full, indent=2, sort_keys=True, default=str) + "\n")
    return path


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """The manifest of a run folder (``{}`` when it has none)."""
    path = run_dir / MANIFEST_FILE
    if not path.exists():
        return {}
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputDataError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(body, dict):
        raise InputDataError(f"{path}: expected a JSON object")
    return body


def file_input(path: Path, *, final_path: Path | None = None) -> dict[str, str]:
    """A manifest ``inputs`` entry: the path (``final_path`` when the file is staged now
    and will live there once its run commits) and the file's SHA-256."""
    return {"path": str(Path(final_path or path).resolve()), "sha256": sha256_file(path)}


def manifest_input(run_dir: Path, key: str) -> Path | None:
    """The path of input ``key`` recorded in the run's manifest, if any and readable."""
    try:
        inputs: Any = read_manifest(run_dir).get("inputs", {})
    except InputDataError:
        return None
    entry = inputs.get(key) if isinstance(inputs, dict) else None
    if isinstance(entry, dict):
        entry = entry.get("path")
    if not isinstance(entry, str) or not entry:
        return None
    path = Path(entry)
    return path if path.is_absolute() else (run_dir / path if (run_dir / path).exists()
                                            else Path.cwd() / path)
