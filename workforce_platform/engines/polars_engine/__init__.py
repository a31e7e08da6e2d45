"""The Polars bulk event engine: a year's 17 tables from the same inputs as the dbt models,
equal to them row for row (``parity/compare.py`` checks that on every year it is asked to).

``simulate_year`` reads the year's inputs from DuckDB through Arrow, computes every per-year
table in memory and returns them as frames (DECIMALs as scaled integers, see ``year_tables``);
``run_year`` also writes them. Steps that do not depend on one another run side by side in a
small thread pool. With `shards` > 1 the employees are split by their stable key
(``employee_key % shards``), each shard is computed on its own (in a thread pool: Polars releases
the GIL), and the shards are unioned; the two selections that rank the whole workforce take each
shard's best candidates and rank those. The union equals the unsharded result.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from functools import partial
from typing import Callable, TypeVar

import duckdb
import polars as pl

from workforce_platform.engines.polars_engine import contributions, hiring, marts, plan, workforce
from workforce_platform.engines.polars_engine.inputs import EMPLOYEE_CODE, YearInputs, read_year_inputs
from workforce_platform.engines.year_tables import YEAR_TABLES, write_year_tables
from workforce_platform.simulation.workforce_needs import WorkforceNeeds

T = TypeVar("T")
MAX_SHARDS = 64


def _split(frame: pl.DataFrame, shards: int) -> list[pl.DataFrame]:
    if shards == 1:
        return [frame]
    shard = (pl.col("employee_key").cast(pl.UInt64) % shards)
    return [frame.filter(shard == index) for index in range(shards)]


def _each(shards: list, work: Callable[..., T], pool: ThreadPoolExecutor | None) -> list[T]:
    if pool is None:
        return [work(*args) for args in shards]
    return list(pool.map(lambda args: work(*args), shards))


def _start(pool: ThreadPoolExecutor | None, work: Callable[..., T], *args) -> Future:
    """`work(*args)` on the pool, or at once without one; its result is `.result()`."""
    if pool is not None:
        return pool.submit(work, *args)
    done: Future = Future()
    done.set_result(work(*args))
    return done


# Unsharded, the year's independent steps run side by side (hires beside terminations, the
# promotions beside eligibility, the events beside the contributions): most steps are too small
# for Polars to keep both cores busy on its own. Two workers and the calling thread.
BRANCH_WORKERS = 2


def compute_year(inputs: YearInputs, shards: int = 1) -> dict[str, pl.DataFrame]:
    """Every per-year table of `inputs.year`, in YEAR_TABLES order."""
    if not 1 <= shards <= MAX_SHARDS:
        raise ValueError(f"event_shards must be between 1 and {MAX_SHARDS}, not {shards}")
    pool = ThreadPoolExecutor(max_workers=min(shards, 8) if shards > 1 else BRANCH_WORKERS)
    try:
        return _compute(inputs, shards, pool)
    finally:
        pool.shutdown()


def _compute(inputs: YearInputs, shards: int, pool: ThreadPoolExecutor) -> dict[str, pl.DataFrame]:
    # With shards, the pool runs the shards, and the steps around them run one after another (a
    # step waiting in the pool on shards queued behind it could wait forever); without, the pool
    # runs the independent steps (`branches`). Only the calling thread waits on the pool.
    shard_pool, branches = (pool, None) if shards > 1 else (None, pool)
    starting_parts = [workforce.starting_workforce(inputs, part) for part in _split(inputs.starting, shards)]
    decrement_parts = _each([(p,) for p in starting_parts], lambda p: workforce.retirements_and_deaths(inputs, p),
                            shard_pool)
    retirements = sum(d.filter(pl.col("age_decrement") == "retirement").height for d in decrement_parts)
    deaths = sum(d.filter(pl.col("age_decrement") == "death").height for d in decrement_parts)
    needs = workforce.workforce_needs(inputs, sum(p.height for p in starting_parts), retirements + deaths)

    hired = _start(branches, _new_hires_and_terminations, inputs, needs, shards, shard_pool)
    candidates = _each(list(zip(starting_parts, decrement_parts)), lambda p, d: workforce.termination_candidates(
        inputs, p, d, needs.experienced_terminations), shard_pool)
    terminations = workforce.select_terminations(inputs, candidates, needs.experienced_terminations)
    employee_ids, hire_parts, new_hire_terminations = hired.result()
    leavers = pl.concat([terminations.select("employee_id", "termination_date", "termination_reason"),
                         new_hire_terminations.select("employee_id", "termination_date",
                                                      pl.lit("new_hire").alias("termination_reason"))])
    promoted_everywhere = _promotions(inputs, needs, starting_parts, hire_parts, terminations, new_hire_terminations,
                                      shard_pool)

    per_shard = partial(_shard_tables, inputs, branches, promoted_everywhere, terminations, new_hire_terminations,
                        leavers)
    parts = _each(list(zip(starting_parts, hire_parts)), per_shard, shard_pool)
    tables = {name: pl.concat([part[name] for part in parts], how="vertical_relaxed") for name in parts[0]}
    tables["int_workforce_needs_solved"] = workforce.needs_frame(inputs, needs, retirements, deaths)
    tables["int_experienced_terminations_selected"] = terminations
    tables["int_new_hire_terminations_selected"] = new_hire_terminations
    _add_whole_workforce_tables(inputs, tables, pool)
    return dict(zip(YEAR_TABLES, pool.map(lambda name: decode_employee_ids(tables[name], employee_ids), YEAR_TABLES)))


def _new_hires_and_terminations(inputs: YearInputs, needs: WorkforceNeeds, shards: int,
                                shard_pool: ThreadPoolExecutor | None) -> tuple[pl.Series, list[pl.DataFrame], pl.DataFrame]:
    """The ids of every employee code of the year, the hires by shard, and the new-hire terminations."""
    hire_identities, employee_ids = encode_hires(inputs, hiring.hire_identities(inputs, needs.hires))
    hire_parts = [hiring.new_hires(inputs, ids) for ids in _split(hire_identities, shards)]
    nh_candidates = _each([(h,) for h in hire_parts], lambda h: hiring.new_hire_termination_candidates(
        inputs, h, needs.new_hire_terminations), shard_pool)
    selected = hiring.select_new_hire_terminations(inputs, nh_candidates, needs.new_hire_terminations)
    return employee_ids, hire_parts, selected


def _promotions(inputs: YearInputs, needs: WorkforceNeeds, starting_parts: list[pl.DataFrame],
                hire_parts: list[pl.DataFrame], terminations: pl.DataFrame, new_hire_terminations: pl.DataFrame,
                shard_pool: ThreadPoolExecutor | None) -> pl.DataFrame:
    """The year's promotions over every shard."""
    # How many each level promotes depends on the whole workforce: counted over every shard.
    promotion_candidates = _each([(p,) for p in starting_parts],
                                 lambda p: workforce.promotion_candidates(inputs, p, terminations), shard_pool)
    staying: dict[int, int] = {}
    for starting_part, hire_part in zip(starting_parts, hire_parts):
        for level, count in workforce.staying_by_level(starting_part, terminations, hire_part,
                                                       new_hire_terminations).items():
            staying[level] = staying.get(level, 0) + count
    return workforce.promotions(
        inputs, promotion_candidates, workforce.promotion_counts(inputs, needs, staying, promotion_candidates))


