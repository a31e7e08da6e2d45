"""Check results of runs that cover several years (a backfill's single run, or "Execute all"
without a year): every year's result is recorded on its own year, and (in a range run) the run's
own result for each check, which Dagster requires and treats as blocking where the check is, says
which years failed."""

from __future__ import annotations

from typing import Iterator, Optional

from dagster import AssetCheckEvaluation, AssetCheckKey, AssetCheckResult, AssetKey, AssetRecordsFilter, MetadataValue
from dagster._core.definitions.asset_checks.asset_check_evaluation import (
    AssetCheckEvaluationTargetMaterializationData,
)


def _latest_materialization(context, asset_key: AssetKey, year: int,
                            cache: dict) -> Optional[AssetCheckEvaluationTargetMaterializationData]:
    if (asset_key, year) not in cache:
        records = context.instance.fetch_materializations(
            AssetRecordsFilter(asset_key=asset_key, asset_partitions=[str(year)]), limit=1).records
        cache[(asset_key, year)] = (AssetCheckEvaluationTargetMaterializationData(
            run_id=records[0].event_log_entry.run_id, storage_id=records[0].storage_id, timestamp=records[0].timestamp)
            if records else None)
    return cache[(asset_key, year)]


def year_result(context, fields: dict, year: int, blocking: bool, cache: Optional[dict] = None) -> AssetCheckEvaluation:
    """A check result on its year, tied (as Dagster ties its own results) to that year's latest
    materialisation of the asset, so the UI counts it as the year's current result. `cache`
    keeps the materialisations looked up for earlier results of the same step."""
    target = _latest_materialization(context, AssetKey(fields["asset_key"].path), year, {} if cache is None else cache)
    return AssetCheckEvaluation(partition=str(year), blocking=blocking, target_materialization_data=target, **fields)


def log_year_result(context, fields: dict, year: int, blocking: bool, cache: Optional[dict] = None) -> None:
    """Records `year_result` (Dagster stores it when the step next yields, or when it ends without
    an error: a step about to fail yields `year_result` itself)."""
    context.op_execution_context.log_event(year_result(context, fields, year, blocking, cache))


def results_by_year(context, per_year: dict[AssetCheckKey, list[tuple[int, dict]]],
                    blocking: set[AssetCheckKey], run_result: bool = True) -> Iterator[AssetCheckResult]:
    """`per_year` holds each check's (year, result fields) pairs, fields as for AssetCheckResult.
    Without `run_result` only the years' results are recorded: Dagster 1.13 cannot record a
    partitioned check's result in a run without a year (the check's run result is then skipped)."""
    materializations: dict = {}
    for key in sorted(per_year, key=lambda k: (k.asset_key.to_user_string(), k.name)):
        entries = sorted(per_year[key], key=lambda entry: entry[0])
        for year, fields in entries:
            log_year_result(context, fields, year, key in blocking, materializations)
        if not run_result:
            continue
        years = [year for year, _ in entries]
        failed = [year for year, fields in entries if not fields["passed"]]
        yield AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=not failed,
            severity=entries[0][1]["severity"],
            description=(f"years {years[0]}-{years[-1]}, each recorded on its year: "
                         + (f"failed in {', '.join(map(str, failed))}" if failed else "all passed")),
            metadata={"years_checked": MetadataValue.text(", ".join(map(str, years))),
                      "failing_years": MetadataValue.text(", ".join(map(str, failed)) or "none")},
        )
