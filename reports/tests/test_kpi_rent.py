"""The rent figures (reports/kpis/rent.py) on the hand-built ledger of
rent_data.py: every expected value worked out by hand in the comment above
it. Amounts in öre (kronor × 100)."""

from datetime import date
from decimal import Decimal

import pytest

from rent.models import NoticeKind, RentNotice
from rent.services.allocation import allocate_tenancy
from reports.kpis import additional_figures
from reports.kpis import rent as rent_kpis
from reports.kpis.records import records_for
from reports.tests.rent_data import KR, build_rent_dataset, pay

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def ledger(unit, other_unit):
    return build_rent_dataset(unit, other_unit)


def sections(year, unit):
    return {section.key: section for section in additional_figures(year, unit)}


def figures(section):
    return {figure.key: (figure.value, figure.previous) for figure in section.figures}


def test_arrears_on_31_december(ledger, unit):
    arrears = figures(sections(2025, unit)["arrears"])
    # 2025: TA's Nov notice 3 000 open (5 000 − 2 000), Dec notice 5 000 and Jan 2026 notice 5 000 (due on
    # 31 December itself, unpaid at the end of the day) = 13 000 kr. TB: everything due is paid (the Jan
    # notice on its due date); the keys invoice is not due until 9 January. TC is the other unit's.
    # 2024: TA's Dec 2024 notice 5 000 (paid 10 Jan 2025) + TB's 4 000 (paid 20 Jan 2025) = 9 000 kr.
    assert arrears["arrears.amount"] == (13_000 * KR, 9_000 * KR)
    # Tenancies with something open and due: 2025 TA = 1; 2024 TA, TB = 2.
    assert arrears["arrears.tenancies"] == (1, 2)
    # More than one month behind on 31 December: a notice due before 30 November still open.
    # 2025: TA (Nov notice due 31 Oct, Dec notice due 28 Nov) = 1.
    # 2024: TA (due 29 Nov) = 1; TB's was due 30 November, exactly one month: not more = 1.
    assert arrears["arrears.tenants"] == (1, 1)


def test_rent_charged_and_collected(ledger, unit):
    rent = figures(sections(2025, unit)["rent"])
    # Charged 2025: TA Oct, Nov, Dec 15 000 + TB Dec 4 000 + keys 500 = 19 500 kr (the Jan 2026 notices are
    # 2026's). 2024: the two Dec 2024 notices 5 000 + 4 000 = 9 000 kr.
    assert rent["rent.charged"] == (19_500 * KR, 9_000 * KR)
    # Paid of them by 31 December: 2025 TA Oct 5 000 + Nov 2 000 + TB Dec 4 000 = 11 000 kr; 2024 nothing
    # (both paid in January 2025).
    assert rent["rent.collected"] == (11_000 * KR, 0)
    # 11 000 / 19 500 = 56.41 → 56.4 %; 0 / 9 000 = 0.0 %.
    assert rent["rent.collection_rate"] == (D("56.4"), D("0.0"))
    assert rent["rent.tenancies_charged"] == (2, 2)
    # Not fully paid: 2025 TA (Nov, Dec) and TB (keys) = 2; 2024 both = 2.
    assert rent["rent.not_fully_paid"] == (2, 2)


def test_repayment_plans(ledger, unit):
    plans = figures(sections(2025, unit)["plans"])
    # 2025: TA's Oct, Nov, Dec and TB's Jun, Jul instalments: 5 judged, 4 kept (TA's Nov missed), 80.0 %.
    # 2024: TA's Dec 2024 instalment, kept: 1 of 1, 100.0 %.
    assert plans["plans.tenancies"] == (2, 1)
    assert plans["plans.instalments"] == (5, 1)
    assert plans["plans.kept"] == (4, 1)
    assert plans["plans.kept_share"] == (D("80.0"), D("100.0"))
    assert plans["plans.missed"] == (1, 0)
    # TB's plan is paid off, its last instalment July 2025.
    assert plans["plans.completed"] == (1, 0)


def test_trend_per_month(ledger, unit):
    months = rent_kpis.arrears_by_month(2025, unit)
    # 2025: January: the Dec 2024 notices were paid on 10 and 20 January: 0. 30 September: TA's Oct notice
    # paid on its due date: 0. 31 October: TA's Nov notice (due that day) all open: 5 000. 30 November:
    # TA's Nov 3 000 + Dec 5 000 and TB's Dec 4 000 (paid 15 Dec) = 12 000. 31 December: 13 000.
    assert months[2025] == [0] * 9 + [5_000 * KR, 12_000 * KR, 13_000 * KR]
    # 2024: only the Dec 2024 notices, due 29 and 30 November: 9 000 on 30 November and 31 December.
    assert months[2024] == [0] * 10 + [9_000 * KR, 9_000 * KR]


