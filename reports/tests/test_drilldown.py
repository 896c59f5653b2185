"""The records behind a dashboard figure: the same records the KPI engine
counts, under the ordinary access rules, protected clients masked, every
view written to the access log, and a fixed number of queries."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from audit.models import AccessAction, AccessLogEntry
from referrals.models import ProtectionLevel
from referrals.tests.factories import ClientFactory
from reports.kpis.records import RECORD_LISTS, records_for
from reports.tests.golden_data import build_golden_dataset
from tenancies.models import EndReason
from tenancies.tests.factories import ApartmentFactory, TenancyFactory

pytestmark = pytest.mark.django_db
YEAR = 2025
PROTECTED_TEXT = "Person med skyddade personuppgifter"


def url(key, year=YEAR):
    return reverse("reports:drilldown", args=[year, key])


@pytest.fixture
def golden(unit, other_unit):
    return build_golden_dataset(unit, other_unit)


def test_anonymous_goes_to_login(client):
    response = client.get(url("kpi2.notices"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("role", ["case_officer", "pilot", "housing_admin", "system_admin", "outside_officer"])
def test_other_roles_are_refused(client, users, role):
    client.force_login(users[role])
    assert client.get(url("kpi2.notices")).status_code == 403
    assert not AccessLogEntry.objects.filter(object_type="reports.drilldown").exists()


def test_manager_without_unit_is_refused(client):
    from accounts.roles import Role
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(username="chef_utan", unit=None, roles=[Role.MANAGER]))
    assert client.get(url("kpi2.notices")).status_code == 403


def test_unknown_key_is_404(client, manager):
    client.force_login(manager)
    assert client.get(url("kpi9.nothing")).status_code == 404
    assert client.get(url("kpi2.notices", year=1999)).status_code == 404


@pytest.mark.parametrize("key", sorted(RECORD_LISTS))
def test_every_list_shows_exactly_the_counted_records(client, golden, unit, key):
    """Every drill-down key opens, and lists the engine's records."""
    manager = golden["manager"]
    client.force_login(manager)
    response = client.get(url(key))
    assert response.status_code == 200
    expected = records_for(key, YEAR, unit)
    assert response.context["total"] == expected.count()
    listed = response.context["page_obj"].paginator.count
    assert listed + response.context["hidden"] == response.context["total"]
    assert len(response.context["rows"]) == min(listed, 50)


def test_figure_value_and_list_agree(client, golden, unit):
    from reports.kpis import compute_kpis

    kpi2 = compute_kpis(YEAR, unit)[1]
    notices = next(figure for figure in kpi2.figures if figure.drilldown == "kpi2.notices")
    client.force_login(golden["manager"])
    response = client.get(url("kpi2.notices"))
    assert response.context["total"] == notices.value
    # The year before too (the dashboard links Y−1 values to the list of Y−1).
    response = client.get(url("kpi2.notices", YEAR - 1))
    assert response.context["total"] == notices.previous


def test_protected_client_is_masked(client, golden):
    protected = golden["c5"]
    assert protected.protection_level != ProtectionLevel.NONE
    # A name no other (Faker-named) client can have by chance.
    protected.first_name, protected.last_name = "Hemlig", "Skyddadsdotter"
    protected.save()
    client.force_login(golden["manager"])
    for key in ("kpi1.clients", "kpi5.new_tenancies"):
        response = client.get(url(key))
        html = response.content.decode()
        assert PROTECTED_TEXT in html, key
        assert protected.last_name not in html, key
        assert protected.first_name + " " + protected.last_name not in html
    # The apartment of a protected tenant is not named (it is their home).
    response = client.get(url("kpi5.new_tenancies"))
    tenancy = golden["a5"]
    assert tenancy.street_address not in response.content.decode()


def test_protected_client_shown_to_those_allowed(client, golden):
    manager = golden["manager"]
    manager.user_permissions.add(Permission.objects.get(codename="view_protected_client"))
    golden["c5"].last_name = "Skyddadsdotter"
    golden["c5"].save()
    client.force_login(manager)
    html = client.get(url("kpi1.clients")).content.decode()
    assert "Skyddadsdotter" in html
    assert PROTECTED_TEXT not in html


