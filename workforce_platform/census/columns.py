"""The census's column names: ours, how a file's columns map to them, and which are refused.

A census exported by another system names its columns differently. The scenario's
`census_columns` (our name: the file's column) and `census_ignore_columns` say how to read it.
Every column of the file is then read, deliberately ignored, or, when its name says nothing about
ours, reported as ignored; a column whose name resembles one of ours and that is neither read nor
listed is refused, so that a renamed termination date or deferral rate is never silently dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from workforce_platform.errors import WorkforceInputError

REQUIRED_COLUMNS = ("employee_id", "birth_date", "hire_date", "annual_compensation")
# Every census column we know, required first: the names `census_columns` may map to, and the ones
# a file's column is compared with. A column added here is read under its own name or through a mapping.
CENSUS_COLUMNS = (
    *REQUIRED_COLUMNS,
    "termination_date", "level_id", "deferral_rate", "deferral_pct", "scheduled_hours", "active",
    # The plan's history at the census date: pay earned in the year before (the first year's 414(q)
    # look-back and Roth catch-up wage test), the opening account balances, prior vesting service.
    "prior_year_compensation", "employee_balance", "match_balance", "core_balance", "vesting_service_years",
)
OPTIONAL_COLUMNS = tuple(c for c in CENSUS_COLUMNS if c not in REQUIRED_COLUMNS)
# Read only when the scenario maps them: a status column's codes differ between systems, so using
# one as a cross-check is the user's explicit choice.
MAPPED_ONLY_COLUMNS = frozenset({"active"})

# Prefixes other systems put before a column's name.
_PREFIXES = ("employee_", "empl_", "emp_", "ee_")
# Words of our names too common to mean a column is ours ("manager_id", "pay_date", "hourly_rate").
_GENERIC_WORDS = frozenset({"id", "date", "rate", "pct", "annual", "employee", "scheduled", "year", "years"})
# Other systems' names of our columns, compared without separators.
_ALIASES = {
    "active": "active", "status": "active", "employmentstatus": "active", "activeflag": "active",
    "isactive": "active", "activestatus": "active",
    "termdate": "termination_date", "termdt": "termination_date", "terminationdt": "termination_date",
    "separationdate": "termination_date", "term": "termination_date", "terminated": "termination_date",
    "salary": "annual_compensation", "pay": "annual_compensation", "compensation": "annual_compensation",
    "annualsalary": "annual_compensation", "basesalary": "annual_compensation", "basepay": "annual_compensation",
    "grosspay": "annual_compensation", "wage": "annual_compensation", "wages": "annual_compensation",
    "comp": "annual_compensation", "payrate": "annual_compensation", "annualpay": "annual_compensation",
    "annualcomp": "annual_compensation", "basecomp": "annual_compensation", "grosscomp": "annual_compensation",
    "dob": "birth_date", "dateofbirth": "birth_date",
    "doh": "hire_date", "dateofhire": "hire_date", "startdate": "hire_date",
    "hours": "scheduled_hours", "hoursperyear": "scheduled_hours", "annualhours": "scheduled_hours",
    "level": "level_id", "grade": "level_id", "joblevel": "level_id", "paygrade": "level_id", "band": "level_id",
    "deferral": "deferral_rate", "deferralpercent": "deferral_pct", "contributionrate": "deferral_rate",
    "id": "employee_id", "empid": "employee_id", "empno": "employee_id", "employeenumber": "employee_id",
    "eeid": "employee_id",
    "priorcompensation": "prior_year_compensation", "prioryearpay": "prior_year_compensation",
    "lastyearpay": "prior_year_compensation", "prioryearwages": "prior_year_compensation",
    "yearsofservice": "vesting_service_years", "vestingyears": "vesting_service_years",
    "vestingservice": "vesting_service_years", "deferralbalance": "employee_balance",
}


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", name.strip().lower()) if w]


def _word_runs(name: str) -> set[str]:
    """The name's runs of consecutive words, joined: birth_date gives birth, date, birthdate."""
    words = _words(name)
    return {"".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, len(words) + 1)}


def _distinctive_words() -> list[tuple[str, str]]:
    """(word, our name) for the words that identify one of our columns, longest first."""
    seen: dict[str, str] = {}
    for ours in CENSUS_COLUMNS:
        for word in _words(ours):
            if word not in _GENERIC_WORDS:
                seen.setdefault(word, ours)
    return sorted(seen.items(), key=lambda item: -len(item[0]))


def resembled_census_column(column: str) -> Optional[str]:
    """Our column that a file's column name resembles (the best guess), or None.

    The name is compared in lower case without separators, also after removing a prefix such as
    `employee_`: a known alias, one of our names or a distinctive word of one (compensation,
    termination, deferral, birth, hire, ...) inside it, or it a run of words of one of our names."""
    normal = "_".join(_words(column))
    forms = [normal]
    for prefix in _PREFIXES:
        if normal.startswith(prefix) and len(normal) > len(prefix):
            forms.insert(0, normal[len(prefix):])
            break
    guess = _guess(forms)
    if guess == "deferral_rate" and any(word in normal for word in ("pct", "percent")):
        return "deferral_pct"
    return guess


def _guess(forms: list[str]) -> Optional[str]:
    squashed = [form.replace("_", "") for form in forms]
    for form in squashed:
        if form in _ALIASES:
            return _ALIASES[form]
    for form in squashed:
        for ours in sorted(CENSUS_COLUMNS, key=len, reverse=True):
            if ours.replace("_", "") in form:
                return ours
    for form in squashed:
        for word, ours in _distinctive_words():
            if word in form:
                return ours
    for form in forms:
        for ours in CENSUS_COLUMNS:
            if form.replace("_", "") in _word_runs(ours) and len(_words(form)) <= len(_words(ours)):
                return ours
    return None


