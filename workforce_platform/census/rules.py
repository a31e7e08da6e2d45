"""The census's validation rules: each a SQL condition on the raw (text) columns that marks an
offending row, checked by the loader (load.py) before anything is written."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Sequence

# Opening account balances at the census date (deferrals, match, core).
BALANCE_COLUMNS = ("employee_balance", "match_balance", "core_balance")
# Values of a mapped `active` column (compared trimmed, in lower case).
ACTIVE_VALUES = ("true", "1", "y", "yes", "active")
INACTIVE_VALUES = ("false", "0", "n", "no", "inactive", "terminated")


@dataclass(frozen=True)
class Rule:
    name: str
    violation: str  # SQL condition on the raw (text) columns that marks an offending row
    shows: str  # SQL expression shown next to the row


def census_rules(columns: set[str], census_date: date) -> list[Rule]:
    """The rules for a census with `columns` (our names) describing `census_date`."""
    d = f"DATE '{census_date.isoformat()}'"
    rules = [
        Rule("employee_id must not be empty", "coalesce(trim(employee_id), '') = ''", "employee_id"),
        Rule("employee_id must be unique", "count(*) over (partition by employee_id) > 1 and trim(employee_id) <> ''", "employee_id"),
        Rule("employee_id must not take the form NH<year>_<number>, which names the simulation's hires",
             "regexp_full_match(trim(employee_id), 'NH[0-9]{4}_[0-9]+')", "employee_id"),
        Rule("birth_date must be a date YYYY-MM-DD", "try_cast(birth_date as date) is null", "birth_date"),
        Rule("hire_date must be a date YYYY-MM-DD", "try_cast(hire_date as date) is null", "hire_date"),
        Rule(
            "annual_compensation must be a number > 0",
            "try_cast(annual_compensation as decimal(18, 2)) is null or try_cast(annual_compensation as decimal(18, 2)) <= 0",
            "annual_compensation",
        ),
        Rule("birth_date must be before hire_date", "try_cast(birth_date as date) >= try_cast(hire_date as date)", "birth_date || ' / ' || hire_date"),
        Rule(f"hire_date must not be after the census date {census_date}", f"try_cast(hire_date as date) > {d}", "hire_date"),
    ]
    if "termination_date" in columns:
        rules += [
            Rule(
                "termination_date must be empty or a date YYYY-MM-DD",
                "coalesce(trim(termination_date), '') <> '' and try_cast(termination_date as date) is null",
                "termination_date",
            ),
            Rule("hire_date must not be after termination_date", "try_cast(hire_date as date) > try_cast(termination_date as date)", "hire_date || ' / ' || termination_date"),
            Rule(
                f"termination_date must not be after the census date {census_date} (such employees are active at the census date)",
                f"try_cast(termination_date as date) > {d}",
                "termination_date",
            ),
        ]
    if "level_id" in columns:
        rules.append(Rule(
            "level_id must be empty or an integer 1-5",
            "coalesce(trim(level_id), '') <> '' and coalesce(try_cast(level_id as integer) not between 1 and 5, true)",
            "level_id",
        ))
    if "deferral_rate" in columns:
        rules.append(Rule(
            "deferral_rate must be empty or a fraction between 0 and 1",
            "coalesce(trim(deferral_rate), '') <> '' and coalesce(try_cast(deferral_rate as decimal(9, 5)) not between 0 and 1, true)",
            "deferral_rate",
        ))
    if "scheduled_hours" in columns:
        rules.append(Rule(
            "scheduled_hours must be empty or a number of hours a year between 0 and 8784",
            "coalesce(trim(scheduled_hours), '') <> '' and coalesce(try_cast(scheduled_hours as decimal(9, 2)) not between 0 and 8784, true)",
            "scheduled_hours",
        ))
    if "deferral_pct" in columns:
        rules.append(Rule(
            "deferral_pct must be empty or a percentage between 0 and 100",
            "coalesce(trim(deferral_pct), '') <> '' and coalesce(try_cast(deferral_pct as decimal(9, 3)) not between 0 and 100, true)",
            "deferral_pct",
        ))
    for money in ("prior_year_compensation", *BALANCE_COLUMNS):
        if money in columns:
            rules.append(Rule(
                f"{money} must be empty or an amount of money >= 0",
                f"coalesce(trim({money}), '') <> '' and coalesce(try_cast({money} as decimal(18, 2)) < 0, true)",
                money,
            ))
    if "vesting_service_years" in columns:
        rules.append(Rule(
            "vesting_service_years must be empty or a whole number of years between 0 and 100",
            "coalesce(trim(vesting_service_years), '') <> '' "
            "and (not regexp_full_match(trim(vesting_service_years), '[0-9]{1,3}') "
            "or try_cast(trim(vesting_service_years) as integer) > 100)",
            "vesting_service_years",
        ))
    if "active" in columns:
        rules += _active_rules(columns, census_date)
    return rules


def _sql_list(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _active_rules(columns: set[str], census_date: date) -> list[Rule]:
    """The active flag is a cross-check: termination_date alone decides who is in the baseline."""
    d = f"DATE '{census_date.isoformat()}'"
    flag = "lower(trim(active))"
    terminated = ("try_cast(nullif(trim(termination_date), '') as date)" if "termination_date" in columns
                  else "null::date")
    shown = "coalesce(active, '') || ' / ' || coalesce(termination_date, '')" if "termination_date" in columns else "active"
    return [
        Rule(f"active must be one of {', '.join(ACTIVE_VALUES)} or {', '.join(INACTIVE_VALUES)} (any case)",
             f"coalesce({flag} not in ({_sql_list(ACTIVE_VALUES + INACTIVE_VALUES)}), true)", "active"),
        Rule(f"a row marked inactive must have a termination_date on or before the census date {census_date}",
             f"{flag} in ({_sql_list(INACTIVE_VALUES)}) and coalesce({terminated} <= {d}, false) = false", shown),
        Rule(f"a row marked active must not have a termination_date on or before the census date {census_date}",
             f"{flag} in ({_sql_list(ACTIVE_VALUES)}) and coalesce({terminated} <= {d}, false)", shown),
    ]
