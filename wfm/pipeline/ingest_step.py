"""Ingest step: wfm.io.ingest (vendor mappings, health checks) -> the data store."""

from __future__ import annotations

from wfm.config.data import ingest_arguments
from wfm.io.ingest import history_files, ingest_files
from wfm.outputs import sha256_file
from wfm.pipeline.steps import StepContext, StepResult

HEALTH_FILE = "data_health.csv"


def run(ctx: StepContext) -> StepResult:
    """Ingest the [run] inputs into the data store; data-health findings go to the reports.

    All or nothing: a bad cell or an error-level finding raises before the store changes.
    """
    cfg = ctx.config
    key = "[run] inputs" if cfg.run.inputs is not None else "[data] history"
    paths = history_files(ctx.options.inputs, cfg.base_dir, key=f"{cfg.path}: {key}",
                          hint="set [run] inputs or [data] history in wfm.toml")
    result = ingest_files(paths, **ingest_arguments(cfg))
    findings = result.findings
    warnings = findings.loc[findings["severity"] == "warning"]
    if len(warnings):
        first = warnings.iloc[0]
        ctx.warn(f"data health: {len(warnings)} warning(s), first: queue {first['queue']!r} "
                 f"{first['check']}: {first['detail']} (all in reports/{ctx.run_id}/"
                 f"{HEALTH_FILE})")
    folder = ctx.stage("reports")
    findings.to_csv(folder / HEALTH_FILE, index=False, lineterminator="\n")
    files = {str(p.relative_to(cfg.base_dir)) if p.is_relative_to(cfg.base_dir) else str(p):
             sha256_file(p) for p in paths}
    ctx.record("reports", ingested=files, mapping=result.mapping)
    ctx.state["ingested_rows"] = result.rows_written
    return StepResult(rows=result.rows_written, outputs=("data store", "reports"),
                      details={"rows_read": result.rows_read,
                               "rows_replaced": result.rows_replaced})
