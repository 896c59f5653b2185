"""The takeover list's "Bostadssökande" column (bolots.views.takeovers): each tenant's
current queues, latest application and nationwide search, without a query
per row."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from bolots.models import ApplicationResult
from core.calendar import years_before
from referrals.tests.factories import ClientFactory
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

from .factories import HousingApplicationFactory, HousingSearchProfileFactory, QueueRegistrationFactory

pytestmark = pytest.mark.django_db

URL = reverse("bolots:takeover_candidates")


def candidate(unit, years=4):
    return TenancyFactory(
        apartment=ApartmentFactory(unit=unit), client=ClientFactory(unit=unit),
        start_date=years_before(timezone.localdate(), years),
    )


def column(html, client):
    """The cell of the column in `client`'s row."""
    row = html[html.index(client.full_name):]
    start = row.index('<td data-label="Bostadssökande">')
    return " ".join(row[start:row.index("</td>", start)].split())


def test_the_column_shows_queues_latest_application_and_nationwide(client, manager, unit):
    tenancy = candidate(unit)
    tenant = tenancy.client
    HousingSearchProfileFactory(client=tenant, nationwide=True, checked_on=date(2026, 3, 5))
    QueueRegistrationFactory(client=tenant, queue="Bostadsförmedlingen", registered_since=date(2022, 4, 1))
    QueueRegistrationFactory(client=tenant, queue="Gamla kön", registered_since=date(2020, 1, 1),
                             ended_on=date(2021, 1, 1))
    HousingApplicationFactory(client=tenant, applied_on=date(2026, 1, 10), where="Äldre annons",
                              result=ApplicationResult.NOT_CHOSEN)
    HousingApplicationFactory(client=tenant, applied_on=date(2026, 2, 20), where="Stångåstaden, Ryd",
                              result=ApplicationResult.OFFERED)
    client.force_login(manager)

    cell = column(client.get(URL).content.decode(), tenant)

    assert "Köer: Bostadsförmedlingen (sedan 2022-04-01)" in cell
    assert "Gamla kön" not in cell, "a queue the tenant has left is not shown"
    assert "Senaste ansökan: 2026-02-20 Stångåstaden, Ryd (Erbjuden lägenhet)" in cell
    assert "Äldre annons" not in cell
    assert "Söker i hela landet" in cell
    assert "Senast kontrollerad: 2026-03-05" in cell
    assert reverse("bolots:housing_search", args=[tenant.pk]) in cell


def test_a_tenant_without_a_search_record(client, manager, unit):
    tenancy = candidate(unit)
    client.force_login(manager)

    cell = column(client.get(URL).content.decode(), tenancy.client)

    assert "Köer: inga" in cell
    assert "Senaste ansökan: ingen än" in cell
    assert "Söker i hela landet" not in cell
    assert "Senast kontrollerad: aldrig" in cell


@pytest.mark.parametrize("count", [3, 30])
def test_the_column_adds_no_query_per_row(client, manager, unit, count, django_assert_num_queries):
    for i in range(count):
        tenant = candidate(unit, years=3 + i % 3).client
        HousingSearchProfileFactory(client=tenant, nationwide=bool(i % 2))
        QueueRegistrationFactory.create_batch(2, client=tenant)
        for days in (1, 2):
            HousingApplicationFactory(client=tenant, applied_on=date(2026, 1, 1) + timedelta(days=days))
    client.force_login(manager)

    # base 8 + count and page of the candidates (search record joined, latest
    # application annotated) + the current queues of the page = 11
    with django_assert_num_queries(12):  # incl. the read log's one insert (audit.reads) and its chain lock (audit.chain)
        response = client.get(URL)

    assert len(response.context["page_obj"].object_list) == count
    assert response.content.decode().count("Senaste ansökan: 2026-01-03") == count
