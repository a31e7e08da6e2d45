"""What analysts read, from the `published` layer only (years whose blocking checks passed):
the multi-year summary, the scenario comparison, events and contributions.

Money stays DECIMAL: DuckDB computes the differences, and Python sees `decimal.Decimal`.
"""

from __future__ import annotations

import csv
import io

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Optional

import duckdb

from workforce_platform.config.scenario import Scenario
from workforce_platform.errors import WorkforceInputError
from workforce_platform.runtime.tables import table_exists
from workforce_platform.paths import DATA_DIR

SUMMARY_COLUMNS = (
    "simulation_year", "starting_headcount", "hires", "experienced_terminations", "new_hire_terminations",
    "ending_headcount", "growth_rate", "total_prorated_compensation", "participation_rate",
    "average_deferral_rate", "employee_contributions", "employer_match", "employer_core", "employer_cost",
)

# The comparison's measures: (label, summary column).
COMPARED = (
    ("headcount", "ending_headcount"),
    ("total pay", "total_prorated_compensation"),
    ("participation", "participation_rate"),
    ("average deferral", "average_deferral_rate"),
    ("employee contributions", "employee_contributions"),
    ("employer match", "employer_match"),
    ("employer core", "employer_core"),
    ("employer cost", "employer_cost"),
)


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[tuple]

    def column(self, name: str) -> list:
        """The values of column `name`, row by row."""
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def default_alternative_db(scenario: Scenario) -> Path:
    """Where an alternative scenario's database is unless named: data/<scenario_id>.duckdb (not
    WORKFORCE_DB_PATH, which names the baseline's)."""
    return DATA_DIR / f"{scenario.scenario_id}.duckdb"


@dataclass(frozen=True)
class PublishedScenario:
    """A scenario and the database holding its published years."""

    scenario: Scenario
    db_path: Path

    @property
    def scenario_id(self) -> str:
        return self.scenario.scenario_id

    def connect(self) -> duckdb.DuckDBPyConnection:
        if not self.db_path.exists():
            raise WorkforceInputError(f"{self.db_path}: no database for scenario '{self.scenario_id}': "
                                      "simulate it first (workforce simulate)")
        con = duckdb.connect(str(self.db_path), read_only=True)
        if not table_exists(con, "published", "promotions"):
            con.close()
            raise WorkforceInputError(f"{self.db_path}: scenario '{self.scenario_id}' has no published year yet: "
                                      "simulate it first (only years that passed their checks are reported)")
        return con

    def years(self) -> list[int]:
        con = self.connect()
        try:
            return [r[0] for r in con.execute(
                "select simulation_year from published.promotions where scenario_id = ? order by 1",
                [self.scenario_id]).fetchall()]
        finally:
            con.close()


def year_summary(source: PublishedScenario) -> Table:
    con = source.connect()
    try:
        rows = con.execute(
            f"select {', '.join(SUMMARY_COLUMNS)} from published.fct_year_summary where scenario_id = ? "
            "order by simulation_year", [source.scenario_id]).fetchall()
    finally:
        con.close()
    if not rows:
        raise WorkforceInputError(f"{source.db_path}: scenario '{source.scenario_id}' has no published year")
    return Table(list(SUMMARY_COLUMNS), rows)


def summary_file_name(scenario_id: str, summary: Table) -> str:
    years = [row[0] for row in summary.rows]
    return f"{scenario_id}_summary_{min(years)}-{max(years)}.csv"


def comparison(baseline: PublishedScenario, alternative: PublishedScenario) -> Table:
    """Per year both scenarios published: each measure's baseline and alternative values, the
    difference (alternative − baseline) and the relative difference (difference ÷ baseline,
    rounded half up to 6 decimals, exactly; empty when the baseline is 0)."""
    con = duckdb.connect()
    try:
        con.execute(f"attach '{baseline.db_path}' as base (read_only)")
        con.execute(f"attach '{alternative.db_path}' as alt (read_only)")
        measures = ",\n".join(f"b.{col}, a.{col}, a.{col} - b.{col}" for _, col in COMPARED)
        rows = con.execute(
            f"""select b.simulation_year, {measures}
                from base.published.fct_year_summary b
                join alt.published.fct_year_summary a using (simulation_year)
                where b.scenario_id = ? and a.scenario_id = ?
                order by b.simulation_year""", [baseline.scenario_id, alternative.scenario_id]).fetchall()
    finally:
        con.close()
    rows = [(row[0], *(value for i in range(len(COMPARED)) for value in (*row[1 + 3 * i: 4 + 3 * i],
                                                                        relative_difference(row[3 + 3 * i], row[1 + 3 * i]))))
            for row in rows]
    columns = ["simulation_year"]
    for label, _ in COMPARED:
        columns += [f"{label} (baseline)", f"{label} (alternative)", f"{label} difference",
                    f"{label} relative difference"]
    return Table(columns, rows)


