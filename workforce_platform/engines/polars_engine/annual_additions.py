"""The 415(c) annual additions of the contributions in Polars (steps 7 and 8 of the dbt model
int_plan_contributions_calculated, see contributions.py): deferrals above the limit counted as
catch-up, the excess, and its correction in the scenario's order."""

from __future__ import annotations

import polars as pl

from workforce_platform.engines.polars_engine.arithmetic import RATE_UNITS, divide_round_half_up, match_on_deferrals


def annual_additions_excess(with_employer: pl.DataFrame, limits: dict) -> pl.DataFrame:
    """Steps 7 and 8 (catch_up, excess): deferrals above 415(c) count as catch-up within the age's
    catch-up room; what the additions still exceed the limit by."""
    elective_limit = limits["elective_deferral_limit"]
    # 414(v): deferrals above 415(c) are catch-up too, within the age's catch-up room.
    caught_up = with_employer.with_columns(catch_up_cents=pl.col("deferral_catch_up_cents") + pl.min_horizontal(
        pl.max_horizontal(pl.col("deferral_cents") - pl.col("deferral_catch_up_cents") + pl.col("match_cents")
                          + pl.col("core_cents") - pl.col("additions_limit_cents"), pl.lit(0)),
        pl.col("deferral_limit_cents") - elective_limit - pl.col("deferral_catch_up_cents"),
        pl.col("deferral_cents") - pl.col("deferral_catch_up_cents")))
    return caught_up.with_columns(excess_cents=pl.max_horizontal(
        pl.col("deferral_cents") - pl.col("catch_up_cents") + pl.col("match_cents") + pl.col("core_cents")
        - pl.col("additions_limit_cents"), pl.lit(0)))


def correct_annual_additions(s, excess: pl.DataFrame, match_pay: pl.Expr, tiers: list[dict], diy: int) -> pl.DataFrame:
    """Step 8: the 415(c) excess corrected in the scenario's order, giving the deferrals, match and
    core kept (deferral_final, match_final, core_final)."""
    if s.annual_additions_correction == "employer_first":
        # 415(c): the excess comes off core first, then match, then deferrals.
        return excess.with_columns(
            core_final=pl.col("core_cents") - pl.min_horizontal("core_cents", "excess_cents"),
            match_final=pl.col("match_cents") - pl.min_horizontal(
                pl.col("match_cents"), pl.max_horizontal(pl.col("excess_cents") - pl.col("core_cents"), pl.lit(0))),
            deferral_final=pl.col("deferral_cents") - pl.max_horizontal(
                pl.col("excess_cents") - pl.col("core_cents") - pl.col("match_cents"), pl.lit(0)),
        )
    return _return_deferrals_first(excess, match_pay, tiers, bool(s.match_true_up), diy)


