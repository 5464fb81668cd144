"""pyworkforce, the open Python peer the benchmarks compare against, in its own venv.

It never enters wfm's environment: `bench/.venv-pyworkforce` is created on first use
(python -m venv + pip install from the package registry) and each benchmark runs its
side of the comparison there in a subprocess.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PYWORKFORCE = "pyworkforce==0.5.1"
DEFAULT_VENV = Path(__file__).resolve().parent / ".venv-pyworkforce"


def pyworkforce_python(venv: Path = DEFAULT_VENV, *, create: bool = True) -> Path | None:
    """The interpreter of pyworkforce's own venv, created on first use when ``create``."""
    py = venv / "bin" / "python"
    if py.exists() or not create:
        return py if py.exists() else None
    print(f"creating {venv} with {PYWORKFORCE} (once) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (venv / ".gitignore").write_text("*\n", encoding="utf-8")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", PYWORKFORCE], check=True)
    return py
