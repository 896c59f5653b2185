"""Edge rules of the KPI engine (docs/kpis.md), each on a minimal data set,
and the fixed number of queries whatever the number of records."""

from datetime import date

import pytest

from accounts.roles import Role
from accounts.tests.factories import UserFactory
from bolots.tests.factories import enrol_directly, make_course_round
from referrals.models import DecisionKind, Interruption, OrderKind, OrderState
from reports.kpis import additional_figures, caseload_per_pilot, compute_kpis
from reports.kpis.decisions import decisions, reportable_in
from reports.tests.golden_data import _client, _decision, _order, _tenancy, at, build_golden_dataset
from tenancies.models import ApartmentKind, EndReason
from tenancies.tests.factories import ApartmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(unit):
    return UserFactory(unit=unit, roles=[Role.CASE_OFFICER])


@pytest.fixture
def pilot(unit):
    return UserFactory(unit=unit, roles=[Role.PILOT])


def training(unit, **kwargs):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, **kwargs)


def kpi(number, year, unit):
    return compute_kpis(year, unit)[number - 1]


def figure(result, key):
    return next((f.value, f.previous) for f in result.figures if f.key == key)


# --- Internal moves, takeovers, reuse ----------------------------------------------------------


def test_internal_move_is_not_a_new_tenancy(unit, officer):
    client = _client(unit, officer)
    first, second = training(unit), training(unit)
    _tenancy(second, _client(unit, officer), officer, date(2020, 1, 1), date(2024, 12, 31), EndReason.OWN_HOUSING)
    _tenancy(first, client, officer, date(2024, 3, 1), date(2025, 4, 30), EndReason.MOVED_WITHIN_PROGRAMME)
    moved = _tenancy(second, client, officer, date(2025, 5, 1))
    assert moved.is_internal_move
    # KPI 5: the move into an apartment with an earlier tenancy is neither new nor reused.
    assert (kpi(5, 2025, unit).numerator, kpi(5, 2025, unit).denominator) == (0, 0)
    assert kpi(5, 2025, unit).value is None and kpi(5, 2025, unit).met is None
    # KPI 4: not a first-ever tenancy (and 2024's first tenancy counts in 2024).
    assert kpi(4, 2025, unit).denominator == 0
    assert kpi(4, 2024, unit).denominator == 1
    # KPI 1: the client is counted once although two of their tenancies ran in 2025.
    assert kpi(1, 2025, unit).denominator == 1  # the other tenant left on 31 Dec 2024


def test_internal_move_from_another_kind_is_not_a_first_training_tenancy(unit, officer):
    client = _client(unit, officer)
    emergency = ApartmentFactory(unit=unit, kind=ApartmentKind.EMERGENCY)
    _tenancy(emergency, client, officer, date(2024, 6, 1), date(2025, 2, 28), EndReason.MOVED_WITHIN_PROGRAMME)
    _tenancy(training(unit), client, officer, date(2025, 3, 1))
    assert kpi(4, 2025, unit).denominator == 0
    assert kpi(5, 2025, unit).denominator == 0


def test_takeover_counts_in_kpi1_and_kpi7(unit, officer):
    _tenancy(training(unit), _client(unit, officer), officer, date(2022, 1, 1), date(2025, 6, 1),
             EndReason.FIRST_HAND_TAKEOVER)
    one, seven = kpi(1, 2025, unit), kpi(7, 2025, unit)
    assert (one.numerator, one.denominator, one.value, one.met) == (1, 1, 100, True)
    assert figure(one, "kpi1.takeover") == (1, 0)
    assert (seven.value, seven.previous, seven.met) == (1, 0, None)


def test_non_training_endings_do_not_count_in_kpi1(unit, officer):
    trial = ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL)
    _tenancy(trial, _client(unit, officer), officer, date(2024, 1, 1), date(2025, 6, 1), EndReason.OWN_HOUSING)
    assert (kpi(1, 2025, unit).numerator, kpi(1, 2025, unit).denominator) == (0, 0)