def _return_deferrals_first(excess: pl.DataFrame, match_pay: pl.Expr, tiers: list[dict], true_up: bool,
                            diy: int) -> pl.DataFrame:
    """415(c) in the EPCRS order (model int_plan_contributions_calculated, deferrals_first):
    deferrals come back from the top, unmatched first, then matched with their match, down to
    the largest whole cent y with (y - catch-up) + match(y) <= limit - core, the match counted
    exactly on the matchable deferrals z = y - u (u: the unmatched catch-up); what is still over
    comes off core, then off the match."""
    offset = pl.col("unmatched_catch_up_cents")
    # the target for z: z + match(z) <= limit - core + catch-up - u
    target = (pl.col("additions_limit_cents") - pl.col("core_cents") + pl.col("catch_up_cents") - offset).cast(pl.Int128)
    matchable = (pl.col("deferral_cents") - offset).cast(pl.Int128)
    scale = RATE_UNITS * RATE_UNITS
    if true_up:
        candidates = []
        for start, end, rate, below in match_regions(tiers):
            numerator = target * scale - match_pay * below + match_pay * (rate * start)
            last = matchable if end is None else (match_pay * end) // RATE_UNITS
            z = pl.min_horizontal(numerator // (scale + rate * RATE_UNITS), last)
            first = (match_pay * start + (RATE_UNITS - 1)) // RATE_UNITS
            candidates.append(pl.when((numerator >= 0) & (z >= first)).then(z).otherwise(None))
        solved = pl.max_horizontal(candidates)
    else:
        # per pay period: the match follows the matched deferrals kept (see the model's comment)
        units = pl.max_horizontal(pl.col("deferral_uncapped_cents"), pl.lit(1)).cast(pl.Int128) * diy
        matched, inside = pl.col("period_matched_units"), pl.col("period_matched_deferral_units")
        whole_match_numerator = target * units * scale - matched * matchable
        if_unmatched_returned = pl.when(whole_match_numerator >= 0).then(
            pl.min_horizontal(whole_match_numerator // (units * scale), matchable))
        if_matched_returned = pl.when((target >= 0) & (inside > 0)).then(
            (target * RATE_UNITS * inside) // (inside * RATE_UNITS + matched))
        solved = pl.max_horizontal(
            pl.when(if_unmatched_returned * units * RATE_UNITS >= inside * matchable).then(if_unmatched_returned),
            pl.when(if_matched_returned * units * RATE_UNITS <= inside * matchable).then(if_matched_returned))
    catch_up, deferrals = pl.col("catch_up_cents"), pl.col("deferral_cents")
    kept = excess.with_columns(deferral_kept=(
        pl.when(pl.col("excess_cents") == 0).then(deferrals)
        .when(pl.col("receives_match"))
        .then(pl.max_horizontal(pl.min_horizontal((solved + offset).fill_null(0), deferrals.cast(pl.Int128)), catch_up))
        .otherwise(pl.max_horizontal(pl.min_horizontal(target + offset, deferrals.cast(pl.Int128)), catch_up))
    ).cast(pl.Int64))
    kept_matchable = pl.col("deferral_kept") - offset
    if true_up:
        match_kept = match_on_deferrals(kept_matchable, match_pay, tiers)
    else:
        units = pl.max_horizontal(pl.col("deferral_uncapped_cents"), pl.lit(1)).cast(pl.Int128) * diy
        inside = pl.col("period_matched_deferral_units")
        match_kept = pl.when(kept_matchable.cast(pl.Int128) * units * RATE_UNITS >= inside * matchable).then(
            pl.col("match_cents")).otherwise(divide_round_half_up(
                pl.col("period_matched_units") * kept_matchable, inside * RATE_UNITS).cast(pl.Int64))
    rematched = kept.with_columns(match_kept=pl.when(pl.col("excess_cents") == 0).then(pl.col("match_cents"))
                                  .when(pl.col("receives_match")).then(match_kept)
                                  .otherwise(0))
    still_over = rematched.with_columns(still_over=pl.max_horizontal(
        pl.col("deferral_kept") - catch_up + pl.col("match_kept") + pl.col("core_cents") - pl.col("additions_limit_cents"),
        pl.lit(0)))
    return still_over.with_columns(
        core_final=pl.col("core_cents") - pl.min_horizontal("core_cents", "still_over"),
        match_final=pl.col("match_kept") - pl.max_horizontal(pl.col("still_over") - pl.col("core_cents"), pl.lit(0)),
        deferral_final=pl.col("deferral_kept"),
    )


def match_regions(tiers: list[dict]) -> list[tuple[int, int | None, int, int]]:
    """The match as a function of deferrals, region by region (each tier and the gaps around it):
    (start, end or None, match rate, matched below), rates in 1e-5 of pay, matched below in 1e-10."""
    regions, below, previous_end = [], 0, 0
    for tier in tiers:
        regions.append((previous_end, tier["employee_min"], 0, below))
        regions.append((tier["employee_min"], tier["employee_max"], tier["match_rate"], below))
        below += tier["match_rate"] * (tier["employee_max"] - tier["employee_min"])
        previous_end = tier["employee_max"]
    regions.append((previous_end, None, 0, below))
    return regions