def relative_difference(difference, base) -> Optional[Decimal]:
    """difference ÷ base, exactly, rounded half up to 6 decimals; None when the base is 0."""
    if base is None or difference is None or base == 0:
        return None
    return (Decimal(difference) / Decimal(base)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


def events(source: PublishedScenario, limit: int) -> tuple[Table, int]:
    """The published events in order, at most `limit` rows; also the total count."""
    con = source.connect()
    try:
        total = con.execute("select count(*) from published.fct_yearly_events where scenario_id = ?",
                            [source.scenario_id]).fetchall()[0][0]
        cursor = con.execute(
            "select * from published.fct_yearly_events where scenario_id = ? "
            "order by simulation_year, employee_id, event_sequence, event_id limit ?", [source.scenario_id, limit])
        columns = [d[0] for d in cursor.description]
        return Table(columns, cursor.fetchall()), total
    finally:
        con.close()


CONTRIBUTION_COLUMNS = ("employee_id", "employment_status", "level_id", "prorated_compensation",
                        "plan_compensation", "is_enrolled", "deferral_rate", "employee_contribution",
                        "employer_match", "employer_core")


def contributions(source: PublishedScenario, year: int) -> Table:
    con = source.connect()
    try:
        rows = con.execute(
            f"select {', '.join(CONTRIBUTION_COLUMNS)} from published.fct_workforce_snapshot "
            "where scenario_id = ? and simulation_year = ? order by employee_id", [source.scenario_id, year]).fetchall()
    finally:
        con.close()
    if not rows:
        raise WorkforceInputError(f"year {year} of scenario '{source.scenario_id}' is not published in {source.db_path}")
    return Table(list(CONTRIBUTION_COLUMNS), rows)


NONDISCRIMINATION_COLUMNS = ("simulation_year", "test_name", "testing_method", "basis_year", "hce_count", "nhce_count",
                             "hce_average", "nhce_average", "allowed_hce_average", "margin", "result")


def nondiscrimination(source: PublishedScenario) -> Optional[Table]:
    """The published ADP and ACP tests by year, or None for a database published before they existed."""
    con = source.connect()
    try:
        if not table_exists(con, "published", "fct_nondiscrimination_tests"):
            return None
        rows = con.execute(
            f"select {', '.join(NONDISCRIMINATION_COLUMNS)} from published.fct_nondiscrimination_tests "
            "where scenario_id = ? order by simulation_year, test_name desc", [source.scenario_id]).fetchall()
    finally:
        con.close()
    return Table(list(NONDISCRIMINATION_COLUMNS), rows)


def pay_by_level(source: PublishedScenario, year: int) -> dict[int, list[float]]:
    """Year-end pay rates of the employees active at the end of `year`, by level (for plots)."""
    con = source.connect()
    try:
        rows = con.execute(
            "select level_id, annual_compensation from published.fct_workforce_snapshot "
            "where scenario_id = ? and simulation_year = ? and employment_status = 'active' order by 1, 2",
            [source.scenario_id, year]).fetchall()
    finally:
        con.close()
    levels: dict[int, list[float]] = {}
    for level, pay in rows:
        levels.setdefault(level, []).append(float(pay))
    return levels


# Keys whose unset value means another key's: the sheet shows the value in effect.
_EFFECTIVE_DEFAULTS = {
    "compensation.new_hire_pay_indexing_rate": ("new_hire_pay_indexing_rate", "compensation.cola_rate"),
    "plan.irs_limit_indexing_rate": ("irs_limit_indexing_rate", "compensation.cola_rate"),
}
FIRST_YEAR_PAY_KEY = "first year's previous-year pay (414(q) look-back, Roth catch-up wage test)"


def assumptions(scenario: Scenario, source: Optional[PublishedScenario] = None) -> list[tuple[str, str]]:
    """Every key of the scenario and the value in effect (defaults included), flattened to dotted
    keys; with the scenario's database, also the first year's assumption on pay of the year before."""
    flat: list[tuple[str, str]] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key in value:
                walk(f"{prefix}.{key}" if prefix else str(key), value[key])
        elif prefix in _EFFECTIVE_DEFAULTS and value is None:
            attribute, default_key = _EFFECTIVE_DEFAULTS[prefix]
            flat.append((prefix, f"{getattr(scenario, attribute)} (unset: {default_key})"))
        else:
            flat.append((prefix, "" if value is None else str(value)))

    walk("", scenario.model_dump(mode="json", exclude={"source_path"}))
    if source is not None:
        flat.append((FIRST_YEAR_PAY_KEY, first_year_pay_assumption(source)))
    return flat


def first_year_pay_assumption(source: PublishedScenario) -> str:
    """What the first year read as pay of the year before the census date: the census's
    prior_year_compensation, or, where it gives none, the census pay rate."""
    con = source.connect()
    try:
        if not table_exists(con, "main", "int_baseline_workforce_prepared"):
            return "unknown: the database has no census baseline"
        columns = {c for (c,) in con.execute("select column_name from (describe main.int_baseline_workforce_prepared)").fetchall()}
        if "prior_year_compensation" not in columns:
            return "the census pay rate (built before prior_year_compensation was read)"
        given, rate = con.execute("select count(prior_year_compensation), count(*) - count(prior_year_compensation) "
                                  "from main.int_baseline_workforce_prepared").fetchall()[0]
    finally:
        con.close()
    if rate == 0:
        return f"census prior_year_compensation ({given:,} employees)"
    if given == 0:
        return "assumed equal to the census pay rate (the census has no prior_year_compensation)"
    return (f"census prior_year_compensation for {given:,} employees; assumed equal to the census pay rate for "
            f"{rate:,} without it")


def csv_text(table: Table) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow(["" if v is None else (format(v, "f") if isinstance(v, Decimal) else v) for v in row])
    return buffer.getvalue()


def resolve_year(source: PublishedScenario, year: Optional[int]) -> int:
    years = source.years()
    if year is None:
        return years[-1]
    if year not in years:
        raise WorkforceInputError(f"--year {year}: scenario '{source.scenario_id}' has published years "
                                  f"{', '.join(map(str, years))} in {source.db_path}")
    return year
