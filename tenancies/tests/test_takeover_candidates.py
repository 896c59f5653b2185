"""Possible first-hand takeovers: tenants in a training apartment who have
lived in the programme for three years or more without a break (internal
moves count as continuous)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.calendar import years_before
from referrals.tests.factories import ClientFactory
from tenancies.models import ApartmentKind, EndReason, Tenancy
from tenancies.services.tenancies import takeover_candidates

from .factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db

TODAY = date(2026, 5, 20)


@pytest.fixture
def history(unit):
    def tenancy(start, end=None, reason="", kind=ApartmentKind.TRAINING, client=None):
        return TenancyFactory(
            apartment=ApartmentFactory(unit=unit, kind=kind), client=client or ClientFactory(unit=unit),
            start_date=start, end_date=end, end_reason=reason,
        )

    rows = {
        # Exactly three years on TODAY: a candidate.
        "three_years": tenancy(date(2023, 5, 20)),
        # One day short.
        "one_day_short": tenancy(date(2023, 5, 21)),
        # Five years, but in a trial apartment.
        "trial": tenancy(date(2021, 1, 1), kind=ApartmentKind.TRIAL),
        # Five years in a training apartment, but moved out last month.
        "ended": tenancy(date(2021, 1, 1), date(2026, 4, 30), EndReason.OWN_HOUSING),
    }
    # Internal moves: 2021-03-01 in an emergency apartment, then moved within
    # the programme to a training apartment in 2025: continuous since 2021.
    moved = ClientFactory(unit=unit)
    tenancy(date(2021, 3, 1), date(2025, 1, 31), EndReason.MOVED_WITHIN_PROGRAMME, kind=ApartmentKind.EMERGENCY,
            client=moved)
    rows["internal_move"] = tenancy(date(2025, 2, 1), client=moved)
    # A break: terminated for arrears in 2022, back in 2024: a new stay.
    returned = ClientFactory(unit=unit)
    tenancy(date(2019, 1, 1), date(2022, 6, 30), EndReason.TERMINATED_ARREARS, client=returned)
    rows["new_stay"] = tenancy(date(2024, 1, 1), client=returned)
    return rows


def test_candidates_on_a_day(history):
    found = list(takeover_candidates(Tenancy.objects.all(), TODAY))

    # Longest in the programme first: since 2021-03-01, then 2023-05-20.
    assert found == [history["internal_move"], history["three_years"]]


# --- The page -----------------------------------------------------------------------------------


def candidates(unit, n):
    today = timezone.localdate()
    for i in range(n):
        TenancyFactory(apartment=ApartmentFactory(unit=unit), client=ClientFactory(unit=unit),
                       start_date=years_before(today, 3) - timedelta(days=i))


def test_the_page_lists_the_units_candidates_with_years(client, case_officer, unit, other_unit):
    today = timezone.localdate()
    mine = TenancyFactory(apartment=ApartmentFactory(unit=unit, street_address="Långa gatan 4"),
                          client=ClientFactory(unit=unit), start_date=years_before(today, 5))
    theirs = TenancyFactory(apartment=ApartmentFactory(unit=other_unit), client=ClientFactory(unit=other_unit),
                            start_date=years_before(today, 6))
    client.force_login(case_officer)

    response = client.get(reverse("tenancies:takeover_candidates"))

    html = response.content.decode()
    assert [row.pk for row in response.context["page_obj"].object_list] == [mine.pk]
    assert mine.client.full_name in html and "Långa gatan 4" in html
    assert theirs.client.full_name not in html
    assert '<td data-label="År i verksamheten">5</td>' in html
    assert "Bostadssökande" in html, "the column later issues fill"
    assert "Hyran betald i tid" in html


def test_a_bolots_sees_only_the_candidates_among_their_clients(client, pilot, unit):
    candidates(unit, 2)
    client.force_login(pilot)

    response = client.get(reverse("tenancies:takeover_candidates"))

    assert list(response.context["page_obj"].object_list) == []


@pytest.mark.parametrize("count", [3, 30])
def test_the_query_count_does_not_grow(client, manager, unit, count, django_assert_num_queries):
    candidates(unit, count)
    client.force_login(manager)
    # base 8 + count and page of the candidates + the tenants' current
    # housing queues for the "Bostadssökande" column (bolots app) = 11
    with django_assert_num_queries(13):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        response = client.get(reverse("tenancies:takeover_candidates"))
    assert len(response.context["page_obj"].object_list) == count
