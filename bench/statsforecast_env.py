"""statsforecast, the peer methods of the over-dispersed forecast benchmark, in its own venv.

It never enters wfm's environment: ``bench/.venv-statsforecast`` is created on first use
(python -m venv + pip install from the package registry) and the benchmark runs the
statsforecast side of the comparison there in a subprocess (``bench/statsforecast_peers.py``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

STATSFORECAST = "statsforecast==2.1.1"
DEFAULT_VENV = Path(__file__).resolve().parent / ".venv-statsforecast"


def statsforecast_python(venv: Path = DEFAULT_VENV, *, create: bool = True) -> Path | None:
    """The interpreter of statsforecast's own venv, created on first use when ``create``."""
    py = venv / "bin" / "python"
    if py.exists() or not create:
        return py if py.exists() else None
    print(f"creating {venv} with {STATSFORECAST} (once) ...", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (venv / ".gitignore").write_text("*\n", encoding="utf-8")
    subprocess.run([str(py), "-m", "pip", "install", "--quiet", STATSFORECAST, "pyarrow"],
                   check=True)
    return py