def yaml_name(column: str) -> str:
    """The column's name as a YAML scalar (quoted when it is not a plain word)."""
    return column if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", column) else json.dumps(column)


def _key(column: str) -> str:
    return column.strip().lower()


@dataclass(frozen=True)
class CensusColumns:
    """How a census file's columns are read: `read` maps our name to the file's column; `ignored` are
    the file's columns not read (listed in census_ignore_columns, or unrelated to ours), in file order."""

    path: Path
    file_columns: tuple[str, ...]
    read: Mapping[str, str]
    ignored: tuple[str, ...]

    def header_line(self) -> Optional[str]:
        """The run header's line, or None when every column is read."""
        return f"ignored census columns: {', '.join(self.ignored)}" if self.ignored else None

    def previous_year_pay_line(self) -> str:
        """Which pay the first year reads as the pay of the year before the census date (the 414(q)
        look-back, the Roth catch-up wage test): an assumption when the census lacks the column."""
        if "prior_year_compensation" in self.read:
            return ("first year's previous-year pay (414(q) look-back, Roth catch-up wage test): census "
                    "prior_year_compensation (the pay rate where a row leaves it empty)")
        return ("first year's previous-year pay (414(q) look-back, Roth catch-up wage test): assumed equal to the "
                "census pay rate annual_compensation, as the census has no prior_year_compensation")

    def header_lines(self) -> list[str]:
        """The run header's lines about the census: the columns not read, and the first year's assumption."""
        return [line for line in (self.header_line(), self.previous_year_pay_line()) if line]


def resolve_census_columns(path: Path, file_columns: Sequence[str], mapping: Optional[Mapping[str, str]] = None,
                           ignore: Sequence[str] = (), scenario_file: Optional[Path] = None) -> CensusColumns:
    """Which of the file's columns are read as which of ours, given the scenario's `census_columns`
    (`mapping`) and `census_ignore_columns` (`ignore`). Raises WorkforceInputError when a mapped
    column is not in the file, a required column is missing, or an unread column that is not
    ignored resembles one of ours."""
    mapping = dict(mapping or {})
    file_columns = tuple(file_columns)
    listing = ", ".join(file_columns)
    if len(file_columns) == 1 and any(sep in file_columns[0] for sep in (";", "\t", "|")):
        raise WorkforceInputError(
            f"{path}: the census must be comma-separated; its header {file_columns[0]!r} looks like another delimiter")
    by_key: dict[str, str] = {}
    for column in file_columns:
        by_key.setdefault(_key(column), column)
    source = f"{scenario_file}: " if scenario_file else ""
    unknown = [ours for ours in mapping if ours not in CENSUS_COLUMNS]
    if unknown:
        raise WorkforceInputError(f"{source}census_columns: {', '.join(unknown)} not census column(s); the census "
                                  f"columns are: {', '.join(CENSUS_COLUMNS)}")
    absent = [f"{source}census_columns.{ours}: column {theirs!r} not in {path}"
              for ours, theirs in mapping.items() if _key(theirs) not in by_key]
    if absent:
        raise WorkforceInputError("\n".join(absent) + f"; the file has: {listing}")
    read = {ours: by_key[_key(theirs)] for ours, theirs in mapping.items()}
    taken = {_key(theirs) for theirs in mapping.values()} | {_key(column) for column in ignore}
    for ours in CENSUS_COLUMNS:
        if ours not in read and ours not in MAPPED_ONLY_COLUMNS and ours in by_key and ours not in taken:
            read[ours] = by_key[ours]
    read = {ours: read[ours] for ours in CENSUS_COLUMNS if ours in read}
    read_keys = {_key(column) for column in read.values()}
    ignored_keys = {_key(column) for column in ignore}
    unread = [c for c in file_columns if _key(c) not in read_keys]
    resembling = [(c, guess) for c in unread if _key(c) not in ignored_keys
                  and (guess := resembled_census_column(c)) is not None]

    missing = [c for c in REQUIRED_COLUMNS if c not in read]
    if missing:
        message = f"{path}: required column(s) {', '.join(missing)} missing; the file has: {listing}"
        listed = [c for c in missing if c in ignored_keys]
        if listed:
            message += f" (census_ignore_columns lists {', '.join(listed)})"
        suggested = {}
        for column, guess in resembling:
            if guess not in read:
                suggested.setdefault(guess, column)
        if suggested:
            pairs = ", ".join(f"{ours}: {yaml_name(column)}" for ours, column in suggested.items())
            message += f"\ndid you mean `census_columns: {{{pairs}}}` in the scenario file?"
        raise WorkforceInputError(message)
    if "deferral_rate" in read and "deferral_pct" in read:
        raise WorkforceInputError(f"{path}: give either deferral_rate (a fraction) or deferral_pct (percent), not both")
    if resembling:
        raise WorkforceInputError("\n".join(_refusal(path, column, guess, read) for column, guess in resembling))
    return CensusColumns(path, file_columns, read, tuple(unread))


def _refusal(path: Path, column: str, guess: str, read: Mapping[str, str]) -> str:
    lines = [f"{path}: column {column!r} is not read and its name resembles the census column {guess}; "
             "say in the scenario file how to read it"]
    if guess in read:
        lines.append(f"  ({guess} is read from column {read[guess]!r})")
    else:
        lines.append(f"  did you mean `census_columns: {{{guess}: {yaml_name(column)}}}`?")
    lines.append(f"  or, to leave it unread, `census_ignore_columns: [{yaml_name(column)}]`")
    return "\n".join(lines)
