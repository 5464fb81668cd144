"""Run folders, owned here and nowhere else: file names and layout (:mod:`.layout`),
manifests (:mod:`.manifests`), the files of each kind (:mod:`.files`) and the staging,
commit and ``latest`` pointer of a run (:mod:`.staging`). Solver, model and report code
never touch these paths."""

from wfm.pipeline.run_folders.layout import AREAS, LATEST, RunFolders, new_run_id
from wfm.pipeline.run_folders.staging import Run, open_run

__all__ = ["AREAS", "LATEST", "Run", "RunFolders", "new_run_id", "open_run"]