def _pay_changes(inputs: YearInputs, promoted_everywhere: pl.DataFrame, terminations: pl.DataFrame,
                 starting: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The shard's promotions and merit raises."""
    promoted = promoted_everywhere.join(starting.select("employee_id"), on="employee_id", how="semi")
    return promoted, workforce.merit_raises(inputs, starting, terminations, promoted)


def _shard_tables(inputs: YearInputs, branches: ThreadPoolExecutor | None, promoted_everywhere: pl.DataFrame,
                  terminations: pl.DataFrame, new_hire_terminations: pl.DataFrame, leavers: pl.DataFrame,
                  starting: pl.DataFrame, hires: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """The tables of one shard of employees (starting employees and hires)."""
    changed = _start(branches, _pay_changes, inputs, promoted_everywhere, terminations, starting)
    # the leaver's reason rides along for the last-day rule and the snapshot (not a column of the model)
    members = plan.eligibility(inputs, starting, hires, leavers).join(
        leavers.select("employee_id", "termination_reason"), on="employee_id", how="left", maintain_order="left")
    escalating = _start(branches, plan.escalations, inputs, members)
    enrolled = plan.enrollments(inputs, members)
    escalated = escalating.result()
    promoted, merits = changed.result()
    contributed = contributions.contributions(inputs, members, promoted, merits, escalated, enrolled)
    balances = plan.account_balances(inputs, members, starting, contributed)
    events = _start(branches, lambda: marts.yearly_events(
        inputs, hires, members, escalated, enrolled, promoted, merits,
        terminations.join(starting.select("employee_id"), on="employee_id", how="semi"),
        new_hire_terminations.join(hires.select("employee_id"), on="employee_id", how="semi"), balances))
    snapshot = marts.snapshot(inputs, members, promoted, merits, enrolled, contributed, balances)
    return {
        "int_starting_workforce_assembled": starting, "int_promotions_drawn": promoted,
        "int_merit_raises_applied": merits, "int_new_hires_generated": hires,
        "int_plan_eligibility_determined": members, "int_enrollments_drawn": enrolled,
        "int_deferral_escalations_applied": escalated, "int_plan_contributions_calculated": contributed,
        "int_account_balances_rolled": balances,
        "fct_workforce_snapshot": snapshot, "fct_yearly_events": events.result(),
    }


def _add_whole_workforce_tables(inputs: YearInputs, tables: dict[str, pl.DataFrame], pool: ThreadPoolExecutor) -> None:
    """Adds the tables computed over the union of the shards: the summary and the 414(q) and
    nondiscrimination tables."""
    summary = _start(pool, marts.year_summary, inputs, tables["fct_workforce_snapshot"],
                     tables["int_workforce_needs_solved"])
    # Who is highly compensated ranks the whole workforce, so it follows the union of the shards.
    tables["int_highly_compensated_determined"] = plan.highly_compensated(inputs, tables["int_plan_eligibility_determined"])
    tables["fct_nondiscrimination_tests"] = marts.nondiscrimination_tests(
        inputs, tables["fct_workforce_snapshot"], tables["int_plan_contributions_calculated"],
        tables["int_highly_compensated_determined"])
    tables["fct_year_summary"] = summary.result()


def encode_hires(inputs: YearInputs, identities: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """The hires' employee codes (after those of the employees read, in the order of the hires'
    ids), and the id of every code of the year. A hire's id is never one of the employees read:
    the census refuses ids of the hires' form (census/load.py)."""
    ordered = identities.sort("employee_id")
    first = len(inputs.employee_ids)
    coded = ordered.with_columns(employee_id=pl.int_range(first, first + ordered.height, dtype=EMPLOYEE_CODE))
    return coded, pl.concat([inputs.employee_ids, ordered["employee_id"]])


def decode_employee_ids(frame: pl.DataFrame, employee_ids: pl.Series) -> pl.DataFrame:
    """The frame with its employee codes turned back into ids."""
    if "employee_id" not in frame.columns:
        return frame
    return frame.with_columns(employee_id=employee_ids.gather(frame["employee_id"]))


def simulate_year(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int, shards: int = 1) -> dict[str, pl.DataFrame]:
    """Reads the year's inputs from the database and computes its tables (nothing written)."""
    return compute_year(read_year_inputs(con, scenario_id, year), shards)


def run_year(con: duckdb.DuckDBPyConnection, scenario_id: str, year: int, shards: int = 1) -> dict[str, int]:
    """Computes the year and replaces its rows in every per-year table; returns rows per table."""
    return write_year_tables(con, scenario_id, year, simulate_year(con, scenario_id, year, shards))
