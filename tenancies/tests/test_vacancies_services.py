"""Vacancies kept by the move services and the register, and rebuilt from
the tenancies (tenancies.services.vacancies): both ways give the same rows."""

from datetime import date, timedelta

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from tenancies.models import ApartmentKind, ApartmentStatus, EndReason, Tenancy
from tenancies.models.chain import Vacancy, VacancyReason
from tenancies.services import vacancies
from tenancies.services.apartments import create_apartment, set_status
from tenancies.services.moves import internal_move, move_out
from tenancies.services.vacancies import Gap, VacancyError, rebuild_vacancies, set_ready, vacancy_gaps

from .factories import ApartmentFactory, moved_in

pytestmark = pytest.mark.django_db

D = date


def rows(apartment):
    return [
        (v.vacant_from, v.ended_on, v.ended_by_id, v.reason)
        for v in Vacancy.objects.filter(apartment=apartment).order_by("vacant_from")
    ]


@pytest.fixture
def apartment(unit):
    return ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, lease_start=D(2020, 1, 1))


# --- The pure rule --------------------------------------------------------------


def test_gaps_before_between_and_after_tenancies():
    # Programme from 2020-01-01; let 2020-03-01..2020-12-30, then from
    # 2021-01-02 to 2021-06-30 (ended), nothing since.
    # Empty: 2020-01-01..02-29 (ended by the first move-in on 03-01),
    # 2020-12-31..2021-01-01 (two days across the year end, ended 01-02),
    # and from 2021-07-01, open.
    gaps = vacancy_gaps(D(2020, 1, 1), [
        (1, D(2020, 3, 1), D(2020, 12, 30), "own_housing"),
        (2, D(2021, 1, 2), D(2021, 6, 30), "evicted"),
    ])
    assert gaps == [
        Gap(D(2020, 1, 1), D(2020, 3, 1), 1, "entered_programme"),
        Gap(D(2020, 12, 31), D(2021, 1, 2), 2, "move_out"),
        Gap(D(2021, 7, 1), None, None, "move_out"),
    ]
    assert (gaps[1].ended_on - gaps[1].vacant_from).days == 2


def test_no_gap_for_a_move_in_the_next_day_nor_after_a_takeover():
    gaps = vacancy_gaps(D(2020, 1, 1), [
        (1, D(2020, 1, 1), D(2020, 5, 31), "moved_within_programme"),
        (2, D(2020, 6, 1), D(2023, 6, 30), "first_hand_takeover"),
    ], left_programme=True)
    assert gaps == []


def test_left_the_programme_by_hand_ends_the_last_gap():
    tenancies = [(1, D(2020, 1, 1), D(2020, 5, 31), "own_housing")]
    assert vacancy_gaps(D(2020, 1, 1), tenancies, left_programme=True, left_on=D(2020, 9, 1)) == [
        Gap(D(2020, 6, 1), D(2020, 9, 1), None, "move_out")
    ]
    assert vacancy_gaps(D(2020, 1, 1), tenancies, left_programme=True, left_on=None) == []


# --- The services ------------------------------------------------------------------


def test_move_out_opens_a_vacancy_from_the_next_day_and_move_in_closes_it(ctx, apartment, client_record):
    from referrals.tests.factories import ClientFactory

    first = moved_in(ctx, apartment, client_record, D(2020, 1, 1))
    move_out(ctx, first, D(2022, 12, 30), EndReason.OWN_HOUSING)
    assert rows(apartment) == [(D(2022, 12, 31), None, None, VacancyReason.MOVE_OUT)]

    second = moved_in(ctx, apartment, ClientFactory(unit=apartment.unit), D(2023, 1, 2))
    # Empty on 2022-12-31 and 2023-01-01: two days across the year end.
    assert rows(apartment) == [(D(2022, 12, 31), D(2023, 1, 2), second.pk, VacancyReason.MOVE_OUT)]


def test_a_move_in_the_day_after_the_move_out_leaves_no_vacancy(ctx, apartment, client_record):
    from referrals.tests.factories import ClientFactory

    first = moved_in(ctx, apartment, client_record, D(2020, 1, 1))
    move_out(ctx, first, D(2021, 1, 31), EndReason.OWN_HOUSING)
    moved_in(ctx, apartment, ClientFactory(unit=apartment.unit), D(2021, 2, 1))
    assert rows(apartment) == []


def test_a_takeover_opens_no_vacancy(ctx, apartment, client_record):
    tenancy = moved_in(ctx, apartment, client_record, D(2020, 1, 1))
    move_out(ctx, tenancy, D(2023, 1, 31), EndReason.FIRST_HAND_TAKEOVER)
    assert rows(apartment) == []


@pytest.mark.acting_as("housing_admin")
def test_a_registered_apartment_is_empty_from_its_lease_start_or_registration(ctx, unit):
    with_lease = create_apartment(ctx, ApartmentFactory.build(unit=unit, lease_start=D(2024, 3, 1)))
    without = create_apartment(ctx, ApartmentFactory.build(unit=unit, lease_start=None))
    assert rows(with_lease) == [(D(2024, 3, 1), None, None, VacancyReason.ENTERED_PROGRAMME)]
    assert rows(without) == [(timezone.localdate(), None, None, VacancyReason.ENTERED_PROGRAMME)]