def test_move_out_on_new_years_day_is_held_in_the_new_year(unit, officer):
    _tenancy(training(unit), _client(unit, officer), officer, date(2024, 5, 1), date(2025, 1, 1), EndReason.DIED)
    assert kpi(1, 2025, unit).denominator == 1
    assert kpi(1, 2026, unit).denominator == 0


# --- KPI 7 candidates: three years without a break ------------------------------------------------


def test_three_years_across_internal_moves(unit, officer):
    client = _client(unit, officer)
    _tenancy(training(unit), client, officer, date(2022, 12, 31), date(2024, 2, 1), EndReason.MOVED_WITHIN_PROGRAMME)
    _tenancy(training(unit), client, officer, date(2024, 2, 10), date(2025, 3, 1), EndReason.MOVED_WITHIN_PROGRAMME)
    _tenancy(training(unit), client, officer, date(2025, 3, 1))
    # On 31 Dec 2025 exactly three years since 31 Dec 2022; on 31 Dec 2024 two.
    assert figure(kpi(7, 2025, unit), "kpi7.candidates") == (1, 0)


def test_a_new_stay_starts_the_three_years_again(unit, officer):
    client = _client(unit, officer)
    _tenancy(training(unit), client, officer, date(2020, 1, 1), date(2024, 1, 31), EndReason.MOVED_AWAY_UNKNOWN)
    _tenancy(training(unit), client, officer, date(2024, 3, 1))
    # 31 Dec 2023: four years (31 Dec 2022: not yet three); after the break the new stay is under two years.
    assert figure(kpi(7, 2023, unit), "kpi7.candidates") == (1, 0)
    assert figure(kpi(7, 2025, unit), "kpi7.candidates") == (0, 0)


def test_time_in_another_kind_of_apartment_breaks_the_three_years(unit, officer):
    client = _client(unit, officer)
    trial = ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL)
    _tenancy(training(unit), client, officer, date(2019, 1, 1), date(2023, 6, 30), EndReason.MOVED_WITHIN_PROGRAMME)
    _tenancy(trial, client, officer, date(2023, 7, 1), date(2023, 12, 31), EndReason.MOVED_WITHIN_PROGRAMME)
    _tenancy(training(unit), client, officer, date(2024, 1, 1))
    # 31 Dec 2025: the trial apartment lies within the three years; 31 Dec 2026: still (2023-12-31).
    assert figure(kpi(7, 2025, unit), "kpi7.candidates")[0] == 0
    assert figure(kpi(7, 2026, unit), "kpi7.candidates")[0] == 0
    assert figure(kpi(7, 2027, unit), "kpi7.candidates")[0] == 1


# --- KPI 6: reportable decisions ---------------------------------------------------------------


def test_30_november_is_reportable_from_1_march_across_the_new_year(unit, officer):
    late = _decision(_client(unit, officer), officer, DecisionKind.TRAINING_APARTMENT, date(2024, 11, 30),
                     executed_on=date(2025, 3, 1))
    in_time = _decision(_client(unit, officer), officer, DecisionKind.TRAINING_APARTMENT, date(2024, 11, 30),
                        executed_on=date(2025, 2, 28))
    assert late.execution_due_by == in_time.execution_due_by == date(2025, 2, 28)
    six = kpi(6, 2025, unit)
    assert (six.value, six.previous) == (1, 0)
    assert figure(six, "kpi6.reportable_training") == (1, 0)
    assert list(decisions(unit).filter(reportable_in(2025))) == [late]
    # Previous year 0, this year 1: not met (met only when none).
    assert six.met is False


def test_leap_year_and_the_year_end(unit, officer):
    # 30 Nov 2023 → last day 29 Feb 2024, reportable 1 Mar 2024.
    _decision(_client(unit, officer), officer, DecisionKind.BOLOTS_SUPPORT, date(2023, 11, 30))
    # 30 Sep 2024 → last day 30 Dec 2024, reportable 31 Dec 2024 (still 2024).
    _decision(_client(unit, officer), officer, DecisionKind.BOLOTS_SUPPORT, date(2024, 9, 30))
    # 1 Oct 2024 → last day 1 Jan 2025, reportable 2 Jan 2025.
    _decision(_client(unit, officer), officer, DecisionKind.BOLOTS_SUPPORT, date(2024, 10, 1))
    six = kpi(6, 2025, unit)
    assert (six.value, six.previous) == (1, 2)
    assert six.met is True  # 1 is half of 2