def test_records_the_manager_may_not_see_are_counted_not_listed(client, unit, other_unit, manager):
    # A client of another unit in this unit's training apartment: counted by
    # the unit's KPI 1, but the manager may not open the client's file.
    outsider = ClientFactory(unit=other_unit, last_name="Utomståendesson")
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=outsider, start_date=date(YEAR, 2, 1))
    insider = ClientFactory(unit=unit, last_name="Inomhussson")
    TenancyFactory(apartment=ApartmentFactory(unit=unit), client=insider, start_date=date(YEAR, 2, 1))
    client.force_login(manager)
    response = client.get(url("kpi1.clients"))
    assert response.context["total"] == 2
    assert response.context["hidden"] == 1
    html = response.content.decode()
    assert "Inomhussson" in html
    assert "Utomståendesson" not in html
    assert "1 av dem visas inte" in html


def test_another_units_records_are_never_listed(client, golden, other_unit):
    client.force_login(golden["manager"])
    response = client.get(url("kpi2.notices"))
    assert all(row.url for row, _cells in response.context["rows"])
    notice_ids = {int(row.url.rstrip("/").rsplit("/", 1)[1]) for row, _cells in response.context["rows"]}
    from referrals.models import EvictionNotice

    assert not EvictionNotice.objects.filter(pk__in=notice_ids, unit=other_unit).exists()
    assert EvictionNotice.objects.filter(unit=other_unit, received_on__year=YEAR).exists()


def test_view_is_written_to_the_access_log(client, golden):
    manager = golden["manager"]
    client.force_login(manager)
    response = client.get(url("kpi1.clients"))
    entries = list(AccessLogEntry.objects.filter(object_type="reports.drilldown"))
    # One row per client shown, so that a log search by client finds the view.
    shown = {row.url for row, _cells in response.context["rows"]}
    assert len(entries) == len(shown) > 1
    assert len({entry.client_id for entry in entries}) == len(entries)
    assert all(entry.client_id is not None for entry in entries)
    for entry in entries:
        assert entry.user == manager
        assert entry.action == AccessAction.VIEW
        assert entry.note.startswith(f"kpi1.clients {YEAR}")


def _more_records(golden, unit, count):
    """`count` more notices, tenancies and visits in YEAR: several pages."""
    from referrals.tests.factories_notices import EvictionNoticeFactory
    from reports.tests.golden_data import _visit, at

    order = next(v for v in golden.values() if getattr(v, "_meta", None) and v._meta.model_name == "visit").order
    for index in range(count):
        TenancyFactory(apartment=ApartmentFactory(unit=unit), start_date=date(YEAR, 3, 1),
                       end_date=date(YEAR, 9, 1), end_reason=EndReason.OWN_HOUSING)
        EvictionNoticeFactory(unit=unit, received_on=date(YEAR, 1 + index % 12, 3))
        _visit(order, at(YEAR, 1 + index % 12, 5))


@pytest.mark.parametrize("key", ["kpi1.own_housing", "kpi1.clients", "kpi2.notices", "kpi3.orders", "visits.all.planned",
                                 "kpi6.executed", "kpi4.completed"])
def test_query_count_does_not_grow_with_the_records(client, golden, unit, key, django_assert_num_queries):
    client.force_login(golden["manager"])
    client.get(url(key))
    with django_assert_num_queries(QUERIES) as small:
        client.get(url(key))
    _more_records(golden, unit, 60)
    with django_assert_num_queries(QUERIES) as large:
        response = client.get(url(key))
    assert response.status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
    # A later page costs the same.
    with django_assert_num_queries(QUERIES):
        client.get(url(key), {"page": 2})


# The user (1; session and permissions from the cache, issue 16 §1),
# whether the year is fixed (reports.snapshots.frozen_counts, 1: a closed
# year's figure may be the snapshot's), the total, the visible count, the
# page (3), the access-log row (the chain-head lock and the INSERT, 2), the
# menu's notification count (1).
QUERIES = 8