@pytest.mark.acting_as("housing_admin")
def test_leaving_the_programme_closes_the_vacancy_and_coming_back_opens_one(ctx, apartment):
    vacancies.after_create(ctx, apartment)
    set_status(ctx, apartment, ApartmentStatus.LEFT_PROGRAMME, today=D(2020, 4, 1))
    assert rows(apartment) == [(D(2020, 1, 1), D(2020, 4, 1), None, VacancyReason.ENTERED_PROGRAMME)]
    set_status(ctx, apartment, ApartmentStatus.VACANT, today=D(2021, 5, 1))
    assert rows(apartment)[-1] == (D(2021, 5, 1), None, None, VacancyReason.ENTERED_PROGRAMME)


def test_open_vacancy_reuses_the_open_one(ctx, apartment):
    one = vacancies.open_vacancy(ctx, apartment, D(2020, 1, 1), VacancyReason.MOVE_OUT)
    again = vacancies.open_vacancy(ctx, apartment, D(2020, 6, 1), VacancyReason.MOVE_OUT)
    assert one.pk == again.pk and Vacancy.objects.count() == 1


def test_internal_move_with_a_gap_empties_the_old_apartment_and_fills_the_new(ctx, unit, apartment, client_record):
    new_apartment = ApartmentFactory(unit=unit, kind=ApartmentKind.TRAINING, lease_start=D(2020, 1, 1))
    vacancies.after_create(ctx, new_apartment)
    tenancy = moved_in(ctx, apartment, client_record, D(2020, 1, 1))
    new = internal_move(ctx, tenancy, Tenancy(apartment=new_apartment, start_date=D(2021, 3, 15)),
                        move_out_on=D(2021, 2, 27))
    assert rows(apartment) == [(D(2021, 2, 28), None, None, VacancyReason.MOVE_OUT)]
    assert rows(new_apartment) == [(D(2020, 1, 1), D(2021, 3, 15), new.pk, VacancyReason.ENTERED_PROGRAMME)]


# --- Rebuilding agrees with the services ------------------------------------------------


def test_rebuild_gives_the_rows_the_services_wrote_and_keeps_the_ready_date(ctx, unit, apartment, client_record):
    from referrals.tests.factories import ClientFactory

    vacancies.after_create(ctx, apartment)
    first = moved_in(ctx, apartment, client_record, D(2020, 2, 1))
    move_out(ctx, first, D(2020, 11, 30), EndReason.OWN_HOUSING)
    second = moved_in(ctx, apartment, ClientFactory(unit=unit), D(2021, 1, 10))
    move_out(ctx, second, D(2021, 12, 31), EndReason.EVICTED)
    by_services = rows(apartment)
    assert len(by_services) == 3
    Vacancy.objects.filter(apartment=apartment, ended_on__isnull=True).update(ready_from=D(2022, 1, 20))

    assert rebuild_vacancies([apartment.pk]) == 0  # nothing to change
    Vacancy.objects.filter(apartment=apartment, ended_on__isnull=False).delete()
    assert rebuild_vacancies([apartment.pk]) == 2
    assert rows(apartment) == by_services
    assert Vacancy.objects.get(apartment=apartment, ended_on__isnull=True).ready_from == D(2022, 1, 20)


def test_rebuild_removes_rows_the_tenancies_contradict(ctx, apartment, client_record):
    Vacancy.objects.create(apartment=apartment, vacant_from=D(2019, 5, 1), reason=VacancyReason.MOVE_OUT)
    moved_in(ctx, apartment, client_record, D(2020, 1, 1))
    Vacancy.objects.all().delete()
    Vacancy.objects.create(apartment=apartment, vacant_from=D(2019, 5, 1), reason=VacancyReason.MOVE_OUT)
    rebuild_vacancies([apartment.pk])
    assert rows(apartment) == []


def test_the_data_migration_builds_what_the_services_build(ctx, unit, apartment, client_record):
    import importlib

    from referrals.tests.factories import ClientFactory

    migration = importlib.import_module("tenancies.migrations.0008_vacancies_from_history")
    vacancies.after_create(ctx, apartment)
    first = moved_in(ctx, apartment, client_record, D(2020, 3, 1))
    move_out(ctx, first, D(2021, 2, 28), EndReason.OWN_HOUSING)
    moved_in(ctx, apartment, ClientFactory(unit=unit), D(2021, 3, 3))
    other = ApartmentFactory(unit=unit, lease_start=D(2022, 5, 1))
    vacancies.after_create(ctx, other)
    by_services = {a.pk: rows(a) for a in (apartment, other)}
    Vacancy.objects.all().delete()
    migration.build(django_apps, None)
    assert {a.pk: rows(a) for a in (apartment, other)} == by_services


# --- The ready-from date ------------------------------------------------------------------


@pytest.mark.acting_as("housing_admin")
def test_ready_from_is_saved_and_cannot_be_before_the_vacancy(ctx, apartment):
    vacancy = vacancies.open_vacancy(ctx, apartment, D(2024, 2, 1), VacancyReason.MOVE_OUT)
    vacancy.ready_from, vacancy.ready_note = D(2024, 1, 31), "Städning"
    with pytest.raises(VacancyError) as error:
        set_ready(ctx, vacancy, expected_version=vacancy.version)
    assert error.value.field == "ready_from"
    assert Vacancy.objects.get(pk=vacancy.pk).ready_from is None

    vacancy = Vacancy.objects.get(pk=vacancy.pk)
    vacancy.ready_from, vacancy.ready_note = D(2024, 2, 1) + timedelta(days=14), " Målning "
    set_ready(ctx, vacancy, expected_version=vacancy.version)
    stored = Vacancy.objects.get(pk=vacancy.pk)
    assert (stored.ready_from, stored.ready_note, stored.version) == (D(2024, 2, 15), "Målning", 2)