def test_the_trend_is_the_one_definition_with_settled(ledger, unit):
    """Each month end's sum is that of RentNotice.with_settled(day) over the
    notices due by then."""
    months = rent_kpis.arrears_by_month(2025, unit)
    for month, value in enumerate(months[2025], start=1):
        day = rent_kpis.month_end(2025, month)
        expected = sum(
            n.outstanding for n in RentNotice.objects.filter(tenancy__apartment__unit=unit, due_date__lte=day)
            .with_settled(day) if n.outstanding > 0
        )
        assert value == expected, day


def test_national_figures_add_the_other_unit(ledger):
    arrears = figures(sections(2025, None)["arrears"])
    # TC's 9 999 kr, due 28 November, unpaid, counts nationally.
    assert arrears["arrears.amount"] == (13_000 * KR + 9_999 * KR, 9_000 * KR)
    assert arrears["arrears.tenancies"] == (2, 2)
    assert arrears["arrears.tenants"] == (2, 1)


def test_record_lists(ledger, unit):
    ta, tb = ledger["ta"], ledger["tb"]
    assert set(records_for("arrears.tenancies", 2025, unit)) == {ta}
    assert set(records_for("arrears.tenancies", 2024, unit)) == {ta, tb}
    assert set(records_for("arrears.tenants", 2024, unit)) == {ta.client}
    assert set(records_for("rent.not_fully_paid", 2025, unit)) == {ta, tb}
    assert set(records_for("plans.missed", 2025, unit)) == {ta}
    assert set(records_for("plans.completed", 2025, unit)) == {tb}


def test_a_payment_dated_after_the_year_does_not_change_its_arrears(ledger, unit):
    pay(ledger["ta"], date(2026, 1, 5), 13_000)
    allocate_tenancy(ledger["ta"].pk)
    assert figures(sections(2025, unit)["arrears"])["arrears.amount"][0] == 13_000 * KR


def test_running_year_counts_up_to_today(ledger, unit, monkeypatch):
    """On 15 November 2025 the year's day is that day: TA's Nov notice
    (3 000 open) and nothing due after 15 November."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2025, 11, 15))
    arrears = figures(sections(2025, unit)["arrears"])
    assert arrears["arrears.amount"][0] == 3_000 * KR
    months = rent_kpis.arrears_by_month(2025, unit)[2025]
    assert months[10] == 3_000 * KR and months[11] is None


def test_three_queries(ledger, unit, django_assert_num_queries):
    for scope in (unit, None):
        with django_assert_num_queries(3):
            rent_kpis.sections(2025, scope)
        with django_assert_num_queries(1):
            rent_kpis.arrears_by_month(2025, scope)


def _ledger_figures(year, scope):
    counted = {}
    for section in additional_figures(year, scope):
        counted.update({figure.key: figure for figure in section.figures})
    return counted


@pytest.mark.parametrize("running", [False, True])
def test_the_ledger_pass_counts_what_the_record_lists_list(ledger, unit, monkeypatch, running):
    """The four tenancy counts of the ledger pass (rent._ledger) are as many
    as their record lists (with_settled and notices_of_year), for Y and
    Y−1, for the unit and nationally; also for a debt made after the day of
    Y but due before it (an opening balance imported later: in arrears by
    its due date, but not among the amounts of Y, which read the notices
    made by then), and in the running year."""
    from django.utils import timezone

    from reports.tests.rent_data import notice

    late = notice(ledger["tb"], date(2025, 6, 30), 700)
    RentNotice.objects.filter(pk=late.pk).update(kind=NoticeKind.OPENING_BALANCE, period=None, issued_on=date(2026, 2, 1))
    if running:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2025, 11, 15))
    for scope in (unit, None):
        for year in (2025, 2024):
            figures = _ledger_figures(year, scope)
            for key in rent_kpis.LEDGER_COUNTS:
                assert records_for(key, year, scope).count() == figures[key].value, (key, year, scope)
                assert records_for(key, year - 1, scope).count() == figures[key].previous, (key, year, scope)
    # TB's late debt is in arrears on 31 December 2025 (TA was already): 2 tenancies, and it is more than
    # a month behind (due 30 June): TA's and TB's clients.
    if not running:
        arrears = figures_of(2025, unit)
        assert arrears["arrears.tenancies"][0] == 2
        assert arrears["arrears.tenants"][0] == 2
        # The amount reads the notices made by the day of Y: 13 000 kr, as before.
        assert arrears["arrears.amount"][0] == 13_000 * KR


def figures_of(year, unit):
    return figures(sections(year, unit)["arrears"])
