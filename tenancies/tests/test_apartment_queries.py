"""Query counts of the apartment pages: the list the same for 5 apartments
as for 50, the timeline the same for 1 tenancy as for 30; within the budget
of 12 per page.

The base page costs 8: session, user, two permission queries, the unread
notification count, and the session save (savepoint, update, release).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from referrals.tests.factories_orders import accepted_order
from tenancies.models import ApartmentKind, ApartmentStatus, EndReason, Tenancy
from tenancies.tests.factories import ApartmentFactory, ComplaintFactory, KeySetFactory, TenancyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _json_support_known():
    # SQLite probes its JSON support once per connection, on first use; do
    # it before counting so that the counts do not depend on test order.
    from django.db import connection

    assert connection.features.supports_json_field


def get_ok(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response


@pytest.fixture
def apartments(unit, request):
    """`n` apartments: every other one let now, the rest vacant after a
    tenancy, in two areas and two kinds."""
    n = request.param
    for i in range(n):
        apartment = ApartmentFactory(
            unit=unit, area="Centrum" if i % 2 else "Norr",
            kind=ApartmentKind.TRAINING if i % 3 else ApartmentKind.TRIAL,
        )
        if i % 2:
            TenancyFactory(apartment=apartment, start_date=date(2023, 1, 1))
            apartment.status = ApartmentStatus.OCCUPIED
            apartment.save()
        else:
            TenancyFactory(apartment=apartment, start_date=date(2022, 1, 1), end_date=date(2022, 12, 31),
                           end_reason=EndReason.OWN_HOUSING)
    return n


@pytest.mark.parametrize("apartments", [5, 50], indirect=True)
@pytest.mark.parametrize("url_name", ["tenancies:apartment_list", "tenancies:apartment_vacant_list"])
def test_lists(client, housing_admin, apartments, url_name, django_assert_num_queries):
    client.force_login(housing_admin)
    # + the filter's areas and landlords (one query), the count and the page
    # (with tenant and days vacant as subqueries) = 11; a page naming
    # tenants adds the read log's lookup of their numbers and its one insert
    # (audit.reads), whatever the page's length; + the vacancy cost total
    # over every matching vacant apartment (services.vacancy, one query).
    with django_assert_num_queries(14 if url_name == "tenancies:apartment_list" else 11):  # + the log chain's lock (audit.chain)
        response = get_ok(client, reverse(url_name) + "?typ=training")
    assert len(response.context["page_obj"].object_list) > 0


@pytest.mark.parametrize("apartments", [5, 50], indirect=True)
def test_list_for_a_pilot(client, pilot, second_pilot, apartments, django_assert_num_queries):
    # The pilot follows the tenants of two let apartments.
    for tenancy in Tenancy.objects.filter(end_date=None)[:2]:
        accepted_order(pilot, second_pilot, client=tenancy.client)
    client.force_login(pilot)
    # incl. the read log's lookup and insert (audit.reads), its chain lock
    # (audit.chain) and the vacancy cost total (services.vacancy)
    with django_assert_num_queries(14):
        response = get_ok(client, reverse("tenancies:apartment_list"))
    assert len(response.context["page_obj"].object_list) == 2


@pytest.fixture
def history(unit, request):
    """An apartment with `n` tenancies of ten days each and three days
    between, the last still running; and a complaint and keys."""
    n = request.param
    apartment = ApartmentFactory(unit=unit, lease_start=date(2015, 1, 1), status=ApartmentStatus.OCCUPIED)
    start = date(2015, 2, 1)
    for i in range(n):
        last = i == n - 1
        end = None if last else start + timedelta(days=9)
        tenancy = TenancyFactory(apartment=apartment, start_date=start, end_date=end,
                                 end_reason="" if last else EndReason.MOVED_AWAY_UNKNOWN)
        ComplaintFactory(apartment=apartment, tenancy=tenancy, occurred_on=start)
        start += timedelta(days=13)
    KeySetFactory(apartment=apartment)
    return apartment


@pytest.mark.parametrize("history", [1, 30], indirect=True)
@pytest.mark.parametrize("who", ["housing_admin", "case_officer", "pilot"])
def test_timeline(client, users, history, who, django_assert_num_queries):
    if who == "pilot":
        accepted_order(users["pilot"], users["second_pilot"], client=history.tenancies.get(end_date=None).client)
    client.force_login(users[who])
    # + the apartment (for the housing administrator with its keys), its
    # access-log row, the tenancies (with whether each tenant may be named)
    # and the complaints = 12
    # + the read log's one insert (audit.reads) and its chain lock (audit.chain)
    with django_assert_num_queries(13):
        response = get_ok(client, reverse("tenancies:apartment_detail", args=[history.pk]))
    assert response.context["totals"]["tenancies"] == history.tenancies.count()