def test_interruption_and_wait_count_the_decision_once(unit, officer):
    decision = _decision(_client(unit, officer), officer, DecisionKind.BOLOTS_SUPPORT, date(2025, 1, 10),
                         executed_on=date(2025, 5, 1))
    Interruption.objects.create(decision=decision, started_on=date(2025, 6, 1), reason="Behandling")
    assert (kpi(6, 2025, unit).value, kpi(6, 2026, unit).value) == (1, 0)


def test_interruption_resumed_in_time_is_not_reportable(unit, officer):
    decision = _decision(_client(unit, officer), officer, DecisionKind.BOLOTS_SUPPORT, date(2024, 1, 10),
                         executed_on=date(2024, 2, 1))
    Interruption.objects.create(decision=decision, started_on=date(2025, 1, 15), ended_on=date(2025, 4, 15),
                                reason="Resa")
    Interruption.objects.create(decision=decision, started_on=date(2025, 6, 1), ended_on=date(2025, 9, 2),
                                reason="Sjukhus")
    # The first resumed on its last day (15 April); the second a day late (due 1 Sep).
    assert kpi(6, 2025, unit).value == 1


def test_a_reportable_day_not_yet_come_is_not_counted(unit, officer):
    _decision(_client(unit, officer), officer, DecisionKind.BOLOTS_SUPPORT, date(2025, 6, 10))
    # Reportable from 11 Sep 2025: not yet on 10 Sep, counted from 11 Sep.
    assert decisions(unit).filter(reportable_in(2025, today=date(2025, 9, 10))).count() == 0
    assert decisions(unit).filter(reportable_in(2025, today=date(2025, 9, 11))).count() == 1


def test_median_of_an_even_number_of_decisions(unit, officer):
    for days in (10, 20, 31, 100):
        decided = date(2025, 1, 1)
        _decision(_client(unit, officer), officer, DecisionKind.HOME_SUPPORT, decided,
                  executed_on=date.fromordinal(decided.toordinal() + days))
    # Middle two: 20 and 31 → 25.5.
    assert figure(kpi(6, 2025, unit), "kpi6.median_days") == (25.5, None)


# --- KPI 3: the 48-hour boundary ----------------------------------------------------------------


def test_48_hours_boundary(unit, officer, pilot):
    def outreach(sent, first):
        return _order(unit, officer, OrderKind.OUTREACH, sent, active=pilot, state=OrderState.IN_PROGRESS,
                      accepted_at=sent, first_visit_at=first)

    outreach(at(2025, 3, 1, 10), at(2025, 3, 3, 10))  # exactly 48 h: within
    outreach(at(2025, 3, 1, 10), at(2025, 3, 3, 10, 1))  # 48 h 1 min: not
    outreach(at(2025, 3, 29, 12), at(2025, 3, 31, 12))  # 48 h across the change to summer time (47 h wall)
    outreach(at(2025, 4, 1, 10), None)  # no visit
    three = kpi(3, 2025, unit)
    assert (three.numerator, three.denominator) == (2, 4)


def test_kpi3_met_only_with_more_early_contacts(unit, officer, pilot):
    for year in (2024, 2025):
        _order(unit, officer, OrderKind.EVICTION_PREVENTION, at(year, 5, 5, 9), active=pilot,
               state=OrderState.IN_PROGRESS, accepted_at=at(year, 5, 5, 9), first_visit_at=at(year, 5, 5, 15))
    assert kpi(3, 2025, unit).met is False  # 1 is not more than 1


# --- KPI 4: course completion by 31 December --------------------------------------------------------


