"""An apartment's timeline and days vacant, with the lengths worked out by
hand: both ends of a tenancy are counted (2024-01-01–2024-01-31 is 31
days); a vacancy runs from the day after a move-out to the day before the
next move-in, and the last one up to today."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tenancies.models import Apartment, ApartmentKind, ApartmentStatus, Area, EndReason
from tenancies.services.apartments import build_timeline, timeline_totals, with_list_facts
from tenancies.tests.factories import ApartmentFactory, TenancyFactory, tenancy_history

pytestmark = pytest.mark.django_db

TODAY = date(2024, 4, 30)


def rows(periods):
    return [(p.start, p.end, p.days, "tenancy" if p.tenancy else "vacant") for p in periods]


def test_a_january_tenancy_is_31_days(unit):
    apartment = ApartmentFactory(unit=unit, lease_start=date(2024, 1, 1))
    tenancies = tenancy_history(apartment, [(date(2024, 1, 1), date(2024, 1, 31))])

    periods = build_timeline(apartment, tenancies, date(2024, 1, 31))

    assert rows(periods) == [(date(2024, 1, 1), date(2024, 1, 31), 31, "tenancy")]


def test_tenancies_and_vacancies_worked_out_by_hand(unit):
    apartment = ApartmentFactory(unit=unit, lease_start=date(2024, 1, 1))
    tenancies = tenancy_history(apartment, [
        (date(2024, 1, 10), date(2024, 1, 31)),   # 10..31 January: 22 days
        (date(2024, 2, 5), date(2024, 3, 4)),     # 5..29 February (leap year) 25 + 1..4 March 4: 29 days
        (date(2024, 3, 5), date(2024, 3, 31)),    # the day after: no vacancy between; 27 days
    ])

    periods = build_timeline(apartment, tenancies, TODAY)

    assert rows(periods) == [
        (date(2024, 1, 1), date(2024, 1, 9), 9, "vacant"),     # lease start to the day before move-in
        (date(2024, 1, 10), date(2024, 1, 31), 22, "tenancy"),
        (date(2024, 2, 1), date(2024, 2, 4), 4, "vacant"),      # day after move-out to day before move-in
        (date(2024, 2, 5), date(2024, 3, 4), 29, "tenancy"),
        (date(2024, 3, 5), date(2024, 3, 31), 27, "tenancy"),
        (date(2024, 4, 1), date(2024, 4, 30), 30, "vacant"),    # up to today
    ]
    # 78 days let + 43 vacant = 121 = every day from 1 January to 30 April 2024.
    assert timeline_totals(periods) == {"days_let": 78, "days_vacant": 43, "tenancies": 3}


def test_a_running_tenancy_counts_up_to_today_and_ends_the_timeline(unit):
    apartment = ApartmentFactory(unit=unit, lease_start=date(2024, 3, 1), status=ApartmentStatus.OCCUPIED)
    tenancies = tenancy_history(apartment, [(date(2024, 4, 1), None)])

    assert rows(build_timeline(apartment, tenancies, TODAY)) == [
        (date(2024, 3, 1), date(2024, 3, 31), 31, "vacant"),
        (date(2024, 4, 1), None, 30, "tenancy"),    # 1..30 April so far
    ]


def test_a_booked_move_in_ends_the_vacancy_today(unit):
    apartment = ApartmentFactory(unit=unit, lease_start=date(2024, 4, 21))
    tenancies = tenancy_history(apartment, [(date(2024, 5, 10), None)])

    assert rows(build_timeline(apartment, tenancies, TODAY)) == [
        (date(2024, 4, 21), date(2024, 4, 30), 10, "vacant"),
        (date(2024, 5, 10), None, None, "tenancy"),
    ]


def test_no_vacancy_after_leaving_the_programme_nor_after_the_lease_ended(unit):
    left = ApartmentFactory(unit=unit, lease_start=date(2024, 1, 1), status=ApartmentStatus.LEFT_PROGRAMME)
    ended_lease = ApartmentFactory(unit=unit, lease_start=date(2024, 1, 1), lease_end=date(2024, 2, 15))
    for apartment in (left, ended_lease):
        tenancy_history(apartment, [(date(2024, 1, 1), date(2024, 1, 31))])

    assert rows(build_timeline(left, list(left.tenancies.all()), TODAY)) == [
        (date(2024, 1, 1), date(2024, 1, 31), 31, "tenancy"),
    ]
    assert rows(build_timeline(ended_lease, list(ended_lease.tenancies.all()), TODAY))[-1] == (
        date(2024, 2, 1), date(2024, 2, 15), 15, "vacant",
    )


def test_history_older_than_the_registration_starts_where_the_tenancies_start(unit):
    apartment = ApartmentFactory(unit=unit, lease_start=date(2024, 3, 1))
    tenancies = tenancy_history(apartment, [(date(2024, 1, 1), date(2024, 2, 10))])

    assert rows(build_timeline(apartment, tenancies, TODAY)) == [
        (date(2024, 1, 1), date(2024, 2, 10), 41, "tenancy"),   # 31 + 10
        (date(2024, 3, 1), date(2024, 4, 30), 61, "vacant"),    # from the lease start: 31 + 30
    ]


# --- Days vacant, computed in the list's query ---------------------------------------


def days_vacant(user, apartment):
    today = timezone.localdate()
    return with_list_facts(Apartment.objects.filter(pk=apartment.pk), user, today).get().days_vacant


def test_days_vacant(housing_admin, unit):
    today = timezone.localdate()
    after_move_out = ApartmentFactory(unit=unit)
    tenancy_history(after_move_out, [(today - timedelta(days=400), today - timedelta(days=10))])
    never_let = ApartmentFactory(unit=unit, lease_start=today - timedelta(days=4))
    registered = ApartmentFactory(unit=unit, lease_start=None)
    Apartment.objects.filter(pk=registered.pk).update(created_at=timezone.now() - timedelta(days=20))
    moved_out_today = ApartmentFactory(unit=unit)
    tenancy_history(moved_out_today, [(today - timedelta(days=30), today)])
    occupied = ApartmentFactory(unit=unit, status=ApartmentStatus.OCCUPIED)
    tenancy_history(occupied, [(today - timedelta(days=30), None)])

    # Moved out 10 days ago: vacant from the day after, 9 days ago, up to today = 10 days.
    assert days_vacant(housing_admin, after_move_out) == 10
    # Never let: from the lease start, counted, to today = 5 days.
    assert days_vacant(housing_admin, never_let) == 5
    # No lease start: from the registration day 20 days ago = 21 days.
    assert days_vacant(housing_admin, registered) == 21
    # The move-out day is still the tenant's: vacant from tomorrow.
    assert days_vacant(housing_admin, moved_out_today) == 0
    assert days_vacant(housing_admin, occupied) is None


def test_the_list_and_the_timeline_agree_on_the_days_vacant(client, housing_admin, unit):
    today = timezone.localdate()
    apartment = ApartmentFactory(unit=unit, lease_start=today - timedelta(days=100))
    tenancy_history(apartment, [(today - timedelta(days=80), today - timedelta(days=15))])
    client.force_login(housing_admin)

    response = client.get(reverse("tenancies:apartment_detail", args=[apartment.pk]))

    latest = response.context["periods"][0]
    assert latest.is_vacancy and latest.days == 15 == days_vacant(housing_admin, apartment)


def test_the_vacant_list_shows_the_longest_vacant_first(client, housing_admin, unit):
    today = timezone.localdate()
    for address, moved_out in [("Kortgatan 1", 5), ("Långgatan 1", 300), ("Mellangatan 1", 40)]:
        apartment = ApartmentFactory(unit=unit, street_address=address)
        tenancy_history(apartment, [(today - timedelta(days=900), today - timedelta(days=moved_out))])
    let = ApartmentFactory(unit=unit, street_address="Uthyrdgatan 1", status=ApartmentStatus.OCCUPIED)
    tenancy_history(let, [(today - timedelta(days=9), None)])
    client.force_login(housing_admin)

    response = client.get(reverse("tenancies:apartment_vacant_list"))

    listed = [(a.street_address, a.days_vacant) for a in response.context["page_obj"].object_list]
    assert listed == [("Långgatan 1", 300), ("Mellangatan 1", 40), ("Kortgatan 1", 5)]
    html = response.content.decode()
    assert "Lediga lägenheter" in html and "Uthyrdgatan" not in html


# --- Filters ------------------------------------------------------------------------------------


@pytest.fixture
def register(unit):
    return {
        "training_north": ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, area="Norr"),
        "trial_north": ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL, area="Norr",
                                        status=ApartmentStatus.REPAIR),
        "training_south": ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, area="Söder"),
        "emergency_south": ApartmentFactory(unit=unit, kind=ApartmentKind.EMERGENCY, area="Söder",
                                            status=ApartmentStatus.REPAIR),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, {"training_north", "trial_north", "training_south", "emergency_south"}),
        ({"typ": "training"}, {"training_north", "training_south"}),
        ({"status": "repair"}, {"trial_north", "emergency_south"}),
        ({"omrade": "Söder"}, {"training_south", "emergency_south"}),
        ({"typ": "training", "omrade": "Norr"}, {"training_north"}),
        ({"typ": "training", "status": "repair"}, set()),
    ],
)
def test_the_list_filters_by_kind_status_and_area(client, housing_admin, register, query, expected):
    client.force_login(housing_admin)
    if "omrade" in query:
        # The filter names the unit's list entry by id (tenancies.models.lists).
        query = {**query, "omrade": Area.objects.get(name=query["omrade"]).pk}

    response = client.get(reverse("tenancies:apartment_list"), query)

    shown = {name for name, apartment in register.items() if apartment in response.context["page_obj"].object_list}
    assert shown == expected


def test_an_unknown_filter_value_shows_everything(client, housing_admin, register):
    client.force_login(housing_admin)

    response = client.get(reverse("tenancies:apartment_list"), {"typ": "slott"})

    assert response.context["page_obj"].paginator.count == 4


def test_the_list_is_paginated_and_pages_keep_the_filters(client, housing_admin, unit):
    for _ in range(30):
        ApartmentFactory(unit=unit, kind=ApartmentKind.TRIAL, area="Norr")
    client.force_login(housing_admin)

    first = client.get(reverse("tenancies:apartment_list"), {"typ": "trial"})
    second = client.get(reverse("tenancies:apartment_list"), {"typ": "trial", "page": "2"})

    assert len(first.context["page_obj"].object_list) == 25
    assert len(second.context["page_obj"].object_list) == 5
    assert "?page=2&amp;typ=trial" in first.content.decode()


def test_the_list_shows_the_current_tenants_name_and_internal_moves_on_the_timeline(client, housing_admin, unit):
    today = timezone.localdate()
    first = ApartmentFactory(unit=unit, street_address="Förstagatan 1")
    second = ApartmentFactory(unit=unit, street_address="Andragatan 2", status=ApartmentStatus.OCCUPIED)
    [moved] = tenancy_history(first, [(today - timedelta(days=60), today - timedelta(days=31))])
    moved.end_reason = EndReason.MOVED_WITHIN_PROGRAMME
    moved.save()
    TenancyFactory(apartment=second, client=moved.client, start_date=today - timedelta(days=30))
    client.force_login(housing_admin)

    listing = client.get(reverse("tenancies:apartment_list")).content.decode()
    page = client.get(reverse("tenancies:apartment_detail", args=[second.pk])).content.decode()

    assert moved.client.full_name in listing
    # The tenancy in the second apartment follows a move within the programme.
    assert 'badge text-bg-info">Omflyttning</span>' in page
