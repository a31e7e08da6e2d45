"""Distributions, prior vesting service and the top-paid group's count (tests/reference/), with
hand-computed cases."""

from datetime import date
from decimal import Decimal as D

from tests.reference.balances import roll, vesting_service
from tests.reference.highly_compensated import counts_for_top_paid_group, top_paid_group
from workforce_platform.simulation.vesting import vesting_steps

GRADED = vesting_steps("graded_2_6")
IMMEDIATE = vesting_steps("immediate")


def test_a_leaver_is_paid_the_vested_balance_and_forfeits_the_rest():
    # start: deferrals 10,000, match 4,000, core 2,000; 5% return; the year adds 3,000 and 1,500 of match
    # deferrals 10,000 + 500 + 3,000 = 13,500 (always vested); match 4,000 + 200 + 1,500 = 5,700, 40% vested
    # after 3 years (graded 2-6): 2,280 kept, 3,420 forfeited; core 2,000 + 100 = 2,100: 840 kept, 1,260 forfeited
    # paid 13,500 + 2,280 + 840 = 16,620; money in 16,000 + 800 + 4,500 = 21,300 = 16,620 + 4,680 out
    end = roll((D("10000"), D("4000"), D("2000")), (D("3000"), D("1500"), D("0")), D("0.05"), 3, GRADED, GRADED,
               leaves=True)
    assert (end.employee, end.match, end.core) == (0, 0, 0)
    assert (end.distribution, end.forfeiture, end.investment_return) == (D("16620"), D("4680"), D("800"))


def test_who_stays_keeps_every_account():
    end = roll((D("10000"), D("4000"), D("2000")), (D("3000"), D("1500"), D("0")), D("0.05"), 3, GRADED, GRADED,
               leaves=False)
    assert (end.employee, end.match, end.core, end.distribution, end.forfeiture) == \
        (D("13500"), D("5700"), D("2100"), 0, 0)


def test_prior_vesting_service_counts_with_the_service_since():
    # hired 1 March 2022: 2 whole years at the census date 31 December 2024, but the census says 5 (prior
    # service with a predecessor employer); leaving 30 June 2025, one more anniversary (1 March 2025): 6 years
    assert vesting_service(date(2022, 3, 1), date(2025, 6, 30), 5, date(2024, 12, 31)) == 6
    # without the census column the service is the tenure: 2 + 1 = 3
    assert vesting_service(date(2022, 3, 1), date(2025, 6, 30), 2, date(2024, 12, 31)) == 3
    # a hire of the year: whole years from hire
    assert vesting_service(date(2025, 2, 1), date(2025, 12, 31), None, date(2024, 12, 31)) == 0
    # 6 years vest the graded schedule fully: the leaver above would be paid 13,500 + 5,700 + 2,100 = 21,300
    end = roll((D("10000"), D("4000"), D("2000")), (D("3000"), D("1500"), D("0")), D("0.05"), 6, GRADED, GRADED,
               leaves=True)
    assert (end.distribution, end.forfeiture) == (D("21300"), 0)


def test_the_top_paid_groups_count_leaves_out_the_excludable_employees():
    year_end = date(2024, 12, 31)
    adult, full_time = date(1980, 1, 1), None
    people = {
        "A": (date(2010, 1, 1), adult, full_time, D("300000")),
        "B": (date(2024, 9, 1), adult, full_time, D("250000")),       # 4 months of service: not counted, still ranks
        "C": (date(2015, 1, 1), adult, full_time, D("200000")),
        "D": (date(2015, 1, 1), date(2004, 6, 1), full_time, D("50000")),   # 20 at year end: not counted
        "E": (date(2015, 1, 1), adult, D("800"), D("30000")),        # 800 hours < 910 (17.5 x 52): not counted
        "F": (date(2024, 7, 1), adult, full_time, D("60000")),        # 6 months reached 1 January 2025: not counted
        "G": (date(2024, 6, 30), adult, full_time, D("61000")),       # 6 months on 30 December: counted
        "H": (date(2015, 1, 1), adult, D("910"), D("40000")),         # 910 hours: counted
        "I": (date(2015, 1, 1), adult, full_time, D("45000")),
        "J": (date(2015, 1, 1), adult, full_time, D("46000")),
    }
    counted = {e for e, (hired, born, hours, _) in people.items()
               if counts_for_top_paid_group(hired, born, hours, year_end, year_end)}
    assert counted == {"A", "C", "G", "H", "I", "J"}
    # 20% of 6 counted = 1.2 -> 1 (all 10 would give 2): the best paid of everyone
    assert top_paid_group({e: p[3] for e, p in people.items()}, counted) == {"A"}
    # a leaver's service ends on the last day: hired 1 March, left 31 July, under 6 months
    assert not counts_for_top_paid_group(date(2024, 3, 1), adult, None, date(2024, 7, 31), year_end)