def test_course_completed_on_31_december_counts_and_after_does_not(unit, officer, pilot):
    on_time, late = _client(unit, officer), _client(unit, officer)
    _tenancy(training(unit), on_time, officer, date(2025, 9, 1))
    _tenancy(training(unit), late, officer, date(2025, 9, 1))
    course = make_course_round(unit, [pilot], starts_on=date(2025, 12, 10))
    enrol_directly(course, on_time, completed_on=date(2025, 12, 31))
    enrol_directly(course, late, completed_on=date(2026, 1, 1))
    four = kpi(4, 2025, unit)
    assert (four.numerator, four.denominator, four.value, four.met) == (1, 2, 50, False)


# --- KPI 2 and KPI 8 rules --------------------------------------------------------------------------


def test_kpi2_met_when_no_evictions(unit):
    two = kpi(2, 2025, unit)
    assert (two.value, two.previous, two.met) == (0, 0, True)
    assert figure(two, "kpi2.enforcement_applications") == (None, None)


def test_caseload_counts_support_under_way_at_the_year_end(unit, officer, pilot):
    second = UserFactory(unit=unit, roles=[Role.PILOT])

    def support(accepted, **extra):
        extra.setdefault("state", OrderState.IN_PROGRESS)
        return _order(unit, officer, OrderKind.BOLOTS_SUPPORT, accepted, client=_client(unit, officer),
                      active=pilot, passive=second, accepted_at=accepted, **extra)

    support(at(2025, 12, 31, 23, 30))  # accepted late on 31 Dec: counts
    support(at(2025, 6, 1), state=OrderState.COMPLETED, completed_at=at(2025, 12, 31, 16))  # done on 31 Dec
    support(at(2025, 6, 1), state=OrderState.COMPLETED, completed_at=at(2026, 1, 1, 0, 30))  # done in 2026
    support(at(2026, 1, 1, 0, 30))  # accepted in 2026
    eight = kpi(8, 2025, unit)
    assert (eight.numerator, eight.denominator) == (2, 1)
    assert caseload_per_pilot(2025, unit)[0][1:] == (2, 0, 2)
    assert eight.met is False


# --- A fixed number of queries ----------------------------------------------------------------------

KPI_QUERIES = 7
# 3 of them the rent figures, 3 the occupancy of the stock (reports.kpis.occupancy),
# 3 Housing First's (reports.kpis.housing_first).
ADDITIONAL_QUERIES = 14


def _grow(unit, times):
    """More records of every kind the KPIs read (golden data sets in new units)."""
    from accounts.tests.factories import UnitFactory

    for n in range(times):
        build_golden_dataset(UnitFactory(municipality=f"Växtkommun {unit.pk}-{n}"))


@pytest.mark.parametrize("extra_units", [0, 2])
def test_query_count_does_not_grow_with_the_records(unit, other_unit, extra_units, django_assert_num_queries):
    build_golden_dataset(unit, other_unit)
    _grow(unit, extra_units)
    for scope in (unit, None):
        with django_assert_num_queries(KPI_QUERIES):
            compute_kpis(2025, scope)
        with django_assert_num_queries(ADDITIONAL_QUERIES):
            additional_figures(2025, scope)
        with django_assert_num_queries(1):
            caseload_per_pilot(2025, scope)


def test_reused_sql_gives_the_same_figures(unit, other_unit):
    """The compiled SQL is reused for the same year and unit (common.py);
    the figures must be those of a fresh compilation, also after the data
    changed in between."""
    from reports.kpis.common import clear_compiled

    data = build_golden_dataset(unit, other_unit)
    for scope in (unit, None):
        clear_compiled()
        fresh = (compute_kpis(2025, scope), additional_figures(2025, scope))
        assert (compute_kpis(2025, scope), additional_figures(2025, scope)) == fresh
    data["t4"].end_date, data["t4"].end_reason = date(2025, 12, 1), EndReason.OWN_HOUSING
    data["t4"].save()
    assert kpi(1, 2025, unit).numerator == 3
    clear_compiled()
    assert kpi(1, 2025, unit).numerator == 3
